"""Chapter 2's experiment: a small CNN trained on scikit-learn's handwritten digits."""

import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch import nn

from onebyone.experiments import experiment

NUM_CLASSES = 10
EPOCHS = 30
BATCH_SIZE = 32
LEARNING_RATE = 0.01


def digits_split(seed):
    """The 1,797 digits scaled to [0, 1], a quarter kept aside for testing with the
    same share of each digit in both parts: train_x, test_x, train_y, test_y."""
    digits = load_digits()
    images = torch.tensor(digits.images, dtype=torch.float32)[:, None] / 16
    labels = torch.tensor(digits.target)  # images: (N, 1, 8, 8), labels: (N,)
    return train_test_split(
        images, labels, test_size=0.25, random_state=seed, stratify=labels
    )


# %%
def small_cnn():
    """Two 3×3 convolutions, each with ReLU and 2×2 max pooling, then a linear layer."""
    return nn.Sequential(
        nn.Conv2d(1, 8, kernel_size=3, padding=1),  # (N, 8, 8, 8)
        nn.ReLU(),
        nn.MaxPool2d(2),  # (N, 8, 4, 4)
        nn.Conv2d(8, 16, kernel_size=3, padding=1),  # (N, 16, 4, 4)
        nn.ReLU(),
        nn.MaxPool2d(2),  # (N, 16, 2, 2)
        nn.Flatten(),  # (N, 64)
        nn.Linear(16 * 2 * 2, NUM_CLASSES),
    )


# %%
def train_classifier(
    model, images, labels, seed, device, epochs, batch_size=BATCH_SIZE, lr=LEARNING_RATE
):
    """Adam on the cross-entropy loss, mini-batches in an order fixed by the seed."""
    model = model.to(device)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    order = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        for batch in torch.randperm(len(images), generator=order).split(batch_size):
            loss = loss_fn(model(images[batch].to(device)), labels[batch].to(device))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return model.cpu()


# %%
@experiment("small_cnn")
def run_small_cnn(seed, device="cpu", epochs=None):
    """Train the small CNN from ``seed``; measure its accuracy on the test digits."""
    train_x, test_x, train_y, test_y = digits_split(seed)
    torch.manual_seed(seed)  # the initial weights
    model = train_classifier(
        small_cnn(), train_x, train_y, seed, device, epochs or EPOCHS
    )
    with torch.no_grad():
        predictions = model(test_x).argmax(dim=1)
    accuracy = (predictions == test_y).float().mean().item()
    return {"measured": {"test_accuracy": accuracy}, "model": model}
