"""Upsampling by a transposed convolution that starts as bilinear interpolation."""

import torch
from torch import nn


def bilinear_kernel(factor):
    """The (2·factor) × (2·factor) kernel of bilinear upsampling by ``factor``."""
    centre = factor - 0.5
    tent = 1 - (torch.arange(2 * factor) - centre).abs() / factor
    return tent[:, None] * tent[None, :]


def bilinear_upsampler(channels, factor):
    """A learnable transposed convolution that starts as bilinear upsampling."""
    if not isinstance(factor, int) or factor < 2 or factor % 2:
        raise ValueError(
            f"bilinear_upsampler needs an even factor of at least 2; got {factor!r}."
        )
    up = nn.ConvTranspose2d(
        channels, channels, 2 * factor, stride=factor, padding=factor // 2, bias=False
    )
    with torch.no_grad():
        up.weight.zero_()
        for c in range(channels):
            up.weight[c, c] = bilinear_kernel(factor)  # channel c only feeds channel c
    return up
