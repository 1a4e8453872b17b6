"""onebyone/classifier.py: the course's digit classifier and its body."""

import torch

from onebyone.classifier import (
    CROP_SIZE,
    NUM_DIGITS,
    DigitClassifier,
    copy_body,
    digit_crops,
    train_digit_classifier,
)
from onebyone.digit_scenes import source_digits
from onebyone.fcn import FCN, encode


def test_crops_show_one_digit_each():
    images, digits = digit_crops(50, split="test", seed=1)
    assert images.shape == (50, 1, CROP_SIZE, CROP_SIZE)
    assert digits.shape == (50,) and digits.dtype == torch.int64
    assert digits.min() >= 0 and digits.max() < NUM_DIGITS
    assert set(digits.tolist()) <= set(source_digits("test")[1].tolist())


def test_crops_are_repeatable_and_differ_by_seed():
    first, second = digit_crops(8, seed=3), digit_crops(8, seed=3)
    assert all(torch.equal(a, b) for a, b in zip(first, second, strict=True))
    assert not torch.equal(first[0], digit_crops(8, seed=4)[0])


def test_the_head_is_pooling_then_linear():
    torch.manual_seed(0)
    model = DigitClassifier().eval()
    x = torch.rand(3, 1, 32, 40)
    deepest = encode(model.stages, x)[-1]
    expected = model.head(deepest.mean(dim=(2, 3)))
    assert model(x).shape == (3, NUM_DIGITS)
    assert torch.allclose(model(x), expected)


def test_training_learns_the_digits():
    torch.set_num_threads(1)
    model = train_digit_classifier(seed=0, num_crops=600, epochs=2)
    images, digits = digit_crops(300, split="test", seed=1)
    with torch.no_grad():
        accuracy = (model(images).argmax(dim=1) == digits).float().mean().item()
    assert accuracy > 0.5  # chance is 0.1; the book's budget reaches about 0.98
    assert not model.training


def test_copy_body_copies_weights_and_statistics_only():
    torch.manual_seed(0)
    classifier = DigitClassifier()
    for stage in classifier.stages:  # give the statistics values to copy
        stage(torch.rand(4, stage[0].in_channels, 8, 8))
    fcn = FCN(11, skips=2)
    scores_before = [p.clone() for p in fcn.scores.parameters()]
    assert copy_body(classifier, fcn) is fcn
    source, target = classifier.stages.state_dict(), fcn.stages.state_dict()
    assert source.keys() == target.keys()
    assert all(torch.equal(source[k], target[k]) for k in source)
    assert all(
        torch.equal(a, b)
        for a, b in zip(scores_before, fcn.scores.parameters(), strict=True)
    )
    target[next(iter(target))].add_(1)  # a copy, not shared storage
    assert not torch.equal(source[next(iter(source))], target[next(iter(target))])
