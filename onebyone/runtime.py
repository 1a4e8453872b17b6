"""Where the lessons run: the device and the seeds; and glue for the book."""

import random

import numpy as np
import torch

try:  # myst-nb's glue places computed numbers in the prose of the book
    from myst_nb import glue
except ImportError:  # elsewhere (Colab, plain Jupyter) the printed output says it all

    def glue(name, value, display=True):
        """Stand-in for myst_nb.glue where myst-nb is not installed."""
        return None


NUM_THREADS = 2  # fixed, so that CPU results repeat from run to run


def pick_device():
    """CUDA if present, then Apple's MPS, else the CPU."""
    if torch.cuda.is_available():
        return torch.device("cuda")
    if torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def seed_everything(seed):
    """Seed Python, NumPy and PyTorch, and fix the CPU thread count."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # seeds every CUDA device too
    torch.set_num_threads(NUM_THREADS)
