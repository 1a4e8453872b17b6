"""Digit scenes: segmentation data made from scikit-learn's handwritten digits.

Each scene is a canvas with real handwritten digits, upscaled and placed at
random in the cells of a grid, at most one per cell (so they never overlap), plus
light noise: by default 1 to 4 digits on a 2×2 grid.
Every ink pixel is labelled with its digit (0-9), every other pixel with
BACKGROUND (10). Train and test scenes are built from disjoint source digits.
"""

import numpy as np
import torch
from matplotlib.colors import ListedColormap
from sklearn.datasets import load_digits

NUM_CLASSES = 11  # the digits 0-9 and the background
BACKGROUND = 10
GRID = 2  # digits go in the cells of a GRID × GRID grid
SCALES = (2, 3)  # each 8×8 digit is upscaled by one of these factors
INK_THRESHOLD = 0.3  # upscaled intensity (0-1) from which a pixel is ink
TEST_SHARE = 0.25  # share of the source digits kept for test scenes
SOURCE_SEED = 0  # fixes which source digits are train and which are test

# One colour per class, in every chapter: a colour-blind-safe set (Paul Tol's
# "muted" colours, then Okabe-Ito orange) for 0-9, and light gray for background.
CLASS_COLOURS = [
    "#332288", "#88ccee", "#44aa99", "#117733", "#999933",
    "#ddcc77", "#cc6677", "#882255", "#aa4499", "#e69f00",
    "#eeeeee",
]  # fmt: skip
CLASS_CMAP = ListedColormap(CLASS_COLOURS, name="digit_scenes")


def source_digits(split):
    """The 8×8 digits (intensities 0-1) and labels that a split draws from."""
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test'; got {split!r}.")
    digits = load_digits()
    order = np.random.default_rng(SOURCE_SEED).permutation(len(digits.target))
    n_test = round(len(order) * TEST_SHARE)
    chosen = order[n_test:] if split == "train" else order[:n_test]
    return digits.images[chosen] / 16.0, digits.target[chosen], chosen


def make_digit_scenes(
    num_scenes,
    size=64,
    max_digits=4,
    split="train",
    seed=0,
    noise=0.05,
    grid=GRID,
    min_digits=1,
):
    """Generate ``num_scenes`` scenes of ``size`` × ``size`` pixels.

    Each scene holds ``min_digits`` to ``max_digits`` digits (as many of each
    count), one per cell of a ``grid`` × ``grid`` grid. Returns ``images``
    (N, 1, size, size) float32 in [0, 1] and ``labels`` (N, size, size) int64
    with values 0-9 for ink and BACKGROUND elsewhere.
    """
    cell = size // grid
    largest = 8 * max(SCALES)
    if num_scenes < 1:
        raise ValueError(f"num_scenes must be at least 1; got {num_scenes}.")
    if not 1 <= min_digits <= max_digits <= grid * grid:
        raise ValueError(
            f"need 1 <= min_digits <= max_digits <= {grid * grid} (one digit per "
            f"cell of a {grid}×{grid} grid); got {min_digits} and {max_digits}."
        )
    if cell < largest:
        raise ValueError(
            f"a {size}×{size} canvas has {cell}-pixel cells, too small for the "
            f"largest digit ({largest} pixels); use size >= {grid * largest}."
        )
    if noise < 0:
        raise ValueError(f"noise must be non-negative; got {noise}.")
    digits, targets, _ = source_digits(split)
    rng = np.random.default_rng(seed)
    images = np.zeros((num_scenes, size, size), dtype=np.float32)
    labels = np.full((num_scenes, size, size), BACKGROUND, dtype=np.int64)

    # Every random choice is drawn at once, for all scenes and cells.
    counts = rng.integers(min_digits, max_digits + 1, num_scenes)
    cell_rank = rng.random((num_scenes, grid * grid)).argsort(axis=1)
    occupied = cell_rank < counts[:, None]  # (N, cells): which cells get a digit
    picks = rng.integers(0, len(targets), occupied.shape)
    scales = rng.choice(SCALES, occupied.shape)
    offsets = rng.random(occupied.shape + (2,))  # where in its cell, as a fraction

    for scale in SCALES:
        upscaled = digits.repeat(scale, axis=1).repeat(scale, axis=2)  # (D, 8s, 8s)
        span = 8 * scale
        for scene, cell_index in zip(
            *np.nonzero(occupied & (scales == scale)), strict=True
        ):
            digit = upscaled[picks[scene, cell_index]]
            top, left = divmod(cell_index, grid)
            row = top * cell + int(offsets[scene, cell_index, 0] * (cell - span + 1))
            col = left * cell + int(offsets[scene, cell_index, 1] * (cell - span + 1))
            images[scene, row : row + span, col : col + span] = digit
            ink = digit >= INK_THRESHOLD
            labels[scene, row : row + span, col : col + span][ink] = targets[
                picks[scene, cell_index]
            ]

    images += rng.normal(0, noise, images.shape).astype(np.float32)
    images = np.clip(images, 0, 1)
    return torch.from_numpy(images)[:, None], torch.from_numpy(labels)


def show_labels(ax, label_map, title=None, alpha=1.0):
    """Draw a label map on matplotlib axes, one colour per class, without ticks."""
    label_map = torch.as_tensor(label_map)
    if label_map.ndim != 2:
        raise ValueError(f"a label map is (H, W); got shape {tuple(label_map.shape)}.")
    if label_map.numel() and not 0 <= label_map.min() <= label_map.max() < NUM_CLASSES:
        raise ValueError(
            f"labels must be class numbers 0-{NUM_CLASSES - 1}; "
            f"got values from {label_map.min().item()} to {label_map.max().item()}."
        )
    ax.imshow(
        label_map.cpu().numpy(),
        cmap=CLASS_CMAP,
        vmin=0,
        vmax=NUM_CLASSES - 1,
        alpha=alpha,
        interpolation="nearest",
    )
    if title:
        ax.set_title(title, fontsize=9)
    ax.axis("off")
