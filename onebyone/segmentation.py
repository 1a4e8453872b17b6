"""Scoring segmentation networks with the FCN paper's four metrics; training them."""

import torch
import torch.nn.functional as F

from onebyone.checks import check_training


def confusion_matrix(predictions, labels, num_classes):
    """Counts of (true class, predicted class) pairs over all pixels."""
    if predictions.shape != labels.shape:
        raise ValueError(
            f"predictions {tuple(predictions.shape)} and labels "
            f"{tuple(labels.shape)} must have the same shape."
        )
    pairs = labels.flatten().long() * num_classes + predictions.flatten().long()
    counts = torch.bincount(pairs, minlength=num_classes * num_classes)
    return counts.reshape(num_classes, num_classes)  # rows: truth, columns: prediction


# %%
def segmentation_metrics(confusion):
    """Pixel accuracy, mean accuracy, mean IoU and frequency-weighted IoU.

    As defined in Long, Shelhamer and Darrell (2015), section 5. Classes that
    never occur in the labels are left out of the means.
    """
    confusion = confusion.double()
    correct = confusion.diag()
    per_class = confusion.sum(dim=1)  # pixels of each true class
    predicted = confusion.sum(dim=0)  # pixels predicted as each class
    present = per_class > 0
    iou = correct / (per_class + predicted - correct).clamp(min=1)
    return {
        "pixel accuracy": (correct.sum() / per_class.sum()).item(),
        "mean accuracy": (correct[present] / per_class[present]).mean().item(),
        "mean IoU": iou[present].mean().item(),
        "f.w. IoU": ((per_class * iou).sum() / per_class.sum()).item(),
    }


# %%
def predict(model, images, batch_size=100):
    """The predicted class of every pixel, (N, H, W), on the CPU.

    The model runs on its own device, in evaluation mode, a batch at a time.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be positive; got {batch_size}.")
    device = next(model.parameters()).device
    model.eval()
    with torch.no_grad():
        return torch.cat(
            [
                model(images[start : start + batch_size].to(device)).argmax(dim=1).cpu()
                for start in range(0, len(images), batch_size)
            ]
        )


def evaluate(model, images, labels, num_classes, batch_size=100):
    """The four metrics of a model on a set of scenes."""
    predictions = predict(model, images, batch_size)
    return segmentation_metrics(confusion_matrix(predictions, labels, num_classes))


# %%
def pixel_loss(scores, labels, weights=None):
    """The cross-entropy at every pixel, averaged: a classifier's loss, per pixel.

    ``scores`` (N, C, H, W) are the class scores; ``labels`` (N, H, W) the true
    class of each pixel. Each pixel's loss is -log of the softmax probability of
    its true class; ``weights`` (N, H, W), where given, multiply each pixel's loss
    (U-Net's weight map) before the mean.
    """
    loss = F.cross_entropy(scores, labels, reduction="none")  # (N, H, W)
    if weights is not None:
        loss = loss * weights
    return loss.mean()


# %%
def train(
    model,
    images,
    labels,
    epochs,
    batch_size,
    max_lr,
    seed,
    on_epoch_end=None,
    weights=None,
):
    """Train with Adam and a one-cycle schedule on the per-pixel loss; mixed
    precision on CUDA (the forward pass in float16, the loss in float32).

    Data stays in memory as tensors. ``weights``, shaped like ``labels``, weighs
    each pixel's loss (U-Net's weight map); without it every pixel counts alike.
    ``on_epoch_end(epoch)`` runs after each epoch (to record frames, say).
    Returns the mean training loss per epoch.
    """
    check_training(labels, epochs, batch_size, weights)
    device = next(model.parameters()).device
    steps_per_epoch = -(-len(images) // batch_size)
    optimizer = torch.optim.Adam(model.parameters(), lr=max_lr)
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=max_lr, epochs=epochs, steps_per_epoch=steps_per_epoch
    )
    use_amp = device.type == "cuda"  # mixed precision on a GPU
    scaler = torch.amp.GradScaler("cuda", enabled=use_amp)
    order = torch.Generator().manual_seed(seed)
    losses = []
    for epoch in range(epochs):
        model.train()
        total = 0.0
        for batch in torch.randperm(len(images), generator=order).split(batch_size):
            x, y = images[batch].to(device), labels[batch].to(device)
            w = None if weights is None else weights[batch].to(device)
            with torch.autocast(device.type, dtype=torch.float16, enabled=use_amp):
                scores = model(x)  # (N, num_classes, H, W); float16 on CUDA
            loss = pixel_loss(scores.float(), y, w)
            optimizer.zero_grad()
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()
            schedule.step()
            total += loss.item() * len(batch)
        losses.append(total / len(images))
        if on_epoch_end is not None:
            on_epoch_end(epoch)
    model.eval()
    return losses
