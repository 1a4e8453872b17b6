"""Chapter 4's experiments: what 1×1 convolutions save in time, and cost in accuracy."""

import copy
import statistics

import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch import nn

from onebyone.experiments import experiment
from onebyone.measure import count_flops, median_time

SIZE = 56  # the feature map of ResNet's first stage


def resnet_layers():
    """A 3×3 convolution on 256 channels, and ResNet's bottleneck beside it."""
    plain = nn.Conv2d(256, 256, kernel_size=3, padding=1, bias=False)
    bottleneck = nn.Sequential(
        nn.Conv2d(256, 64, kernel_size=1, bias=False),  # reduce: (N, 64, H, W)
        nn.Conv2d(64, 64, kernel_size=3, padding=1, bias=False),  # (N, 64, H, W)
        nn.Conv2d(64, 256, kernel_size=1, bias=False),  # expand: (N, 256, H, W)
    )
    return plain, bottleneck


# %%
def time_in_layout(model, x, layout):
    """Median time of a copy of the model, with model and input in the given layout."""
    with torch.no_grad():
        return median_time(
            copy.deepcopy(model).to(memory_format=layout), x.to(memory_format=layout)
        )


LAYOUTS = {"default": torch.contiguous_format, "channels_last": torch.channels_last}


@experiment("bottleneck_time")
def run_bottleneck_time(seed, device="cpu", epochs=None):
    """Time the 3×3 convolution and the bottleneck in each memory layout (ms)."""
    torch.manual_seed(seed)
    plain, bottleneck = (layer.to(device) for layer in resnet_layers())
    x = torch.randn(1, 256, SIZE, SIZE, device=device)  # (N, C, H, W)
    measured = {}
    for label, layout in LAYOUTS.items():
        t_plain = measured[f"plain_ms_{label}"] = 1e3 * time_in_layout(plain, x, layout)
        t_small = 1e3 * time_in_layout(bottleneck, x, layout)
        measured[f"bottleneck_ms_{label}"] = t_small
        measured[f"bottleneck_{label}"] = t_plain / t_small  # the time ratio
    return {"measured": measured}


# %%
def standard_conv(channels, kernel_size):
    return nn.Conv2d(
        channels, channels, kernel_size, padding=kernel_size // 2, bias=False
    )


def separable_conv(channels, kernel_size):
    return nn.Sequential(
        nn.Conv2d(
            channels,
            channels,
            kernel_size,
            padding=kernel_size // 2,
            groups=channels,
            bias=False,
        ),
        nn.Conv2d(channels, channels, kernel_size=1, bias=False),
    )


# %%
@experiment("separable_time")
def run_separable_time(seed, device="cpu", epochs=None):
    """Time a standard 3×3 convolution and the two halves of the separable one."""
    torch.manual_seed(seed)
    layout = torch.channels_last
    x = torch.randn(1, 256, SIZE, SIZE, device=device).to(memory_format=layout)
    standard = standard_conv(256, 3).to(device, memory_format=layout)
    separable = separable_conv(256, 3).to(device, memory_format=layout)
    with torch.no_grad():
        seconds = {
            "standard": median_time(standard, x),
            "depthwise": median_time(separable[0], x),
            "pointwise": median_time(separable[1], x),
        }
    t_separable = seconds["depthwise"] + seconds["pointwise"]
    measured = {f"{name}_ms": 1e3 * t for name, t in seconds.items()}
    measured["separable_speedup"] = seconds["standard"] / t_separable
    measured["depthwise_time_share"] = seconds["depthwise"] / t_separable
    with torch.no_grad():
        flops = {name: count_flops(layer, x) for name, layer in enumerate(separable)}
    measured["depthwise_flop_share"] = flops[0] / (flops[0] + flops[1])
    return {"measured": measured}


# %%
def jitter(images, seed, shift=1):
    """Each image moved by up to `shift` pixels in each direction; zeros fill in."""
    size = images.shape[-1]
    padded = nn.functional.pad(images, (shift, shift, shift, shift))
    corners = torch.randint(  # where each crop of the padded image starts
        0,
        2 * shift + 1,
        (len(images), 2),
        generator=torch.Generator().manual_seed(seed),
    )
    return torch.stack(
        [padded[i, :, r : r + size, c : c + size] for i, (r, c) in enumerate(corners)]
    )


# %%
WIDTH = 64  # channels of the stem and of the map the blocks pass on


def conv_bn(in_channels, out_channels, kernel_size):
    """A convolution without bias, then batch normalisation (which has its own)."""
    padding = kernel_size // 2  # keeps the 4×4 size
    conv = nn.Conv2d(
        in_channels, out_channels, kernel_size, padding=padding, bias=False
    )
    return [conv, nn.BatchNorm2d(out_channels)]


class Residual(nn.Module):
    """x + f(x), then ReLU: the block's layers learn a change to their input."""

    def __init__(self, *layers):
        super().__init__()
        self.change = nn.Sequential(*layers)

    def forward(self, x):
        return torch.relu(x + self.change(x))


# %%
def plain_block(width):
    return Residual(*conv_bn(width, width, 3))


def bottleneck_block(width, reduction=4):
    narrow = width // reduction
    return Residual(
        *conv_bn(width, narrow, 1), nn.ReLU(),  # 1×1: reduce the channels
        *conv_bn(narrow, narrow, 3), nn.ReLU(),  # 3×3 on the narrow map
        *conv_bn(narrow, width, 1),  # 1×1: expand them again
    )  # fmt: skip


# %%
def digit_network(block, head, width=WIDTH, blocks=2):
    """Stem, two residual blocks on 4×4 maps, and a head with 10 class scores."""
    layers = [*conv_bn(1, width, 3), nn.ReLU(), nn.MaxPool2d(2)]  # (N, width, 4, 4)
    layers += [block(width) for _ in range(blocks)]
    if head == "FC":
        layers += [nn.Flatten(), nn.Linear(width * 4 * 4, 10)]
    else:  # GAP: a 1×1 convolution to one map per class, then its average
        layers += [nn.Conv2d(width, 10, 1), nn.AdaptiveAvgPool2d(1), nn.Flatten()]
    return nn.Sequential(*layers)


# %%
DESIGNS = {
    "3×3 blocks, FC head": (plain_block, "FC"),
    "3×3 blocks, GAP head": (plain_block, "GAP"),
    "bottleneck blocks, FC head": (bottleneck_block, "FC"),
    "bottleneck blocks, GAP head": (bottleneck_block, "GAP"),
    "baseline, 8 channels": (plain_block, "FC", 8),  # the first, an eighth as wide
}


# %%
EPOCHS = 6
BATCH_SIZE = 128
MAX_LR = 0.01


def moved_digits(seed):
    """Chapter 2's split of the digits, every digit moved by up to a pixel."""
    digits = load_digits()
    images = torch.tensor(digits.images, dtype=torch.float32)[:, None] / 16
    labels = torch.tensor(digits.target)  # images: (N, 1, 8, 8), labels: (N,)
    train_x, test_x, train_y, test_y = train_test_split(
        images, labels, test_size=0.25, random_state=seed, stratify=labels
    )
    return jitter(train_x, seed=seed), jitter(test_x, seed=seed + 1), train_y, test_y


# %%
def test_accuracy(design, seed, data, device="cpu", epochs=EPOCHS):
    """Train one design from the given seed on the budget; its test accuracy."""
    train_x, test_x, train_y, test_y = data
    torch.manual_seed(seed)
    model = digit_network(*design).to(device)
    steps_per_epoch = -(-len(train_x) // BATCH_SIZE)
    optimizer = torch.optim.Adam(model.parameters(), lr=MAX_LR)
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=MAX_LR, epochs=epochs, steps_per_epoch=steps_per_epoch
    )
    order = torch.Generator().manual_seed(seed)
    model.train()
    for _ in range(epochs):
        for batch in torch.randperm(len(train_x), generator=order).split(BATCH_SIZE):
            x, y = train_x[batch].to(device), train_y[batch].to(device)
            loss = nn.functional.cross_entropy(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
    model.eval()
    with torch.no_grad():
        predictions = model(test_x.to(device)).argmax(dim=1).cpu()
    return (predictions == test_y).float().mean().item()


# %%
@experiment("designs")
def run_designs(seed, device="cpu", epochs=None):
    """Train every design from five seeds; their medians, and the drops in points."""
    data = moved_digits(seed)
    training_seeds = [5 * seed + k for k in range(5)]
    accuracies = {
        name: [
            test_accuracy(design, s, data, device, epochs or EPOCHS)
            for s in training_seeds
        ]
        for name, design in DESIGNS.items()
    }
    median = {name: statistics.median(values) for name, values in accuracies.items()}
    *four, baseline = DESIGNS  # the four designs, then the baseline
    drop = {name: 100 * (median[four[0]] - median[name]) for name in DESIGNS}
    keys = ("plain_fc", "plain_gap", "bottleneck_fc", "bottleneck_gap", "baseline")
    measured = {
        f"median_accuracy_{key}": median[name]
        for key, name in zip(keys, DESIGNS, strict=True)
    }
    measured["accuracy_gap_points"] = 100 * (
        max(median[n] for n in four) - min(median[n] for n in four)
    )
    measured["largest_drop_points"] = max(drop[name] for name in four[1:])
    measured["baseline_drop_points"] = drop[baseline]
    return {"measured": measured, "accuracies": accuracies, "median": median}


# %%
BATCH, C_IN, C_OUT, SIDE = 8, 256, 64, 56


def gemm_operands():
    """A 1×1 convolution and its input, and the same product as two matrices."""
    conv = nn.Conv2d(C_IN, C_OUT, kernel_size=1, bias=False)
    x = torch.randn(BATCH, C_IN, SIDE, SIDE)  # (N, C_in, H, W)
    weight = conv.weight.detach()[:, :, 0, 0]  # (C_out, C_in)
    columns = torch.randn(C_IN, BATCH * SIDE * SIDE)  # (C_in, N·H·W)
    rows = columns.T.contiguous()  # (N·H·W, C_in): the channels-last view
    return conv, x, weight, columns, rows


# %%
@experiment("gemm")
def run_gemm(seed, device="cpu", epochs=None):
    """The 1×1 convolution in both layouts and torch.mm in both orders, in GFLOP/s."""
    torch.manual_seed(seed)
    conv, x, weight, columns, rows = (t.to(device) for t in gemm_operands())
    conv_last = copy.deepcopy(conv).to(memory_format=torch.channels_last)
    with torch.no_grad():
        seconds = {
            "mm_columns": median_time(torch.mm, weight, columns),
            "mm_rows": median_time(torch.mm, rows, weight.T.contiguous()),
            "conv_default": median_time(conv, x),
            "conv_channels_last": median_time(
                conv_last, x.to(memory_format=torch.channels_last)
            ),
        }
    flops = 2 * C_OUT * C_IN * BATCH * SIDE * SIDE
    measured = {f"gflops_{name}": flops / t / 1e9 for name, t in seconds.items()}
    best_mm = max(measured["gflops_mm_columns"], measured["gflops_mm_rows"])
    for label in ("default", "channels_last"):
        measured[f"gemm_{label}"] = measured[f"gflops_conv_{label}"] / best_mm
    return {"measured": measured}
