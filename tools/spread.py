"""Measure how much each measured number varies, and check what the book says of it.

    python tools/spread.py                  # every chapter's experiments
    python tools/spread.py u_net            # one chapter's (its module's name)
    python tools/spread.py --held-out       # only the held-out seeds 5-9
    python tools/spread.py --table          # rewrite the table (a claim changed)
    python tools/spread.py --check          # is everything current? (the tests)

The experiments are the functions of onebyone/experiments/ (that package's
docstring says how they are declared). This tool runs each chapter's experiments,
``python -m onebyone.experiments <module> --seed <seed>``, once for every
combination of seed, CPU kernel set and thread count, in a fresh process each time
(single-thread runs go one per core side by side), and stores what they measured in
book/reproducibility.json. Kernel sets: "native" is what PyTorch and oneDNN pick for
this processor; "baseline" forces their plainest x86-64 kernels, which add numbers
in another order, as a different processor would.

Bounds are set on seeds 0-4 (20 runs). Each chapter then runs again on seeds 5-9,
on the native kernels and two threads (the recording's configuration; ``--held-out``
runs only these). ``--check`` requires, for every claim of onebyone/experiments/*.toml:

- a verdict's bound clears the spread of seeds 0-4 by a margin as wide as that
  spread: it sits at least (max - min) below the smallest value (``at_least``) or
  above the largest (``at_most``); the verdict holds on every held-out seed; and
  the notebook's recorded output shows its line;
- a claim marked ``verdict = false`` holds in every run, held-out seeds included;
- each of its sentences, filled in with the spread over every run (held-out seeds
  included), appears in the book, word for word;

and that every chapter's runs come from its current code: each entry records
tools/code_hash.py's hash of the code its experiments reach, so a change to a
training loop asks for a new spread, while a change to a figure, a colour, an
explorer, the prose or a claim does not. An interrupted measurement resumes where it
stopped (.spread-runs/<module>.jsonl, runs of other code are not reused).
"""

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from code_hash import code_hash  # noqa: E402
from record import KERNEL_OVERRIDES  # noqa: E402

from onebyone import experiments  # noqa: E402
from onebyone.experiments import chapter_claims, modules  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DATA_PATH = "book/reproducibility.json"
PAGE_PATH = "book/reproducibility.md"
PROGRESS = ".spread-runs"
TABLE_START = "<!-- spread table: written by tools/spread.py -->"
TABLE_END = "<!-- end of spread table -->"

SEEDS = range(5)
HELD_OUT_SEEDS = range(5, 10)  # never used to set a bound
HELD_OUT_CONFIG = ("native", 2)  # kernel set and threads, as the recording
KERNEL_SETS = {
    "native": {},
    "baseline": {"ATEN_CPU_CAPABILITY": "default", "ONEDNN_MAX_CPU_ISA": "SSE41"},
}
THREADS = (1, 2)


def notebook_of(module):
    return experiments.chapter_experiments(module)[0].notebook


# Running


def kernel_env(kernel_set, threads):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in (*KERNEL_OVERRIDES, "OMP_NUM_THREADS", experiments.EPOCHS_VARIABLE)
    }
    return {**env, **KERNEL_SETS[kernel_set], "OMP_NUM_THREADS": str(threads)}


def run_once(module, seed, kernel_set, threads):
    """One run of a chapter's experiments, in a fresh process in an empty folder."""
    command = [sys.executable, "-m", "onebyone.experiments", module]
    command += ["--seed", str(seed), "--device", "cpu"]
    with tempfile.TemporaryDirectory() as workdir:
        done = subprocess.run(
            command,
            env=kernel_env(kernel_set, threads),
            cwd=workdir,
            capture_output=True,
            text=True,
            check=False,
        )
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stderr[-3000:]}")
    report = json.loads(done.stdout.strip().splitlines()[-1])
    return {"seed": seed, "kernel_set": kernel_set, "threads": threads, **report}


def machine():
    model = platform.processor()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        names = re.findall(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.M)
        model = names[0] if names else model
    import torch  # only here: checking needs no torch

    return f"{model}, {os.cpu_count()} cores, torch {torch.__version__}"


def _log(module, run, what):
    print(
        f"{module}: {what}seed {run['seed']}, {run['kernel_set']} "
        f"({run['capability']}), {run['threads_used']} threads: {run['seconds']} s",
        flush=True,
    )


def measure(module, root=ROOT):
    """Every configuration of one chapter, as many at a time as the cores allow.

    Runs with t threads go cores // t at a time (at least one): more threads than
    cores would slow every run down.
    """
    version = code_hash(module, root)
    progress = root / PROGRESS / f"{module}.jsonl"
    runs = []
    if progress.exists():
        for line in progress.read_text().splitlines():
            run = json.loads(line)
            if run.pop("code") == version:
                runs.append(run)
    done = {(r["seed"], r["kernel_set"], r["threads"]) for r in runs}
    progress.parent.mkdir(exist_ok=True)
    for threads in THREADS:
        configs = [
            (seed, kernel_set)
            for seed in SEEDS
            for kernel_set in KERNEL_SETS
            if (seed, kernel_set, threads) not in done
        ]
        workers = max(1, (os.cpu_count() or 1) // threads)
        with ThreadPoolExecutor(workers) as pool:
            futures = [
                pool.submit(run_once, module, seed, kernel_set, threads)
                for seed, kernel_set in configs
            ]
            for future in as_completed(futures):
                run = future.result()
                _log(module, run, "")
                with progress.open("a") as file:
                    file.write(json.dumps({**run, "code": version}) + "\n")
                runs.append(run)
    runs.sort(key=lambda r: (r["threads"], r["seed"], r["kernel_set"]))
    return {
        "code": unchanged(module, version, root),
        "machine": machine(),
        "runs": runs,
    }


def unchanged(module, version, root=ROOT):
    """The code hash, after checking that the code did not change while it ran."""
    if code_hash(module, root) != version:
        raise RuntimeError(f"{module}: its code changed while it was measured")
    return version


def measure_held_out(module, root=ROOT):
    """The held-out seeds, one run each in the recording's configuration."""
    kernel_set, threads = HELD_OUT_CONFIG
    version, runs = code_hash(module, root), []
    for seed in HELD_OUT_SEEDS:
        run = run_once(module, seed, kernel_set, threads)
        _log(module, run, "held-out ")
        runs.append(run)
    return {
        "code": unchanged(module, version, root),
        "machine": machine(),
        "runs": runs,
    }


# Summarising


def claim_values(claim, runs):
    """The claim's value in each of the runs it speaks of (``where``)."""
    return [claim.evaluate(run["measured"]) for run in runs if claim.applies_to(run)]


def all_runs(entry):
    return entry["runs"] + entry.get("held_out", {}).get("runs", [])


def required_margin(values):
    """How far a bound must sit from the spread: the spread's own width."""
    return max(values) - min(values)


def tightest(claim, values):
    """The tightest bound that the margin rule allows on these values."""
    if claim.at_least is not None:
        return min(values) - required_margin(values)
    return max(values) + required_margin(values)


def seed_spreads(values_by_run):
    """The largest range within one seed, and the range of the seeds' medians."""
    by_seed = {}
    for seed, value in values_by_run:
        by_seed.setdefault(seed, []).append(value)
    within = max(max(v) - min(v) for v in by_seed.values())
    medians = [statistics.median(v) for v in by_seed.values()]
    return within, max(medians) - min(medians)


def fmt(value):
    return f"{value:.3g}"


def _cell(text):
    return text.replace("|", "\\|")


def render(data):
    lines = []
    for module in modules():
        entry = data.get(module)
        if entry is None:
            continue
        held = entry.get("held_out", {"runs": [], "machine": ""})
        lines += [
            "",
            f"**{{doc}}`../notebooks/{notebook_of(module)}`** "
            f"({len(entry['runs'])} runs on {entry['machine']}, and "
            f"{len(held['runs'])} on held-out seeds on {held['machine']})",
            "",
            "| claim | in the book | bound | min | median | max "
            "| margin (needed) | within a seed | across seeds | held-out seeds |",
            "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for claim in chapter_claims(module):
            values = claim_values(claim, entry["runs"])
            held_values = claim_values(claim, held["runs"])
            sentences = " / ".join(
                f"“{s}”" for s in claim.sentence_texts(values + held_values)
            )
            if claim.is_verdict:
                bound = f"{claim.statement()}: every run"
                margin = f"{fmt(claim.margin(values))} ({fmt(required_margin(values))})"
            elif claim.has_bound:
                bound = f"{claim.statement()}: every run measured, no verdict"
                margin = "—"
            else:
                bound, margin = f"{claim.says}: reported", "—"
            runs = [run for run in entry["runs"] if claim.applies_to(run)]
            within, across = seed_spreads(
                [(run["seed"], v) for run, v in zip(runs, values, strict=True)]
            )
            held_cell = (
                f"{fmt(min(held_values))} to {fmt(max(held_values))}"
                if held_values
                else "—"
            )
            middle = statistics.median(values)
            where = ", ".join(f"{key} {value}" for key, value in claim.where.items())
            lines.append(
                f"| {claim.name}{f' ({where})' if where else ''} "
                f"| {_cell(sentences)} | {_cell(bound)} "
                f"| {fmt(min(values))} | {fmt(middle)} | {fmt(max(values))} "
                f"| {margin} | {fmt(within)} | {fmt(across)} | {held_cell} |"
            )
        lines += [
            "",
            "| measured | native: min | median | max | baseline: min | median | max |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        names = sorted({name for run in entry["runs"] for name in run["measured"]})
        for name in names:
            cells = []
            for kernel_set in KERNEL_SETS:
                values = [
                    run["measured"][name]
                    for run in entry["runs"]
                    if run["kernel_set"] == kernel_set and name in run["measured"]
                ]
                cells += (
                    [fmt(min(values)), fmt(statistics.median(values)), fmt(max(values))]
                    if values
                    else ["—"] * 3
                )
            lines.append(f"| {name} | {' | '.join(cells)} |")
    return "\n".join(lines).lstrip("\n")


def write_table(data, root=ROOT):
    page = root / PAGE_PATH
    text = page.read_text()
    head, rest = text.split(TABLE_START, 1)
    _, tail = rest.split(TABLE_END, 1)
    page.write_text(f"{head}{TABLE_START}\n{render(data)}\n{TABLE_END}{tail}")


# Checking


def _normal(text):
    return " ".join(text.split())


def recorded_text(notebook_path):
    nb = nbformat.read(notebook_path, as_version=4)
    return "\n".join(
        out.get("text", "") + out.get("data", {}).get("text/plain", "")
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.outputs
    )


def book_text(root=ROOT):
    """The prose of every page: the notebooks' Markdown and the book's pages."""
    parts = []
    for path in sorted((root / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        parts += [cell.source for cell in nb.cells if cell.cell_type == "markdown"]
    parts += [path.read_text() for path in sorted((root / "book").glob("*.md"))]
    return _normal("\n".join(parts))


def claim_problems(module, entry, root=ROOT):
    """What is untrue of one chapter's claims, in words."""
    found = []
    held_runs = entry.get("held_out", {}).get("runs", [])
    recorded = recorded_text(root / "notebooks" / f"{notebook_of(module)}.ipynb")
    prose = book_text(root)
    for claim in chapter_claims(module):
        try:
            values = claim_values(claim, entry["runs"])
            held = claim_values(claim, held_runs)
        except KeyError as error:
            found.append(f"{module}: {claim.name}: {error.args[0]} (measure again)")
            continue
        if len(held_runs) < len(HELD_OUT_SEEDS):
            found.append(f"{module}: {claim.name}: no held-out seeds (--held-out)")
        if claim.is_verdict:
            if claim.margin(values) < required_margin(values):
                found.append(
                    f"{module}: {claim.name}: the bound is {fmt(claim.margin(values))} "
                    f"from the spread, which needs {fmt(required_margin(values))} "
                    f"(the tightest bound allowed: {fmt(tightest(claim, values))})"
                )
            if not all(claim.holds(v) for v in held):
                found.append(
                    f"{module}: {claim.name}: fails on a held-out seed: {held}"
                )
            line = f"{claim.statement()}: True"
            if line not in recorded:
                found.append(
                    f"{module}: no recorded line {line!r} (re-record the notebook)"
                )
        elif claim.has_bound and not all(claim.holds(v) for v in values + held):
            found.append(f"{module}: {claim.name}: does not hold in every run")
        for sentence in claim.sentence_texts(values + held):
            if _normal(sentence) not in prose:
                found.append(
                    f"{module}: {claim.name}: the book should say {sentence!r} "
                    "(its numbers come from the spread)"
                )
    return found


def problems(root=ROOT):
    """Everything that makes the table or the book's claims untrue; empty if none."""
    found = []
    path = root / DATA_PATH
    data = json.loads(path.read_text()) if path.exists() else {}
    wanted = {(s, k, t) for s in SEEDS for k in KERNEL_SETS for t in THREADS}
    for module in modules():
        entry = data.get(module)
        if entry is None:
            found.append(
                f"{module}: no spread measured (python tools/spread.py {module})"
            )
            continue
        code = code_hash(module, root)
        for part, what in ((entry, "spread"), (entry.get("held_out", {}), "held-out")):
            if part.get("code") != code:
                found.append(
                    f"{module}: its code changed since its {what} runs were measured "
                    f"(python tools/spread.py {module})"
                )
        grid = {(r["seed"], r["kernel_set"], r["threads"]) for r in entry["runs"]}
        if not wanted <= grid:
            found.append(f"{module}: runs missing for {sorted(wanted - grid)}")
        found += claim_problems(module, entry, root)
    for module in set(data) - set(modules()):
        found.append(f"{module}: in {DATA_PATH} but declares no experiment")
    page = (root / PAGE_PATH).read_text()
    if f"{TABLE_START}\n{render(data)}\n{TABLE_END}" not in page:
        found.append(f"{PAGE_PATH}: the table is out of date (--table)")
    return found


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("modules", nargs="*", help=f"of {', '.join(modules())}")
    parser.add_argument("--check", action="store_true", help="check, run nothing")
    parser.add_argument("--table", action="store_true", help="only rewrite the table")
    parser.add_argument("--held-out", action="store_true", help="only seeds 5-9")
    args = parser.parse_args()
    path = ROOT / DATA_PATH
    data = json.loads(path.read_text()) if path.exists() else {}
    unknown = set(args.modules) - set(modules())
    if unknown:
        parser.error(f"no experiments module {sorted(unknown)}")
    chosen = args.modules or modules()
    if not (args.check or args.table):
        for module in chosen:
            if not args.held_out:
                data[module] = measure(module)
            data[module]["held_out"] = measure_held_out(module)
            path.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
            write_table(data)
            (ROOT / PROGRESS / f"{module}.jsonl").unlink(missing_ok=True)
    elif args.table:
        write_table(data)
    found = problems()
    print("\n".join(found) or "the spread is current, and every claim holds")
    sys.exit(1 if found else 0)


if __name__ == "__main__":
    main()
