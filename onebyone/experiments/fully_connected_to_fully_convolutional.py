"""Chapter 5's experiments: a classifier of digit crops whose fully connected head
becomes convolutions, the time of one pass against every window, and the course's
digit classifier."""

import torch
from torch import nn

from onebyone.classifier import CLASSIFIER_EPOCHS, digit_crops, train_digit_classifier
from onebyone.digit_scenes import make_digit_scenes, source_digits
from onebyone.experiments import experiment
from onebyone.experiments.channels_and_filters import train_classifier
from onebyone.measure import median_time


def centred_crops(split, seed, noise=0.05):
    """Every source digit of the split, upscaled 2× to fill a 16×16 crop, with
    light noise: (N, 1, 16, 16) and the digits (N,)."""
    digits, targets, _ = source_digits(split)
    crops = (
        torch.tensor(digits, dtype=torch.float32)
        .repeat_interleave(2, 1)
        .repeat_interleave(2, 2)
    )
    crops = crops + noise * torch.randn(
        crops.shape, generator=torch.Generator().manual_seed(seed)
    )
    return crops.clamp(0, 1)[:, None], torch.tensor(targets)


# %%
CROP = 16
MAP_STRIDE = 4  # the body's two poolings: neighbouring map positions are 4 pixels apart


def crop_classifier():
    """The body (two unpadded 3×3 convolutions with ReLU and 2×2 max pooling) and
    the fully connected head of a classifier of 16×16 crops."""
    body = nn.Sequential(
        nn.Conv2d(1, 16, kernel_size=3),  # (N, 16, 14, 14): no padding
        nn.ReLU(),
        nn.MaxPool2d(2),  # (N, 16, 7, 7)
        nn.Conv2d(16, 32, kernel_size=3),  # (N, 32, 5, 5)
        nn.ReLU(),
        nn.MaxPool2d(2),  # (N, 32, 2, 2)
    )
    fc_head = nn.Sequential(
        nn.Flatten(),  # (N, 128)
        nn.Linear(32 * 2 * 2, 64),
        nn.ReLU(),
        nn.Linear(64, 10),
    )
    return body, fc_head


# %%
EPOCHS = 15
BATCH_SIZE = 64
LEARNING_RATE = 3e-3


@experiment("crop_classifier")
def run_crop_classifier(seed, device="cpu", epochs=None):
    """Train the crop classifier from ``seed``; measure its test accuracy."""
    train_crops, train_digits = centred_crops("train", seed=seed)
    test_crops, test_digits = centred_crops("test", seed=seed + 1)
    torch.manual_seed(seed)
    body, fc_head = crop_classifier()
    classifier = train_classifier(  # chapter 2's training loop
        nn.Sequential(body, fc_head), train_crops, train_digits, seed, device,
        epochs or EPOCHS, batch_size=BATCH_SIZE, lr=LEARNING_RATE,
    )  # fmt: skip
    with torch.no_grad():
        predictions = classifier(test_crops).argmax(dim=1)
    accuracy = (predictions == test_digits).float().mean().item()
    return {"measured": {"crop_accuracy": accuracy}, "classifier": classifier}


# %%
def convolutionalize(fc_head, in_channels, map_size):
    """The convolutional twin of a Flatten-Linear-ReLU-Linear head, same weights."""
    _, fc1, relu, fc2 = fc_head
    conv1 = nn.Conv2d(in_channels, fc1.out_features, kernel_size=map_size)
    conv2 = nn.Conv2d(fc2.in_features, fc2.out_features, kernel_size=1)
    with torch.no_grad():
        # (64, 128) -> (64, 32, 2, 2), in Flatten's order: channel, row, column
        conv1.weight.copy_(fc1.weight.reshape(conv1.weight.shape))
        conv1.bias.copy_(fc1.bias)
        conv2.weight.copy_(fc2.weight[:, :, None, None])  # (10, 64) -> (10, 64, 1, 1)
        conv2.bias.copy_(fc2.bias)
    return nn.Sequential(conv1, relu, conv2)


# %%
def classify_every_window(classifier, scenes):
    """The classifier on every 16×16 window of the scenes at a stride of 4."""
    windows = scenes.unfold(2, CROP, MAP_STRIDE).unfold(3, CROP, MAP_STRIDE)
    return classifier(windows.reshape(-1, 1, CROP, CROP))


# %%
@experiment("window_time")
def run_window_time(seed, device="cpu", epochs=None):
    """Time one convolutional pass over 16 scenes of 64×64 pixels against
    classifying every window separately. The weights do not change the work, so
    the classifier is not trained."""
    torch.manual_seed(seed)
    body, fc_head = crop_classifier()
    classifier = nn.Sequential(body, fc_head).to(device)
    one_pass = nn.Sequential(body, convolutionalize(fc_head, 32, 2)).to(device)
    scenes, _ = make_digit_scenes(16, split="test", seed=seed + 1)
    scenes = scenes.to(device)  # (16, 1, 64, 64)
    with torch.no_grad():
        t_dense = median_time(one_pass, scenes)
        t_windows = median_time(classify_every_window, classifier, scenes)
    return {
        "measured": {
            "one_pass_ms": 1e3 * t_dense,
            "windows_ms": 1e3 * t_windows,
            "window_ratio": t_windows / t_dense,
        }
    }


# %%
@experiment("digit_classifier")
def run_digit_classifier(seed, device="cpu", epochs=None):
    """Train the course's digit classifier from ``seed`` (a few seconds); measure
    its accuracy on 1,000 test crops."""
    digit_classifier = train_digit_classifier(
        seed, device, epochs=epochs or CLASSIFIER_EPOCHS
    )
    crops, digits = digit_crops(1000, split="test", seed=seed + 1)
    digit_classifier = digit_classifier.cpu().eval()
    with torch.no_grad():
        predictions = digit_classifier(crops).argmax(dim=1)
    accuracy = (predictions == digits).float().mean().item()
    return {
        "measured": {"classifier_accuracy": accuracy},
        "classifier": digit_classifier,
    }
