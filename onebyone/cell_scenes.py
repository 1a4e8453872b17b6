"""Touching cells: the kind of problem U-Net was made for, with its weight map.

Each scene holds a few disks ("cells") of one brightness with a grainy texture,
placed at random so that many of them touch. Where two cells overlap, each pixel
belongs to the cell whose centre is nearer, so nothing in the image marks the
line between them: it has to be inferred from the cells' round shapes. As in the
U-Net paper, the pixels on both sides of that line are labelled background, so
that touching cells come out as separate objects.
"""

import numpy as np
import torch
from scipy import ndimage

CELL_BACKGROUND, CELL = 0, 1  # the two classes
NUM_CELL_CLASSES = 2
W0, SIGMA = 10.0, 5.0  # the U-Net paper's weight-map constants (pixels for SIGMA)


def make_cell_scenes(
    num_scenes,
    size=48,
    min_cells=3,
    max_cells=7,
    radii=(6, 11),
    seed=0,
    brightness=0.6,
    texture=0.15,
    noise=0.05,
):
    """Generate ``num_scenes`` scenes of ``size`` × ``size`` pixels.

    Each holds ``min_cells`` to ``max_cells`` disks with radii drawn from
    ``radii``; no cell's centre lies inside another cell. Returns ``images``
    (N, 1, size, size) float32 in [0, 1], ``labels`` (N, size, size) int64
    (CELL or CELL_BACKGROUND, with the pixels where two cells meet as
    CELL_BACKGROUND),
    and ``cells`` (N, size, size) int64: 0 outside the cells, else which cell
    (1, 2, ...) a pixel belongs to.
    """
    if num_scenes < 1:
        raise ValueError(f"num_scenes must be at least 1; got {num_scenes}.")
    if not 1 <= min_cells <= max_cells:
        raise ValueError(
            f"need 1 <= min_cells <= max_cells; got {min_cells} and {max_cells}."
        )
    if not 0 < radii[0] <= radii[1] < size / 2:
        raise ValueError(
            f"radii must satisfy 0 < smallest <= largest < size / 2 = {size / 2}; "
            f"got {radii}."
        )
    rng = np.random.default_rng(seed)
    wanted = rng.integers(min_cells, max_cells + 1, num_scenes)
    # Candidates, accepted in order while they keep clear of the cells so far.
    tries = 4 * max_cells
    candidates = rng.uniform(0, size, (num_scenes, tries, 2))
    candidate_radii = rng.uniform(*radii, (num_scenes, tries))
    centres = np.zeros((num_scenes, max_cells, 2))
    cell_radii = np.zeros((num_scenes, max_cells))
    count = np.zeros(num_scenes, dtype=int)
    scenes = np.arange(num_scenes)
    for k in range(tries):
        gaps = np.linalg.norm(centres - candidates[:, k, None], axis=-1)  # (N, cells)
        clear = gaps >= np.maximum(cell_radii, candidate_radii[:, k, None])
        clear |= np.arange(max_cells) >= count[:, None]  # empty slots
        accept = clear.all(axis=1) & (count < wanted)
        centres[scenes[accept], count[accept]] = candidates[accept, k]
        cell_radii[scenes[accept], count[accept]] = candidate_radii[accept, k]
        count += accept
    if (count < min_cells).any():
        raise ValueError(
            f"could not place {min_cells} cells on a {size}×{size} canvas; "
            "use a larger size or smaller radii."
        )

    rows, cols = np.mgrid[0:size, 0:size] + 0.5  # pixel centres
    offsets = np.stack([rows, cols])[None, None] - centres[..., None, None]
    distance = np.linalg.norm(offsets, axis=2)  # (N, cells, size, size)
    present = np.arange(max_cells)[None, :, None, None] < count[:, None, None, None]
    inside = (distance < cell_radii[..., None, None]) & present
    nearest = np.where(inside, distance, np.inf).argmin(axis=1)  # (N, size, size)
    cells = np.where(inside.any(axis=1), nearest + 1, 0)
    labels = np.where(cells > 0, CELL, CELL_BACKGROUND)
    labels[separating_pixels(cells)] = CELL_BACKGROUND

    grain = texture * rng.normal(size=cells.shape)
    images = (cells > 0) * (brightness + grain) + noise * rng.normal(size=cells.shape)
    images = np.clip(images, 0, 1).astype(np.float32)
    return (
        torch.from_numpy(images)[:, None],
        torch.from_numpy(labels.astype(np.int64)),
        torch.from_numpy(cells.astype(np.int64)),
    )


def separating_pixels(cells):
    """Where two cells meet: cell pixels with a neighbour (up, down, left or
    right) in another cell. ``cells`` is (..., H, W); returns a boolean array."""
    cells = np.asarray(cells)
    found = np.zeros(cells.shape, dtype=bool)
    for axis in (-2, -1):
        here = [slice(None)] * cells.ndim
        there = [slice(None)] * cells.ndim
        here[axis], there[axis] = slice(1, None), slice(None, -1)
        a, b = cells[tuple(here)], cells[tuple(there)]
        meet = (a > 0) & (b > 0) & (a != b)
        found[tuple(here)] |= meet
        found[tuple(there)] |= meet
    return found


def weight_map(labels, cells, w0=W0, sigma=SIGMA):
    """The U-Net paper's weight map, eq. (2): w = w_c + w0·exp(-(d1 + d2)² / 2σ²).

    w_c balances the classes: each pixel gets 1 / (number of classes × its
    class's share of the pixels), so w_c averages 1. The second term weighs the
    background between cells, as the paper's Figure 3d shows it: for a background
    pixel (the separating lines included), d1 and d2 are its distances to the
    nearest and the second-nearest cell, that is to their borders. Cell pixels get
    w_c alone, and where a scene has fewer than two cells the second term is 0.
    Returns (N, H, W) float32.
    """
    labels, cells = torch.as_tensor(labels), torch.as_tensor(cells)
    if labels.shape != cells.shape or labels.ndim != 3:
        raise ValueError(
            f"labels and cells must both be (N, H, W); got {tuple(labels.shape)} "
            f"and {tuple(cells.shape)}."
        )
    shares = torch.bincount(labels.flatten(), minlength=NUM_CELL_CLASSES)
    shares = shares.double() / labels.numel()
    class_weight = 1 / (NUM_CELL_CLASSES * shares.clamp(min=1e-12))
    separation = np.zeros(labels.shape)
    pairs = zip(labels.numpy(), cells.numpy(), strict=True)
    for index, (scene, owner) in enumerate(pairs):
        kept = [k for k in np.unique(owner) if k and (scene[owner == k] == CELL).any()]
        if len(kept) < 2:
            continue
        # distance of every pixel to each cell's pixels, after separation
        distances = np.stack(
            [
                ndimage.distance_transform_edt((owner != k) | (scene != CELL))
                for k in kept
            ]
        )
        distances.sort(axis=0)  # nearest cell first
        d1_plus_d2 = distances[0] + distances[1]
        term = w0 * np.exp(-(d1_plus_d2**2) / (2 * sigma**2))
        separation[index] = np.where(scene == CELL_BACKGROUND, term, 0.0)
    return (class_weight[labels] + torch.from_numpy(separation)).float()


def touching(cells):
    """The ids of the cells of one (H, W) scene that touch another cell."""
    cells = np.asarray(cells)
    return set(np.unique(cells[separating_pixels(cells)]).tolist())


def match_objects(prediction, cells):
    """The objects a prediction of one (H, W) scene draws, and the cell each finds.

    The objects are the connected regions of pixels predicted CELL (neighbours up,
    down, left and right). An object finds a cell when their intersection over
    union is above 0.5 and it covers at most half of every other cell: an object
    that merges two cells finds neither, whatever their sizes. No object can find
    two cells, and no cell can be found by two objects. Returns the (H, W) map of
    object ids (0 outside every object) and a dict {object id: id of the cell it
    finds, or 0}.
    """
    prediction, cells = np.asarray(prediction), np.asarray(cells)
    objects, count = ndimage.label(prediction == CELL)
    ids, sizes = np.unique(cells, return_counts=True)
    cell_size = dict(zip(ids.tolist(), sizes.tolist(), strict=True))
    found = {}
    for object_id in range(1, count + 1):
        region = objects == object_id
        inside, overlaps = np.unique(cells[region], return_counts=True)
        covered = {
            int(cell_id): overlap
            for cell_id, overlap in zip(inside, overlaps, strict=True)
            if cell_id
        }
        found[object_id] = 0
        for cell_id, overlap in covered.items():
            union = region.sum() + cell_size[cell_id] - overlap
            others = [
                covered[other] / cell_size[other]
                for other in covered
                if other != cell_id
            ]
            if overlap / union > 0.5 and all(share <= 0.5 for share in others):
                found[object_id] = cell_id
    return objects, found


def separated_share(predictions, cells, only_touching=True):
    """The share of cells that an object of the prediction finds (match_objects).

    An object that merges two cells finds neither, and a cell split into two
    halves is found by neither half; extra objects cost nothing here. A
    prediction that merges every pair of touching cells scores 0.
    ``only_touching`` counts only the cells that touch another: the ones that
    need separating.
    """
    predictions, cells = np.asarray(predictions), np.asarray(cells)
    if predictions.shape != cells.shape or cells.ndim != 3:
        raise ValueError(
            f"predictions and cells must both be (N, H, W); got "
            f"{predictions.shape} and {cells.shape}."
        )
    found = total = 0
    for prediction, owner in zip(predictions, cells, strict=True):
        counted = touching(owner) if only_touching else set(np.unique(owner)) - {0}
        _, matches = match_objects(prediction, owner)
        total += len(counted)
        found += len(counted & set(matches.values()))
    if total == 0:
        raise ValueError("no cells to count (no cell touches another).")
    return found / total
