"""Where the lessons run: the device and the seeds."""

import random

import numpy as np
import torch

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
