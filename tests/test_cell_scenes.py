"""onebyone/cell_scenes.py: touching cells, the weight map, and separated cells."""

import math

import numpy as np
import pytest
import torch

from onebyone.cell_scenes import (
    CELL,
    CELL_BACKGROUND,
    SIGMA,
    W0,
    make_cell_scenes,
    match_objects,
    separated_share,
    separating_pixels,
    touching,
    weight_map,
)


@pytest.fixture(scope="module")
def scenes():
    return make_cell_scenes(40, size=48, seed=2)


def test_shapes_types_and_values(scenes):
    images, labels, cells = scenes
    assert images.shape == (40, 1, 48, 48) and images.dtype == torch.float32
    assert labels.shape == cells.shape == (40, 48, 48)
    assert images.min() >= 0 and images.max() <= 1
    assert set(labels.unique().tolist()) == {CELL_BACKGROUND, CELL}


def test_cell_counts_and_repeatability(scenes):
    counts = [len(np.unique(scene)) - 1 for scene in scenes[2].numpy()]
    assert min(counts) >= 1 and max(counts) <= 7
    again = make_cell_scenes(40, size=48, seed=2)
    assert all(torch.equal(a, b) for a, b in zip(scenes, again, strict=True))


def test_labels_are_the_cells_less_the_lines_between_them(scenes):
    _, labels, cells = scenes
    between = torch.from_numpy(separating_pixels(cells.numpy()))
    assert torch.equal(labels == CELL, (cells > 0) & ~between)
    assert between.any(), "some cells should touch"


def test_separating_pixels_by_hand():
    cells = np.array([[1, 1, 2, 2], [1, 1, 2, 0], [0, 0, 0, 0]])
    expected = np.array([[0, 1, 1, 0], [0, 1, 1, 0], [0, 0, 0, 0]], dtype=bool)
    assert np.array_equal(separating_pixels(cells), expected)
    assert touching(cells) == {1, 2}
    assert touching(np.where(cells == 2, 0, cells)) == set()


def test_weight_map_by_hand():
    # two one-pixel cells, 4 pixels apart on a row; the pixel midway is 2 from each
    labels = torch.zeros(1, 1, 9, dtype=torch.int64)
    labels[0, 0, 2] = labels[0, 0, 6] = CELL
    cells = labels.clone()
    cells[0, 0, 6] = 2
    weights = weight_map(labels, cells)
    class_weight = {CELL: 9 / (2 * 2), CELL_BACKGROUND: 9 / (2 * 7)}  # 1/(2·share)
    midway = class_weight[CELL_BACKGROUND] + W0 * math.exp(-(4**2) / (2 * SIGMA**2))
    assert weights[0, 0, 4].item() == pytest.approx(midway, rel=1e-6)
    # a cell's own pixels keep the class balance alone: the term weighs the gaps
    assert weights[0, 0, 2].item() == pytest.approx(class_weight[CELL], rel=1e-6)
    far = class_weight[CELL_BACKGROUND] + W0 * math.exp(-(8**2) / (2 * SIGMA**2))
    assert weights[0, 0, 0].item() == pytest.approx(far, rel=1e-6)  # d1 = 2, d2 = 6


def test_the_weight_map_lights_the_gaps_not_the_cells(scenes):
    """The second term sits on the background, heaviest on the lines that
    separate touching cells (as the paper's Figure 3d shows), never on a cell."""
    _, labels, cells = scenes
    weights = weight_map(labels, cells)
    background = labels == CELL_BACKGROUND
    w_c = {k: 1 / (2 * (labels == k).float().mean()) for k in (CELL, CELL_BACKGROUND)}
    assert torch.allclose(
        weights[~background], w_c[CELL].expand_as(weights[~background])
    )
    lines = torch.from_numpy(separating_pixels(cells.numpy()))
    assert weights[lines].mean() > 5 * weights[background & ~lines].mean()


def test_weight_map_is_class_balance_alone_for_one_cell():
    labels = torch.zeros(1, 4, 4, dtype=torch.int64)
    labels[0, 1:3, 1:3] = CELL
    weights = weight_map(labels, labels.clone())
    assert weights.mean().item() == pytest.approx(1.0)
    assert torch.allclose(weights[labels == CELL], torch.tensor(16 / (2 * 4)))


def test_weight_map_names_bad_shapes():
    with pytest.raises(ValueError, match="must both be"):
        weight_map(torch.zeros(2, 3, 3, dtype=torch.int64), torch.zeros(2, 3, 4))


def test_separated_share_counts_whole_objects():
    cells = np.array([[[1, 1, 1, 1, 2, 2, 2, 2, 0, 3, 3]]])  # 1 and 2 touch
    labels = np.array([[[1, 1, 1, 0, 0, 1, 1, 1, 0, 1, 1]]])  # the truth
    assert separated_share(labels, cells) == 1.0
    assert separated_share(labels, cells, only_touching=False) == 1.0
    merged = np.array([[[1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1]]])  # 1 and 2 as one
    assert separated_share(merged, cells) == 0.0
    assert separated_share(merged, cells, only_touching=False) == pytest.approx(1 / 3)
    split = np.array([[[1, 0, 1, 0, 0, 1, 1, 1, 0, 1, 1]]])  # cell 1 in two pieces
    assert separated_share(split, cells) == 0.5


def test_separated_share_of_the_truth_is_one(scenes):
    _, labels, cells = scenes
    assert separated_share(labels, cells) == 1.0


def test_a_prediction_that_merges_every_touching_pair_scores_zero(scenes):
    """The floor the chapter states: nothing separated, nothing found."""
    _, labels, cells = scenes
    assert separated_share((cells > 0).long(), cells) == 0.0


def test_impossible_settings_are_named():
    with pytest.raises(ValueError, match="min_cells <= max_cells"):
        make_cell_scenes(2, min_cells=5, max_cells=3)
    with pytest.raises(ValueError, match="radii"):
        make_cell_scenes(2, size=16, radii=(6, 11))
    with pytest.raises(ValueError, match="could not place"):
        make_cell_scenes(4, size=24, min_cells=7, max_cells=7, radii=(6, 11))
    with pytest.raises(ValueError, match="no cells to count"):
        separated_share(np.zeros((1, 2, 2)), np.array([[[1, 0], [0, 0]]]))


def test_a_merged_object_finds_neither_cell_whatever_their_sizes():
    cells = np.array([[1, 1, 1, 1, 1, 1, 2, 2]])  # a large and a small cell touch
    objects, found = match_objects(np.ones_like(cells), cells)
    # IoU 6/8 with the large cell, but the object covers the whole small one
    assert objects.max() == 1 and found == {1: 0}
    assert separated_share(np.ones_like(cells)[None], cells[None]) == 0.0
    almost = np.array([[1, 1, 1, 1, 1, 1, 1, 0]])  # a sliver of the small cell
    assert match_objects(almost, cells)[1] == {1: 1}  # half of cell 2 or less
