"""onebyone/fcn.py: the FCN variants' shapes, sizes and errors."""

import pytest
import torch

from onebyone.fcn import FCN, STRIDE, conv_block, encode, encoder

NUM_CLASSES = 5


def test_conv_block_keeps_the_size():
    out = conv_block(3, 4)(torch.zeros(2, 3, 9, 7))
    assert out.shape == (2, 4, 9, 7)


@pytest.mark.parametrize("skips", [0, 1, 2, 3])
@pytest.mark.parametrize("size", [(64, 64), (24, 40)])
def test_scores_every_pixel(skips, size):
    model = FCN(NUM_CLASSES, skips)
    assert model(torch.zeros(2, 1, *size)).shape == (2, NUM_CLASSES, *size)


def test_features_are_at_strides_1_2_4_8():
    features = FCN(NUM_CLASSES, 2).features(torch.zeros(1, 1, 32, 48))
    assert [f.shape[-2:] for f in features] == [
        (32 // s, 48 // s) for s in (1, 2, 4, STRIDE)
    ]
    assert [f.shape[1] for f in features] == [8, 16, 32, 64]


def test_each_skip_adds_a_score_layer_and_an_upsampler():
    models = [FCN(NUM_CLASSES, skips) for skips in (0, 1, 2)]
    assert [len(m.scores) for m in models] == [1, 2, 3]
    assert [len(m.fuse_upsamplers) for m in models] == [0, 1, 2]
    assert [m.final_upsampler.stride for m in models] == [(8, 8), (4, 4), (2, 2)]


def test_fcn_plus_3_is_fcn_plus_2_and_a_stride_1_score_layer():
    """Its third ×2 upsampler is FCN+2's final one; no upsampling is left after."""
    fcn_plus_2, fcn_plus_3 = FCN(NUM_CLASSES, 2), FCN(NUM_CLASSES, 3)
    assert isinstance(fcn_plus_3.final_upsampler, torch.nn.Identity)
    added = sum(p.numel() for p in fcn_plus_3.parameters()) - sum(
        p.numel() for p in fcn_plus_2.parameters()
    )
    assert added == (8 + 1) * NUM_CLASSES  # a 1×1 conv on the 8 stride-1 channels


def test_the_finest_score_layer_feeds_the_output():
    model = FCN(NUM_CLASSES, 2).eval()
    x = torch.rand(1, 1, 32, 32)
    with torch.no_grad():
        before = model(x)
        model.scores[2].bias[0] += 1.0  # the score layer on the stride-2 features
        after = model(x)
    changed = (after - before).abs().amax(dim=(0, 2, 3)) > 0
    assert changed.tolist() == [True] + [False] * (NUM_CLASSES - 1)


@pytest.mark.parametrize("skips", [-1, 4, "2"])
def test_rejects_an_unknown_number_of_skips(skips):
    with pytest.raises(ValueError, match="skips must be 0, 1, 2 or 3"):
        FCN(NUM_CLASSES, skips)


def test_rejects_a_size_that_is_not_a_multiple_of_the_stride():
    with pytest.raises(ValueError, match="multiples of 8; got \\(60, 64\\)"):
        FCN(NUM_CLASSES, 2)(torch.zeros(1, 1, 60, 64))


def test_rejects_the_wrong_number_of_widths():
    with pytest.raises(ValueError, match="one entry per stage"):
        FCN(NUM_CLASSES, 2, widths=(8, 16, 32))


def test_encode_pools_between_the_stages_of_any_encoder():
    stages = encoder((4, 6, 8), in_channels=3)
    features = encode(stages, torch.zeros(2, 3, 12, 20))
    assert [tuple(f.shape) for f in features] == [
        (2, 4, 12, 20),
        (2, 6, 6, 10),
        (2, 8, 3, 5),
    ]
    with pytest.raises(ValueError, match="multiples of 4; got \\(12, 18\\)"):
        encode(stages, torch.zeros(1, 3, 12, 18))
