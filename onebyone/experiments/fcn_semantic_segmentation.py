"""Chapter 6's experiments: three FCNs fine-tuned from the digit classifier's body,
and FCN+2 on few segmented scenes, from that body and from scratch."""

import time

import torch

from onebyone.classifier import CLASSIFIER_EPOCHS, copy_body, train_digit_classifier
from onebyone.digit_scenes import NUM_CLASSES, make_digit_scenes
from onebyone.experiments import experiment
from onebyone.fcn import FCN
from onebyone.segmentation import evaluate, predict, train

SCENE_SIZE = 48  # pixels; chapter 5's scenes were 64×64


def fcn_scenes(seed):
    """2,000 training and 500 test scenes of 48×48 pixels: images and labels."""
    train_images, train_labels = make_digit_scenes(
        2000, size=SCENE_SIZE, split="train", seed=seed
    )
    test_images, test_labels = make_digit_scenes(
        500, size=SCENE_SIZE, split="test", seed=seed + 1
    )
    return train_images, train_labels, test_images, test_labels


# %%
VARIANTS = {"FCN+0": 0, "FCN+1": 1, "FCN+2": 2}  # name: skip connections
EPOCHS = 3
BATCH_SIZE = 16
MAX_LR = 0.01
LAYOUT = torch.channels_last  # usually the faster layout for convolutions


def fine_tune(skips, digit_classifier, train_x, train_y, seed, epochs, watched=None):
    """An FCN started from the classifier's body and trained on every layer: the
    network, its seconds of training, and its prediction for the ``watched`` scene
    after each epoch."""
    torch.manual_seed(seed)
    model = copy_body(digit_classifier, FCN(NUM_CLASSES, skips))
    model = model.to(train_x.device, memory_format=LAYOUT)
    frames = []

    def record(epoch):
        frames.append(predict(model, watched)[0])

    start = time.perf_counter()
    on_epoch_end = None if watched is None else record
    train(model, train_x, train_y, epochs, BATCH_SIZE, MAX_LR, seed, on_epoch_end)
    return model, time.perf_counter() - start, frames


# %%
WATCHED = 3  # the test scene whose prediction we record during training


@experiment("fcn_variants")
def run_variants(seed, device="cpu", epochs=None):
    """Fine-tune FCN+0, FCN+1 and FCN+2; score them with the four metrics, and keep
    FCN+2's prediction for one test scene after every epoch."""
    images, labels, test_images, test_labels = fcn_scenes(seed)
    classifier = train_digit_classifier(
        seed, device, epochs=epochs or CLASSIFIER_EPOCHS
    )
    train_x = images.to(device).contiguous(memory_format=LAYOUT)
    watched = test_images[WATCHED : WATCHED + 1]
    models, seconds, frames, measured = {}, {}, {}, {}
    for name, skips in VARIANTS.items():
        models[name], seconds[name], frames[name] = fine_tune(
            skips, classifier, train_x, labels.to(device), seed, epochs or EPOCHS,
            watched if name == "FCN+2" else None,
        )  # fmt: skip
        metrics = evaluate(models[name], test_images, test_labels, NUM_CLASSES)
        measured[f"mean_iou_fcn{skips}"] = metrics["mean IoU"]
        measured[f"seconds_fcn{skips}"] = seconds[name]
    results = {"models": models, "seconds": seconds, "watched": frames["FCN+2"]}
    return {"measured": measured, **results}


# %%
FEW_SCENES = 300  # segmented training scenes
FEW_EPOCHS = 8  # 19 steps of 16 scenes each: 152 steps in all


@experiment("few_scenes")
def run_few_scenes(seed, device="cpu", epochs=None):
    """FCN+2 on 300 scenes, from the classifier's body and from scratch: its test
    mean IoU after every epoch."""
    images, labels, test_images, test_labels = fcn_scenes(seed)
    classifier = train_digit_classifier(
        seed, device, epochs=epochs or CLASSIFIER_EPOCHS
    )
    few_x = images[:FEW_SCENES].to(device).contiguous(memory_format=LAYOUT)
    few_y, few_epochs = labels[:FEW_SCENES].to(device), epochs or FEW_EPOCHS
    curves = {"fine_tuned": [], "scratch": []}
    for start, curve in curves.items():
        torch.manual_seed(seed)
        model = FCN(NUM_CLASSES, skips=2)
        if start == "fine_tuned":
            copy_body(classifier, model)
        model = model.to(device, memory_format=LAYOUT)

        def score(epoch, model=model, curve=curve):
            metrics = evaluate(model, test_images, test_labels, NUM_CLASSES)
            curve.append(metrics["mean IoU"])

        train(model, few_x, few_y, few_epochs, BATCH_SIZE, MAX_LR, seed, score)
    measured = {f"few_{start}": curve[-1] for start, curve in curves.items()}
    return {"measured": measured, "curves": curves}
