"""Where the lessons run (device, seeds), and glue for the book."""

import random

import numpy as np
import torch

try:  # myst-nb's glue places computed numbers in the prose of the book
    from myst_nb import glue
except ImportError:  # elsewhere (Colab, plain Jupyter) the printed output says it all

    def glue(name, value, display=True):
        """Stand-in for myst_nb.glue where myst-nb is not installed."""
        return None


def pick_device():
    """CUDA if present, then Apple's MPS, else the CPU."""
    if torch.cuda.is_available():
        return torch.device("cuda")
    if torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def seed_everything(seed):
    """Seed Python, NumPy and PyTorch (every device)."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # seeds every CUDA device too
