"""onebyone/conv.py: the output-size formula and the hand-written conv2d."""

import itertools

import pytest
import torch
import torch.nn.functional as F

from onebyone.conv import conv_output_size, cross_correlate2d

VALID_SETTINGS = [
    (size, k, p, s, d)
    for size, k, p, s, d in itertools.product(
        (1, 4, 7), (1, 2, 3, 4), (0, 1, 3), (1, 2, 3), (1, 2, 3)
    )
    if d * (k - 1) + 1 <= size + 2 * p
]


@pytest.mark.parametrize("size, kernel_size, padding, stride, dilation", VALID_SETTINGS)
def test_output_size_matches_pytorch(size, kernel_size, padding, stride, dilation):
    x = torch.zeros(1, 1, size, size + 1)
    weight = torch.zeros(1, 1, kernel_size, kernel_size)
    out = F.conv2d(x, weight, padding=padding, stride=stride, dilation=dilation)
    setting = {"stride": stride, "padding": padding, "dilation": dilation}
    assert out.shape[-2] == conv_output_size(size, kernel_size, **setting)
    assert out.shape[-1] == conv_output_size(size + 1, kernel_size, **setting)


@pytest.mark.parametrize(
    "padding, stride, dilation", [(0, 1, 1), (1, 1, 1), (2, 2, 1), (1, 3, 2), (0, 2, 3)]
)
def test_cross_correlation_matches_conv2d(padding, stride, dilation):
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(3, 9, 11, generator=generator)  # (C_in, H, W)
    weight = torch.randn(4, 3, 3, 2, generator=generator)  # (C_out, C_in, kH, kW)
    ours = cross_correlate2d(
        x, weight, stride=stride, padding=padding, dilation=dilation
    )
    theirs = F.conv2d(
        x[None], weight, padding=padding, stride=stride, dilation=dilation
    )
    torch.testing.assert_close(ours, theirs[0])


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (
            {"size": 3, "kernel_size": 5},
            "kernel spans 5 pixels.*padded input has only 3",
        ),
        ({"size": 5, "kernel_size": 3, "dilation": 3}, "kernel spans 7 pixels"),
        (
            {"size": 5, "kernel_size": 3, "stride": 0},
            "stride must be at least 1; got 0",
        ),
        ({"size": 5, "kernel_size": 3, "padding": -1}, "padding must be at least 0"),
        ({"size": 0, "kernel_size": 1}, "input size must be at least 1"),
        ({"size": 5, "kernel_size": 0}, "kernel size must be at least 1"),
        ({"size": 5, "kernel_size": 3, "dilation": 0}, "dilation must be at least 1"),
    ],
)
def test_impossible_settings_say_what_is_wrong(kwargs, message):
    with pytest.raises(ValueError, match=message):
        conv_output_size(**kwargs)


@pytest.mark.parametrize("bad", [2.0, "3", True, None])
def test_non_integer_settings_are_rejected(bad):
    with pytest.raises(TypeError, match="stride must be an integer"):
        conv_output_size(5, 3, stride=bad)


def test_stride_padding_and_dilation_are_named_as_in_pytorch():
    """Keyword-only: a positional 1 cannot silently mean padding in one place and
    stride in another."""
    with pytest.raises(TypeError):
        conv_output_size(5, 3, 1)
    with pytest.raises(TypeError):
        cross_correlate2d(torch.zeros(1, 5, 5), torch.zeros(1, 1, 3, 3), 1)


def test_padding_makes_a_large_kernel_possible():
    assert conv_output_size(3, kernel_size=5, padding=1) == 1


def test_mismatched_channels_are_named():
    with pytest.raises(ValueError, match="x has 3 input channels, weight expects 1"):
        cross_correlate2d(torch.zeros(3, 8, 8), torch.zeros(4, 1, 3, 3))


def test_wrong_dimensions_are_named():
    with pytest.raises(ValueError, match=r"x must be \(C_in, H, W\)"):
        cross_correlate2d(torch.zeros(8, 8), torch.zeros(1, 1, 3, 3))


def test_kernel_larger_than_input_is_an_error_not_an_empty_map():
    with pytest.raises(ValueError, match="padded input has only 4"):
        cross_correlate2d(torch.zeros(1, 2, 4), torch.zeros(1, 1, 5, 5), padding=1)
