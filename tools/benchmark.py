"""Report how long each notebook, the book build and the tests take, and sizes.

    python tools/benchmark.py          # every notebook, the book build, make check
    python tools/benchmark.py --suite  # the same, then the whole test suite

Prints a Markdown table. Nothing is asserted: timings vary between machines and
runs (10-40 % on small cloud VMs), so budgets are read here, not tested.
Each notebook runs in its own process, in a fresh kernel, in an empty folder;
peak memory is the kernel's maximum resident set size. A notebook's budget (on
a 2-core machine) is its metadata field ``onebyone.budget_s``. Chapter 6's
training figure is read from the measured spread (book/reproducibility.json).
"""

import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from record import execute  # noqa: E402
from shared_code import ROOT  # noqa: E402

BOOK_BUILD_BUDGET_S = 60
CHECK_BUDGET_S = 60  # make check
SUITE_BUDGET_S = 360  # make test, warm environments
BOOK_BUDGET_MB = 15  # the built HTML
# Chapter 6's best network: its mean IoU and training time, the median over the
# seeds measured on this processor's own kernels with two threads (the spread).
FCN_EXPERIMENTS = "fcn_segmentation"  # chapter 6
FCN_TARGET = {"mean_iou_fcn2": 0.88, "seconds_fcn2": 30}


def measure_notebook(path):
    """Run one notebook in a child kernel; return seconds and peak MiB."""
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as workdir:
        execute(nb, workdir)
    seconds = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {"seconds": seconds, "peak_mib": peak_kib / 1024}


def measure_in_child(*args):
    """Measure in a fresh process, so that its children's peak memory is this one's."""
    command = [sys.executable, __file__, *args]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def measure_book_build():
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    with tempfile.TemporaryDirectory() as out:
        command = [str(jupyter_book), "build", str(ROOT), "--path-output", out]
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True)
        seconds = time.perf_counter() - start
        html = Path(out) / "_build" / "html"
        size = sum(f.stat().st_size for f in html.rglob("*") if f.is_file())
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {"seconds": seconds, "peak_mib": peak_kib / 1024, "size_mb": size / 1e6}


def fcn_training_figures():
    """Median FCN+2 mean IoU and seconds of training, from the measured spread."""
    data = json.loads((ROOT / "book" / "reproducibility.json").read_text())
    runs = [
        run["measured"]
        for run in data[FCN_EXPERIMENTS]["runs"]
        if run["kernel_set"] == "native" and run["threads"] == 2
    ]
    return {name: statistics.median(r[name] for r in runs) for name in FCN_TARGET}


def time_make(target):
    """Wall-clock seconds of ``make <target>`` (which must pass)."""
    start = time.perf_counter()
    subprocess.run(["make", target], cwd=ROOT, capture_output=True, check=True)
    return time.perf_counter() - start


def main():
    if sys.argv[1:2] == ["--notebook"]:
        print(json.dumps(measure_notebook(Path(sys.argv[2]))))
        return
    if sys.argv[1:2] == ["--book"]:
        print(json.dumps(measure_book_build()))
        return
    rows = []
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        budget = nbformat.read(path, as_version=4).metadata["onebyone"]["budget_s"]
        rows.append((path.name, measure_in_child("--notebook", str(path)), budget))
    book = measure_in_child("--book")
    rows.append(("book build (no execution)", book, BOOK_BUILD_BUDGET_S))
    print("| what | time (s) | budget (s) | peak memory (MiB) |")
    print("| --- | ---: | ---: | ---: |")
    for name, m, budget in rows:
        print(f"| {name} | {m['seconds']:.1f} | {budget} | {m['peak_mib']:.0f} |")
    print()
    print("| what | measured | target |")
    print("| --- | ---: | ---: |")
    print(f"| built HTML | {book['size_mb']:.1f} MB | ≤ {BOOK_BUDGET_MB} MB |")
    fcn = fcn_training_figures()
    print(
        f"| FCN+2, median of the seeds (two threads) | mean IoU "
        f"{fcn['mean_iou_fcn2']:.3f} in {fcn['seconds_fcn2']:.0f} s | ≥ "
        f"{FCN_TARGET['mean_iou_fcn2']} in ≤ {FCN_TARGET['seconds_fcn2']} s |"
    )
    check = time_make("check")
    print(f"| `make check` | {check:.0f} s | < {CHECK_BUDGET_S} s |")
    if "--suite" in sys.argv[1:]:
        suite = time_make("test")
        print(f"| `make test` (warm) | {suite:.0f} s | ≤ {SUITE_BUDGET_S} s |")


if __name__ == "__main__":
    main()
