"""onebyone/segmentation.py: the FCN metrics on hand-computed cases, and training."""

import pytest
import torch
from sklearn import metrics
from torch import nn

from onebyone.segmentation import (
    confusion_matrix,
    evaluate,
    predict,
    segmentation_metrics,
    train,
)


def test_confusion_matrix_counts_pairs():
    labels = torch.tensor([[0, 0], [1, 2]])
    predictions = torch.tensor([[0, 1], [1, 1]])
    expected = torch.tensor([[1, 1, 0], [0, 1, 0], [0, 1, 0]])
    assert torch.equal(confusion_matrix(predictions, labels, 3), expected)


def test_metrics_by_hand():
    # rows are the truth: class 0 has 3 pixels (2 right), class 1 has 1 (right)
    confusion = torch.tensor([[2, 1], [0, 1]])
    metrics = segmentation_metrics(confusion)
    assert metrics["pixel accuracy"] == pytest.approx(3 / 4)
    assert metrics["mean accuracy"] == pytest.approx((2 / 3 + 1) / 2)
    iou = [2 / (3 + 2 - 2), 1 / (1 + 2 - 1)]  # correct / (truth + predicted - correct)
    assert metrics["mean IoU"] == pytest.approx(sum(iou) / 2)
    assert metrics["f.w. IoU"] == pytest.approx((3 * iou[0] + 1 * iou[1]) / 4)


def test_perfect_prediction_scores_one():
    labels = torch.randint(0, 4, (3, 5, 5))
    metrics = segmentation_metrics(confusion_matrix(labels, labels, 4))
    assert all(value == pytest.approx(1.0) for value in metrics.values())


def test_absent_classes_are_left_out_of_the_means():
    confusion = torch.tensor([[5, 0, 0], [0, 5, 0], [0, 0, 0]])  # class 2 never occurs
    assert segmentation_metrics(confusion)["mean IoU"] == pytest.approx(1.0)


@pytest.mark.parametrize("seed", range(5))
def test_metrics_agree_with_scikit_learn(seed):
    """The same four numbers from a well-kept library, on random label maps.

    Class 4 is sometimes predicted but never true: it counts in the unions and
    is left out of the means, as scikit-learn does when given the true classes.
    """
    generator = torch.Generator().manual_seed(seed)
    labels = torch.randint(0, 4, (3, 9, 11), generator=generator)
    predictions = torch.where(
        torch.rand(labels.shape, generator=generator) < 0.7,
        labels,
        torch.randint(0, 5, labels.shape, generator=generator),
    )
    ours = segmentation_metrics(confusion_matrix(predictions, labels, 5))
    truth, guess = labels.flatten().numpy(), predictions.flatten().numpy()
    present = sorted(set(truth.tolist()))
    theirs = {
        "pixel accuracy": metrics.accuracy_score(truth, guess),
        "mean accuracy": metrics.recall_score(
            truth, guess, labels=present, average="macro"
        ),
        "mean IoU": metrics.jaccard_score(
            truth, guess, labels=present, average="macro"
        ),
        "f.w. IoU": metrics.jaccard_score(
            truth, guess, labels=present, average="weighted"
        ),
    }
    assert ours == pytest.approx(theirs, abs=1e-12)


def test_mismatched_shapes_are_named():
    with pytest.raises(ValueError, match="must have the same shape"):
        confusion_matrix(torch.zeros(2, 3), torch.zeros(3, 2), 2)


def test_training_lowers_the_loss_and_evaluates():
    torch.manual_seed(0)
    images = torch.rand(64, 1, 8, 8)
    labels = (images[:, 0] > 0.5).long()  # a pixelwise task a 1×1 conv can learn
    model = nn.Conv2d(1, 2, kernel_size=1)
    losses = train(model, images, labels, epochs=5, batch_size=16, max_lr=0.1, seed=0)
    assert losses[-1] < losses[0]
    assert evaluate(model, images, labels, num_classes=2)["pixel accuracy"] > 0.9


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ({"epochs": 0}, "must be positive"),
        ({"batch_size": 0}, "must be positive"),
        ({"weights": torch.ones(4, 2, 3)}, "one weight per pixel"),
    ],
)
def test_training_rejects_impossible_settings(setting, message):
    arguments = {"epochs": 1, "batch_size": 2, "max_lr": 0.1, "seed": 0, **setting}
    images, labels = torch.zeros(4, 1, 2, 2), torch.zeros(4, 2, 2).long()
    with pytest.raises(ValueError, match=message):
        train(nn.Conv2d(1, 2, 1), images, labels, **arguments)


def test_predict_labels_every_pixel_whatever_the_batch_size():
    torch.manual_seed(0)
    model = nn.Conv2d(1, 3, kernel_size=1)
    images = torch.rand(7, 1, 5, 6)
    expected = model(images).argmax(dim=1)
    for batch_size in (1, 3, 7, 100):
        predictions = predict(model, images, batch_size=batch_size)
        assert predictions.shape == (7, 5, 6)
        assert torch.equal(predictions, expected)
    assert not model.training


def test_predict_rejects_an_empty_batch():
    with pytest.raises(ValueError, match="batch_size must be positive"):
        predict(nn.Conv2d(1, 2, 1), torch.zeros(2, 1, 3, 3), batch_size=0)


def test_weights_scale_each_pixels_loss():
    """Weights of 0 on half the pixels: only the other half is learned."""
    torch.manual_seed(0)
    images = torch.rand(32, 1, 4, 4)
    labels = torch.ones(32, 4, 4, dtype=torch.int64)
    labels[:, :, :2] = 0  # left half class 0, right half class 1
    weights = torch.zeros(32, 4, 4)
    weights[:, :, 2:] = 1.0  # only the right half counts
    model = nn.Conv2d(1, 2, kernel_size=1)
    train(model, images, labels, 10, 8, 0.1, seed=0, weights=weights)
    assert (predict(model, images) == 1).all()  # it never heard of class 0
