"""Where the lessons run (device, seeds), glue for the book, and measured results."""

import random

import numpy as np
import torch

try:  # myst-nb's glue places computed numbers in the prose of the book
    from myst_nb import glue
except ImportError:  # elsewhere (Colab, plain Jupyter) the printed output says it all

    def glue(name, value, display=True):
        """Stand-in for myst_nb.glue where myst-nb is not installed."""
        return None


# Results that depend on the machine (training, timing), by name: tools/spread.py
# reads them after running a notebook over several seeds and CPU kernel sets.
MEASURED = {}


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


def measured(name, value, text=None):
    """Keep a result that depends on the machine, and glue it into the prose.

    Training and timing results differ between processors, thread counts and
    GPUs: show them in a cell that the tests do not compare, glue them (as
    ``text``, default the value) where the prose quotes them, and check what the
    prose claims about them with ``verdict``.
    """
    MEASURED[name] = float(value)
    glue(name, value if text is None else text, display=False)


def verdict(claim, value, *, at_least=None, at_most=None, percent=False):
    """Print whether a measured value clears its bound: ``claim ≥ bound: True``.

    The value itself is not printed (it differs between machines); the verdict
    is, and the tests compare it. Bounds come from the spread of the value over
    seeds, CPU kernel sets and thread counts, in the book's reproducibility table.
    """
    if (at_least is None) == (at_most is None):
        raise ValueError(
            f"verdict {claim!r} needs exactly one bound: at_least or at_most."
        )
    side = "at_least" if at_most is None else "at_most"
    bound = at_least if at_most is None else at_most
    value = float(value)
    holds = value >= bound if side == "at_least" else value <= bound
    MEASURED[claim] = value
    sign = "≥" if side == "at_least" else "≤"
    shown = f"{100 * bound:g}%" if percent else f"{bound:g}"
    print(f"{claim} {sign} {shown}: {holds}")
