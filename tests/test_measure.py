"""onebyone/measure.py: parameter and FLOP counts, timing."""

import pytest
import torch
from torch import nn

from onebyone.measure import count_flops, count_parameters, median_time


def test_parameters_of_a_convolution():
    assert count_parameters(nn.Conv2d(3, 8, 3)) == 8 * 3 * 9 + 8


def test_flops_of_a_convolution_are_two_per_multiply_add():
    layer = nn.Conv2d(4, 6, kernel_size=3, padding=1, bias=False)
    assert count_flops(layer, torch.zeros(2, 4, 5, 5)) == 2 * (6 * 4 * 9) * (2 * 5 * 5)


def test_flops_need_inputs():
    with pytest.raises(ValueError, match="count_flops needs the inputs"):
        count_flops(nn.Conv2d(1, 1, 1))


def test_median_time_is_positive_and_keeps_the_thread_count():
    threads = torch.get_num_threads()
    ones = torch.ones(8, 8)
    seconds = median_time(torch.mm, ones, ones, min_run_time=0.01)
    assert 0 < seconds < 1
    assert torch.get_num_threads() == threads


def test_median_time_rejects_a_non_positive_run_time():
    with pytest.raises(ValueError, match="min_run_time must be positive"):
        median_time(torch.mm, torch.ones(1, 1), torch.ones(1, 1), min_run_time=0)
