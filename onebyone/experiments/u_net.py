"""Chapter 7's experiments: our U-Net against FCN+3 on the digit scenes, fine-tuned
from the digit classifier's body, and both from scratch on touching cells."""

import torch

from onebyone.cell_scenes import (
    NUM_CELL_CLASSES,
    make_cell_scenes,
    separated_share,
    weight_map,
)
from onebyone.classifier import CLASSIFIER_EPOCHS, copy_body, train_digit_classifier
from onebyone.digit_scenes import NUM_CLASSES, make_digit_scenes
from onebyone.experiments import experiment
from onebyone.fcn import FCN
from onebyone.segmentation import (
    confusion_matrix,
    evaluate,
    predict,
    segmentation_metrics,
    train,
)
from onebyone.unet import UNet

SCENE_SIZE = 48  # pixels, as in chapter 6


def unet_scenes(seed):
    """Chapter 6's scenes, with 1,000 training scenes, and each class's share of
    the training pixels: train_images, train_labels, test_images, test_labels,
    class_shares."""
    train_images, train_labels = make_digit_scenes(
        1000, size=SCENE_SIZE, split="train", seed=seed
    )
    test_images, test_labels = make_digit_scenes(
        500, size=SCENE_SIZE, split="test", seed=seed + 1
    )
    counts = torch.bincount(train_labels.flatten(), minlength=NUM_CLASSES)
    class_shares = counts / counts.sum()  # (NUM_CLASSES,)
    return train_images, train_labels, test_images, test_labels, class_shares


# %%
FROZEN_EPOCHS = 1  # the new layers alone, the body frozen
EPOCHS = 4  # then every layer
BATCH_SIZE = 8
FINE_TUNE_LR = 0.005  # peak learning rate on the digit scenes
LAYOUT = torch.channels_last  # usually the faster layout for convolutions


def digit_networks(digit_classifier, class_shares):
    """The three networks: {name: a function that makes it}."""
    return {
        "FCN+3": lambda: copy_body(digit_classifier, FCN(NUM_CLASSES, skips=3)),
        "U-Net": lambda: copy_body(
            digit_classifier, UNet(NUM_CLASSES, shares=class_shares)
        ),
        "U-Net from scratch": lambda: UNet(NUM_CLASSES, shares=class_shares),
    }


# %%
def train_with_curve(model, data, frozen_epochs, epochs, seed):
    """Train on the digit scenes, the body frozen for the first ``frozen_epochs``,
    then every layer for ``epochs``; return the test mean IoU after each epoch."""
    train_x, train_y, test_images, test_labels = data
    curve = []

    def score(epoch):
        curve.append(evaluate(model, test_images, test_labels, NUM_CLASSES)["mean IoU"])

    if frozen_epochs:
        model.stages.requires_grad_(False)
        lr = FINE_TUNE_LR
        train(model, train_x, train_y, frozen_epochs, BATCH_SIZE, lr, seed, score)
        model.stages.requires_grad_(True)
    train(model, train_x, train_y, epochs, BATCH_SIZE, FINE_TUNE_LR, seed + 1, score)
    return curve


# %%
def train_digit_networks(seed, device, epochs):
    """The three networks trained on the same scenes, budget and seed: the
    networks, their learning curves, and the test scenes."""
    frozen, whole = (FROZEN_EPOCHS, EPOCHS) if epochs is None else (epochs, epochs)
    train_images, train_labels, test_images, test_labels, shares = unet_scenes(seed)
    train_x = train_images.to(device).contiguous(memory_format=LAYOUT)
    data = (train_x, train_labels.to(device), test_images, test_labels)
    classifier = train_digit_classifier(
        seed, device, epochs=epochs or CLASSIFIER_EPOCHS
    )
    models, curves = {}, {}
    for name, make in digit_networks(classifier, shares).items():
        torch.manual_seed(seed)
        models[name] = make().to(device, memory_format=LAYOUT)
        scratch = name == "U-Net from scratch"  # no trained body to protect
        budget = (0, frozen + whole) if scratch else (frozen, whole)
        curves[name] = train_with_curve(models[name], data, *budget, seed)
    return models, curves, (test_images, test_labels)


# %%
KEYS = {"FCN+3": "fcn3", "U-Net": "unet", "U-Net from scratch": "unet_scratch"}


def larger_scenes(seed):
    """125 scenes of 96×96 pixels: a 4×4 grid of 24-pixel cells, 4 to 16 digits."""
    return make_digit_scenes(
        125, size=2 * SCENE_SIZE, grid=4, min_digits=4, max_digits=16,
        split="test", seed=seed + 2,
    )  # fmt: skip


@experiment("unet_digits")
def run_digits(seed, device="cpu", epochs=None):
    """The three networks trained and scored, the fine-tuned two on 96×96 too."""
    models, curves, (images, labels) = train_digit_networks(seed, device, epochs)
    big_images, big_labels = larger_scenes(seed)
    measured, metrics, big_predictions = {}, {}, {}
    for name, model in models.items():
        metrics[name] = evaluate(model, images, labels, NUM_CLASSES)
        measured[f"{KEYS[name]}_mean_iou"] = metrics[name]["mean IoU"]
        if name != "U-Net from scratch":
            big_predictions[name] = predict(model, big_images)
            big = confusion_matrix(big_predictions[name], big_labels, NUM_CLASSES)
            big_iou = segmentation_metrics(big)["mean IoU"]
            measured[f"{KEYS[name]}_mean_iou_96"] = big_iou
    results = {"models": models, "curves": curves, "metrics": metrics}
    return {"measured": measured, "big_predictions": big_predictions} | results


# %%
CELL_EPOCHS = 5
CELLS_LR = 0.01  # chapter 6's peak learning rate, for networks from scratch
CELL_NETWORKS = {
    "FCN+3": lambda: FCN(NUM_CELL_CLASSES, skips=3),
    "U-Net": lambda: UNet(NUM_CELL_CLASSES),
}


def train_on_cells(name, cell_data, seed, epochs):
    """One network trained from scratch on the cells, with the weight map in its
    loss."""
    cell_x, cell_y, cell_w = cell_data
    torch.manual_seed(seed)
    model = CELL_NETWORKS[name]().to(cell_x.device, memory_format=LAYOUT)
    train(model, cell_x, cell_y, epochs, BATCH_SIZE, CELLS_LR, seed, weights=cell_w)
    return model


# %%
@experiment("unet_cells")
def run_cells(seed, device="cpu", epochs=None):
    """Train FCN+3 and the U-Net from scratch on touching cells; count the touching
    test cells each separates, and the pixels' mean IoU."""
    cell_images, cell_labels, cells = make_cell_scenes(1000, seed=seed)
    test_images, test_labels, test_cells = make_cell_scenes(500, seed=seed + 1)
    weights = weight_map(cell_labels, cells)  # (N, H, W): the paper's equation (2)
    cell_x = cell_images.to(device).contiguous(memory_format=LAYOUT)
    cell_data = (cell_x, cell_labels.to(device), weights.to(device))
    models, predictions, measured = {}, {}, {}
    for name in CELL_NETWORKS:
        epochs_here = epochs or CELL_EPOCHS
        models[name] = train_on_cells(name, cell_data, seed, epochs_here)
        predictions[name] = predict(models[name], test_images)
        confusion = confusion_matrix(predictions[name], test_labels, NUM_CELL_CLASSES)
        pixels = segmentation_metrics(confusion)["mean IoU"]
        separated = separated_share(predictions[name], test_cells)
        measured[f"separated_{KEYS[name]}"] = separated
        measured[f"cells_mean_iou_{KEYS[name]}"] = pixels
    return {"measured": measured, "models": models, "predictions": predictions}
