"""onebyone/upsampling.py: the bilinear kernel and the upsampler built from it."""

import itertools

import pytest
import torch
import torch.nn.functional as F

from onebyone.upsampling import bilinear_kernel, bilinear_upsampler


@pytest.mark.parametrize("factor", [2, 4, 8])
def test_kernel_is_a_tent_that_peaks_between_the_two_centre_pixels(factor):
    kernel = bilinear_kernel(factor)
    assert kernel.shape == (2 * factor, 2 * factor)
    assert torch.equal(kernel, kernel.T)
    assert torch.equal(kernel, kernel.flip(0).flip(1))
    assert kernel.max() < 1


@pytest.mark.parametrize("factor", [2, 4, 8])
def test_each_output_pixel_gets_weights_that_sum_to_one(factor):
    up = bilinear_upsampler(1, factor)
    with torch.no_grad():
        out = up(torch.ones(1, 1, 6, 6))
    inner = out[..., factor:-factor, factor:-factor]
    assert torch.allclose(inner, torch.ones_like(inner))


@pytest.mark.parametrize("factor", [2, 4])
def test_equals_interpolate_away_from_the_borders(factor):
    x = torch.rand(2, 3, 5, 7)
    with torch.no_grad():
        ours = bilinear_upsampler(3, factor)(x)
    theirs = F.interpolate(x, scale_factor=factor, mode="bilinear")
    assert ours.shape == theirs.shape
    inner = (ours - theirs)[..., factor:-factor, factor:-factor]
    assert inner.abs().max() < 1e-5


def test_channels_do_not_mix():
    x = torch.zeros(1, 2, 4, 4)
    x[0, 0] = 1.0
    with torch.no_grad():
        out = bilinear_upsampler(2, 2)(x)
    assert out[0, 1].abs().max() == 0
    assert out[0, 0].abs().max() > 0


@pytest.mark.parametrize("factor", [0, 1, 3, 2.0])
def test_rejects_a_factor_that_is_not_even(factor):
    with pytest.raises(ValueError, match="even factor"):
        bilinear_upsampler(1, factor)


def test_transposed_output_size_is_chapter_6s_formula():
    """(H - 1)s - 2p + d(k - 1) + p_out + 1, as chapter 6 states it, is the size
    nn.ConvTranspose2d gives, over every setting of a grid whose output is not
    empty (p_out must be smaller than the stride or the dilation)."""
    checked = 0
    for size, stride, kernel_size, dilation in itertools.product(
        (1, 2, 5), (1, 2, 4), (1, 2, 3, 4, 8), (1, 2)
    ):
        for padding, output_pad in itertools.product(
            range(kernel_size // 2 + 1), range(max(stride, dilation))
        ):
            expected = (
                (size - 1) * stride
                - 2 * padding
                + dilation * (kernel_size - 1)
                + output_pad
                + 1
            )
            if expected < 1:
                continue
            layer = torch.nn.ConvTranspose2d(
                1, 1, kernel_size, stride, padding, output_pad, dilation=dilation
            )
            assert layer(torch.zeros(1, 1, size, size)).shape[-1] == expected
            checked += 1
    assert checked == 576
