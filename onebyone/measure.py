"""Counting and timing: parameters, FLOPs and median run time."""

import torch
from torch.utils import benchmark
from torch.utils.flop_counter import FlopCounterMode

MIN_RUN_TIME_S = 0.3  # per measurement; torch.utils.benchmark repeats until then


def count_parameters(model):
    """Number of values in the model's parameters (weights and biases)."""
    return sum(p.numel() for p in model.parameters())


def count_flops(model, *inputs):
    """FLOPs of one forward pass, as FlopCounterMode counts them.

    Convolutions and matrix products only; a multiply-add counts as two.
    """
    if not inputs:
        raise ValueError("count_flops needs the inputs: count_flops(model, x).")
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        model(*inputs)
    return counter.get_total_flops()


def median_time(fn, *inputs, min_run_time=MIN_RUN_TIME_S):
    """Median seconds per call of ``fn(*inputs)``, after warm-up.

    torch.utils.benchmark synchronises CUDA around each measurement and, unless
    told otherwise, times on one thread: we pass the current thread count.
    """
    if min_run_time <= 0:
        raise ValueError(f"min_run_time must be positive; got {min_run_time}.")
    timer = benchmark.Timer(
        stmt="fn(*inputs)",
        globals={"fn": fn, "inputs": inputs},
        num_threads=torch.get_num_threads(),
    )
    return timer.blocked_autorange(min_run_time=min_run_time).median
