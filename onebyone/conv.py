"""Convolution arithmetic and a hand-written 2-D cross-correlation.

Chapter 1 shows this file in three cells, split at the ``# %%`` lines.
"""

import numbers


def conv_output_size(size, kernel_size, *, stride=1, padding=0, dilation=1):
    """Length of a convolution's output along one axis (PyTorch's formula)."""
    _check_setting(size, kernel_size, stride, padding, dilation)
    return (size + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1


# %%
def cross_correlate2d(x, weight, *, stride=1, padding=0, dilation=1):
    """Slide ``weight`` over ``x`` and sum the products: what ``conv2d`` computes.

    ``x`` has shape (C_in, H, W) and ``weight`` (C_out, C_in, kH, kW).
    """
    _check_shapes(x, weight)
    in_channels, height, width = x.shape
    out_channels, _, kernel_h, kernel_w = weight.shape
    setting = {"stride": stride, "padding": padding, "dilation": dilation}
    out_h = conv_output_size(height, kernel_h, **setting)
    out_w = conv_output_size(width, kernel_w, **setting)

    padded = x.new_zeros(in_channels, height + 2 * padding, width + 2 * padding)
    padded[:, padding : padding + height, padding : padding + width] = x
    span_h = dilation * (kernel_h - 1) + 1  # rows one window covers
    span_w = dilation * (kernel_w - 1) + 1

    out = x.new_zeros(out_channels, out_h, out_w)  # (C_out, H_out, W_out)
    for i in range(out_h):
        for j in range(out_w):
            top, left = i * stride, j * stride
            rows = slice(top, top + span_h, dilation)
            cols = slice(left, left + span_w, dilation)
            out[:, i, j] = (weight * padded[:, rows, cols]).sum(dim=(1, 2, 3))
    return out


# %%
def _check_setting(size, kernel_size, stride, padding, dilation):
    """Whole numbers in range, and a kernel that fits the padded input."""
    for name, value, least in (
        ("input size", size, 1),
        ("kernel size", kernel_size, 1),
        ("stride", stride, 1),
        ("padding", padding, 0),
        ("dilation", dilation, 1),
    ):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise TypeError(f"{name} must be an integer; got {value!r}.")
        if value < least:
            raise ValueError(f"{name} must be at least {least}; got {value}.")
    span = dilation * (kernel_size - 1) + 1
    if span > size + 2 * padding:
        raise ValueError(
            f"the kernel spans {span} pixels (size {kernel_size}, dilation {dilation}) "
            f"but the padded input has only {size + 2 * padding} "
            f"(size {size} + 2 × padding {padding})."
        )


def _check_shapes(x, weight):
    """x is (C_in, H, W), weight (C_out, C_in, kH, kW), with the same C_in."""
    if x.dim() != 3 or weight.dim() != 4:
        raise ValueError(
            f"x must be (C_in, H, W) and weight (C_out, C_in, kH, kW); "
            f"got x {tuple(x.shape)} and weight {tuple(weight.shape)}."
        )
    if weight.shape[1] != x.shape[0]:
        raise ValueError(
            f"channels do not match: x has {x.shape[0]} input channels, "
            f"weight expects {weight.shape[1]}."
        )
