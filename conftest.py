"""The CPU kernels every test runs on, whichever files pytest is given.

The notebooks' outputs are recorded with the CPU kernels PyTorch picks for the
processor (avx2 or avx512 on any recent x86-64). The tests run the notebooks on
PyTorch's generic kernels instead, which add numbers in another order: a measured
result compared as if it were exact fails here, as it would on a reader's machine.
See book/reproducibility.md. A value set in the environment takes precedence.

This file sits at the root so that it also applies to `pytest notebooks/...`.
"""

import os

os.environ.setdefault("ATEN_CPU_CAPABILITY", "default")
