"""onebyone/resnet.py: the course's FCN and U-Net on a ResNet-18 body."""

import pytest
import torch

from onebyone.resnet import ResNet18Body, ResNetFCN, ResNetUNet, pad_to_stride


def test_the_body_has_torchvision_s_layer_names():
    """The entries of torchvision 0.28's resnet18 state dict, less fc: 120, among
    them each stage's first shortcut (stages 2 to 4) as downsample.0 and .1."""
    names = list(ResNet18Body().state_dict())
    assert len(names) == 120
    assert names[:2] == ["conv1.weight", "bn1.weight"]
    shortcuts = {n.rsplit(".", 2)[0] for n in names if ".downsample." in n}
    assert shortcuts == {f"layer{k}.0.downsample" for k in (2, 3, 4)}


def test_padding_reaches_the_next_multiple_of_the_stride_with_zeros():
    images = torch.ones(2, 3, 33, 64)
    padded, size = pad_to_stride(images)
    assert padded.shape == (2, 3, 64, 64) and size == (33, 64)
    assert padded[..., 33:, :].abs().sum() == 0 and padded[..., :33, :].min() == 1


@pytest.mark.parametrize("network", [ResNetFCN, ResNetUNet])
def test_scores_come_back_at_the_image_s_own_size(network):
    model = network(num_classes=5).eval()
    with torch.no_grad():
        for height, width in [(32, 32), (65, 97)]:
            scores = model(torch.randn(1, 3, height, width))
            assert scores.shape == (1, 5, height, width)


def test_the_fcn_s_final_upsampler_is_fixed_and_the_others_learn():
    fcn = ResNetFCN()
    assert not fcn.final_upsampler.weight.requires_grad
    assert all(up.weight.requires_grad for up in fcn.fuse_upsamplers)


def test_an_image_without_three_channels_is_refused_in_words():
    with pytest.raises(
        ValueError, match=r"RGB images, \(N, 3, H, W\); got \(1, 1, 32, 32\)"
    ):
        ResNet18Body()(torch.randn(1, 1, 32, 32))
