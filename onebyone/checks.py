"""Argument checks that say in words what is wrong: for onebyone/conv.py and the
training loop of onebyone/segmentation.py."""

import numbers


def check_conv_setting(size, kernel_size, stride, padding, dilation):
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


def check_conv_shapes(x, weight):
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


def check_training(labels, epochs, batch_size, weights):
    """Positive budgets, and one weight per pixel where weights are given."""
    if epochs < 1 or batch_size < 1:
        raise ValueError(
            f"epochs and batch_size must be positive; got {epochs}, {batch_size}."
        )
    if weights is not None and weights.shape != labels.shape:
        raise ValueError(
            f"weights {tuple(weights.shape)} must have the shape of the labels "
            f"{tuple(labels.shape)}: one weight per pixel."
        )
