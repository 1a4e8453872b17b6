"""The course's digit classifier, whose body chapters 6 and 7 fine-tune.

Its body is the FCN body of onebyone/fcn.py; its head averages the deepest
feature map over all positions (global average pooling) and applies one linear
layer, as GoogLeNet's head does (Network in Network's has no linear layer: its
last convolution makes one map per class, and their averages are the scores). It
learns from single-digit crops of 24×24 pixels in a few seconds on a CPU.
"""

import torch
from torch import nn

from onebyone.digit_scenes import make_digit_scenes
from onebyone.fcn import encode, encoder
from onebyone.segmentation import train

NUM_DIGITS = 10
CROP_SIZE = 24  # room for the largest digit: 8 pixels upscaled 3×
BODY_WIDTHS = (8, 16, 32, 64)  # the FCN body's four stages
CLASSIFIER_EPOCHS = 3  # a few seconds on a CPU


class DigitClassifier(nn.Module):
    """The FCN body, global average pooling, and a linear layer to 10 digits."""

    def __init__(self, widths=BODY_WIDTHS):
        super().__init__()
        self.stages = encoder(widths)
        self.head = nn.Linear(widths[-1], NUM_DIGITS)

    def forward(self, x):
        deepest = encode(self.stages, x)[-1]  # (N, C, H/8, W/8)
        return self.head(deepest.mean(dim=(2, 3)))  # (N, NUM_DIGITS)


# %%
def digit_crops(num_crops, split="train", seed=0):
    """Crops of one digit each, (N, 1, 24, 24), and the digit they show, (N,).

    A crop is a digit scene whose grid is one 24×24 cell: one digit, upscaled 2×
    (at a random place) or 3× (filling the crop), with the scenes' noise.
    """
    images, labels = make_digit_scenes(
        num_crops, size=CROP_SIZE, grid=1, max_digits=1, split=split, seed=seed
    )
    # Every crop has ink, and the background class (10) is above every digit.
    return images, labels.flatten(start_dim=1).amin(dim=1)


def train_digit_classifier(
    seed,
    device="cpu",
    num_crops=3000,
    epochs=CLASSIFIER_EPOCHS,
    batch_size=32,
    max_lr=0.01,
):
    """A DigitClassifier trained on ``num_crops`` crops from ``seed``, in a few
    seconds; the same seed gives the same network on the same machine."""
    images, digits = digit_crops(num_crops, "train", seed)
    torch.manual_seed(seed)
    model = DigitClassifier().to(device)
    train(model, images, digits, epochs, batch_size, max_lr, seed)
    return model


# %%
def copy_body(classifier, model):
    """Start ``model``'s body (its ``stages``) from the classifier's trained body.

    The weights and the batch-normalisation statistics are copied; the rest of
    ``model`` keeps its own start. Returns ``model``.
    """
    model.stages.load_state_dict(classifier.stages.state_dict())
    return model
