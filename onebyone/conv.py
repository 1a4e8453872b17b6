"""Convolution arithmetic and a hand-written 2-D cross-correlation."""

from onebyone.checks import check_conv_setting, check_conv_shapes


def conv_output_size(size, kernel_size, *, stride=1, padding=0, dilation=1):
    """Length of a convolution's output along one axis (PyTorch's formula)."""
    check_conv_setting(size, kernel_size, stride, padding, dilation)
    return (size + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1


# %%
def cross_correlate2d(x, weight, *, stride=1, padding=0, dilation=1):
    """Slide ``weight`` over ``x`` and sum the products: what ``conv2d`` computes.

    ``x`` has shape (C_in, H, W) and ``weight`` (C_out, C_in, kH, kW).
    """
    check_conv_shapes(x, weight)
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
