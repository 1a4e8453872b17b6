"""onebyone/digit_scenes.py: the segmentation data of chapters 5 to 7."""

import matplotlib
import numpy as np
import pytest
import torch

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from onebyone.digit_scenes import (  # noqa: E402
    BACKGROUND,
    CLASS_COLOURS,
    INK_THRESHOLD,
    NUM_CLASSES,
    make_digit_scenes,
    show_labels,
    source_digits,
)


@pytest.fixture(scope="module")
def scenes():
    return make_digit_scenes(64, size=64, seed=3)


def test_shapes_and_types(scenes):
    images, labels = scenes
    assert images.shape == (64, 1, 64, 64) and images.dtype == torch.float32
    assert labels.shape == (64, 64, 64) and labels.dtype == torch.int64


def test_values_and_label_range(scenes):
    images, labels = scenes
    assert images.min() >= 0 and images.max() <= 1
    assert labels.min() >= 0 and labels.max() <= BACKGROUND == NUM_CLASSES - 1
    assert len(CLASS_COLOURS) == NUM_CLASSES


def test_every_scene_has_one_to_four_digits_and_mostly_background(scenes):
    _, labels = scenes
    for label_map in labels:
        assert (label_map != BACKGROUND).any()
        assert len(set(label_map.unique().tolist()) - {BACKGROUND}) <= 4
    assert 0.75 < (labels == BACKGROUND).float().mean() < 0.97


def test_ink_is_bright_and_labelled(scenes):
    images, labels = scenes
    ink = labels != BACKGROUND
    assert images[:, 0][ink].mean() > INK_THRESHOLD + 0.2
    assert images[:, 0][~ink].mean() < 0.1


def test_same_seed_same_scenes_other_seed_other_scenes():
    first, second = make_digit_scenes(8, seed=5), make_digit_scenes(8, seed=5)
    assert all(torch.equal(a, b) for a, b in zip(first, second, strict=True))
    assert not torch.equal(first[1], make_digit_scenes(8, seed=6)[1])


def test_train_and_test_draw_on_disjoint_source_digits():
    *_, train_indices = source_digits("train")
    *_, test_indices = source_digits("test")
    assert not set(train_indices) & set(test_indices)
    assert len(train_indices) + len(test_indices) == 1797


def test_other_sizes_work():
    images, labels = make_digit_scenes(4, size=48, max_digits=2)
    assert images.shape == (4, 1, 48, 48)
    assert ((labels != BACKGROUND).flatten(1).any(dim=1)).all()
    counts = [len(set(m.unique().tolist()) - {BACKGROUND}) for m in labels]
    assert max(counts) <= 2


def test_a_finer_grid_fills_a_larger_canvas_as_densely():
    """128×128 on a 4×4 grid with 4-16 digits: 2.5 per 2×2 cells, as at 64×64."""
    _, small = make_digit_scenes(400, seed=7)
    _, large = make_digit_scenes(
        100, size=128, grid=4, min_digits=4, max_digits=16, seed=7
    )
    assert large.shape == (100, 128, 128)
    ink_small = (small != BACKGROUND).float().mean().item()
    ink_large = (large != BACKGROUND).float().mean().item()
    assert abs(ink_large - ink_small) < 0.1 * ink_small


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"num_scenes": 0}, "num_scenes must be at least 1"),
        ({"num_scenes": 1, "max_digits": 5}, "max_digits <= 4"),
        ({"num_scenes": 1, "max_digits": 0}, "1 <= min_digits <= max_digits"),
        ({"num_scenes": 1, "min_digits": 3, "max_digits": 2}, "got 3 and 2"),
        ({"num_scenes": 1, "size": 128, "grid": 8}, "too small for the largest"),
        ({"num_scenes": 1, "size": 40}, "too small for the largest digit"),
        ({"num_scenes": 1, "split": "val"}, "split must be 'train' or 'test'"),
        ({"num_scenes": 1, "noise": -0.1}, "noise must be non-negative"),
    ],
)
def test_impossible_settings_say_what_is_wrong(kwargs, message):
    with pytest.raises(ValueError, match=message):
        make_digit_scenes(**kwargs)


def test_noise_free_scenes_are_exactly_the_digits():
    images, labels = make_digit_scenes(4, noise=0.0)
    ink = labels != BACKGROUND
    assert np.all(images[:, 0][ink].numpy() >= INK_THRESHOLD)


def test_show_labels_draws_in_the_class_colours(scenes):
    _, labels = scenes
    fig, ax = plt.subplots()
    show_labels(ax, labels[0], "labels")
    image = ax.get_images()[0]
    assert image.get_clim() == (0, NUM_CLASSES - 1)
    assert image.get_cmap().colors == CLASS_COLOURS
    assert ax.get_title() == "labels"
    assert not ax.axison
    plt.close(fig)


@pytest.mark.parametrize(
    ("label_map", "message"),
    [
        (torch.zeros(2, 3, 3, dtype=torch.long), "a label map is \\(H, W\\)"),
        (torch.full((3, 3), NUM_CLASSES), "class numbers 0-10; got values from 11"),
        (torch.full((3, 3), -1), "got values from -1"),
    ],
)
def test_show_labels_rejects_what_is_not_a_label_map(label_map, message):
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match=message):
        show_labels(ax, label_map)
    plt.close(fig)
