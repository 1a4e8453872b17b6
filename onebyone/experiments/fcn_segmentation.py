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
WATCHED = 3  # the test scene whose prediction we record during training
LAYOUT = torch.channels_last  # usually the faster layout for convolutions


@experiment("fcn_variants")
def run_variants(seed, device="cpu", epochs=None):
    """Fine-tune FCN+0, FCN+1 and FCN+2 from the digit classifier's body; score
    them with the four metrics, and record FCN+2's prediction for one test scene
    after every epoch."""
    train_images, train_labels, test_images, test_labels = fcn_scenes(seed)
    digit_classifier = train_digit_classifier(
        seed, device, epochs=epochs or CLASSIFIER_EPOCHS
    )
    train_x = train_images.to(device).contiguous(memory_format=LAYOUT)
    train_y = train_labels.to(device)
    models, seconds, watched = {}, {}, []

    def record_watched(epoch):
        scene = test_images[WATCHED : WATCHED + 1]
        watched.append(predict(models["FCN+2"], scene)[0])

    for name, skips in VARIANTS.items():
        torch.manual_seed(seed)
        model = copy_body(digit_classifier, FCN(NUM_CLASSES, skips))
        models[name] = model.to(device, memory_format=LAYOUT)
        start = time.perf_counter()
        train(
            models[name],
            train_x,
            train_y,
            epochs or EPOCHS,
            BATCH_SIZE,
            MAX_LR,
            seed=seed,
            on_epoch_end=record_watched if name == "FCN+2" else None,
        )
        seconds[name] = time.perf_counter() - start
    metrics = {
        name: evaluate(model, test_images, test_labels, NUM_CLASSES)
        for name, model in models.items()
    }
    measured = {}
    for name, skips in VARIANTS.items():
        measured[f"mean_iou_fcn{skips}"] = metrics[name]["mean IoU"]
        measured[f"seconds_fcn{skips}"] = seconds[name]
    return {
        "measured": measured,
        "models": models,
        "metrics": metrics,
        "seconds": seconds,
        "watched": watched,
    }


# %%
FEW_SCENES = 300  # segmented training scenes
FEW_EPOCHS = 8  # 19 steps of 16 scenes each: 152 steps in all


@experiment("few_scenes")
def run_few_scenes(seed, device="cpu", epochs=None):
    """Train FCN+2 on the first 300 training scenes, from the classifier's body and
    from scratch, on the same budget; its test mean IoU after every epoch."""
    train_images, train_labels, test_images, test_labels = fcn_scenes(seed)
    digit_classifier = train_digit_classifier(
        seed, device, epochs=epochs or CLASSIFIER_EPOCHS
    )
    few_x = train_images[:FEW_SCENES].to(device).contiguous(memory_format=LAYOUT)
    few_y = train_labels[:FEW_SCENES].to(device)
    starts = {
        "fine-tuned": lambda: copy_body(digit_classifier, FCN(NUM_CLASSES, skips=2)),
        "from scratch": lambda: FCN(NUM_CLASSES, skips=2),
    }
    curves = {}
    for start_name, make in starts.items():
        torch.manual_seed(seed)
        model = make().to(device, memory_format=LAYOUT)
        curve = curves[start_name] = []

        def score(epoch, model=model, curve=curve):
            metrics = evaluate(model, test_images, test_labels, NUM_CLASSES)
            curve.append(metrics["mean IoU"])

        train(model, few_x, few_y, epochs or FEW_EPOCHS, BATCH_SIZE, MAX_LR, seed, score)
    measured = {
        "few_fine_tuned": curves["fine-tuned"][-1],
        "few_scratch": curves["from scratch"][-1],
    }
    return {"measured": measured, "curves": curves}
