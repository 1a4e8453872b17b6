"""Measure how much each machine-dependent result varies, and check the bounds.

    python tools/spread.py                       # every notebook with measured results
    python tools/spread.py notebooks/06-*.ipynb  # some of them; the others keep theirs
    python tools/spread.py --table               # rewrite the table (a bound changed)
    python tools/spread.py --check               # is the table current? (the tests)
    python tools/spread.py --held-out            # only the held-out seeds 5-9

A notebook's measured results are the values it passes to ``measured`` and
``verdict`` (onebyone/runtime.py). This tool runs the notebook once for every
combination of seed (the notebook's ``SEED = 0`` line becomes ``SEED = 1``, ...),
CPU kernel set and thread count, each time in a fresh kernel in an empty folder
(single-thread runs go one per core side by side), and collects those values.
Kernel sets: "native" is what PyTorch and oneDNN pick for this processor;
"baseline" forces their plainest x86-64 kernels, which add numbers in another
order, as a different processor would. The values go to
book/reproducibility.json, and their spread, beside the bounds of the notebooks'
verdicts, to the table in book/reproducibility.md.

The table cannot go stale: each notebook's entry records a hash of the code its
runs came from (the notebook's code cells and the onebyone/ files they use, as
Python syntax: comments, docstrings, formatting, imports, cell boundaries,
self-check questions and verdicts' bounds do not count),
and ``--check`` fails once that code has changed without a new spread. Each
finished run is also appended to .spread-runs/<notebook>.jsonl with that hash, so
that an interrupted measurement resumes where it stopped (runs of other code are
not reused); the file is removed once every run is in book/reproducibility.json.

A verdict's bound must clear the spread by a margin as wide as the spread: it
sits at least (max - min) below the smallest value (``at_least``) or above the
largest (``at_most``). ``--check`` tests that, and that the table is current.

Bounds are set on seeds 0-4. Each notebook then runs again on seeds 5-9, on the
native kernels and two threads (the recording's configuration; ``--held-out`` runs
only these), and ``--check`` also requires every verdict to hold on those seeds.
The table reports each verdict's spread within a seed (the largest range over one
seed's kernel sets and thread counts) apart from its spread across seeds (the range
of the seeds' medians).
"""

import argparse
import ast
import copy
import hashlib
import json
import os
import platform
import re
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from record import KERNEL_OVERRIDES, execute  # noqa: E402
from shared_code import (  # noqa: E402
    ROOT,
    is_install_cell,
    package_imports,
    shared_cells,
)

DATA = ROOT / "book" / "reproducibility.json"
PROGRESS = ROOT / ".spread-runs"
# A single-thread run on the baseline kernels trains several times slower than
# the recording, so a training cell may take far longer than record.py allows.
CELL_TIMEOUT_S = 3 * 3600
PAGE = ROOT / "book" / "reproducibility.md"
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
SEED_LINE = re.compile(r"^SEED = \d+$", re.MULTILINE)
REPORT = "SPREAD "
REPORT_CELL = f"""import json as _json
import torch as _torch
from onebyone.runtime import MEASURED as _MEASURED
print({REPORT!r} + _json.dumps({{
    "measured": _MEASURED,
    "capability": _torch.backends.cpu.get_cpu_capability(),
    "threads_used": _torch.get_num_threads(),
}}))"""


# What a notebook declares


# The self-check questions draw a widget from a file of questions: they compute
# nothing a notebook measures, so neither their cells nor their module count.
SELF_CHECK_MODULE = "onebyone.selfcheck"


def is_self_check_cell(cell):
    """A cell that only shows questions: ``self_check(...)`` calls and nothing else."""
    try:
        body = ast.parse(cell.source).body
    except SyntaxError:
        return False
    return bool(body) and all(
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Call)
        and getattr(node.value.func, "id", "") == "self_check"
        for node in body
    )


def lesson_cells(nb):
    """The code cells a notebook writes itself: not its install cell or its
    self-check cells (they compute nothing), nor its copies of taught helpers
    (their files count instead)."""
    shared = {id(cell) for cell, _ in shared_cells(nb)}
    return [
        c
        for c in nb.cells
        if c.cell_type == "code"
        and id(c) not in shared
        and not is_install_cell(c)
        and not is_self_check_cell(c)
    ]


class _Computation(ast.NodeTransformer):
    """Drops what computes nothing: imports, docstrings, and the keywords of
    ``verdict`` calls (a bound changes no measured value; the table checks bounds
    on its own)."""

    def visit_Import(self, node):
        return None

    visit_ImportFrom = visit_Import

    def visit_Call(self, node):
        self.generic_visit(node)
        if getattr(node.func, "id", "") == "verdict":
            node.keywords = []
        return node

    def _without_docstring(self, node):
        self.generic_visit(node)
        if node.body and isinstance(node.body[0], ast.Expr):
            value = node.body[0].value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                node.body = node.body[1:] or [ast.Pass()]
        return node

    visit_Module = visit_FunctionDef = visit_AsyncFunctionDef = _without_docstring
    visit_ClassDef = _without_docstring


def _helper_modules(trees, copies):
    """The onebyone/ files a notebook uses, and those they import, sorted."""
    found, todo = set(), list(copies)
    for tree in trees:
        todo += [
            f"{node.module.replace('.', '/')}.py"
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom)
            and (node.module or "").startswith("onebyone.")
            and node.module != SELF_CHECK_MODULE
        ]
    while todo:
        relative = todo.pop()
        if relative not in found:
            found.add(relative)
            todo += package_imports(relative)
    return sorted(found)


def code_hash(path):
    """A hash of the code that a notebook's measured results come from.

    The statements of the notebook's own code cells count in order (where one
    cell ends and the next begins does not), and each file of onebyone/ that it
    uses (shown in a taught-helper cell or imported) counts once, whole. Code
    counts as its syntax tree: comments, docstrings and formatting change nothing,
    nor do imports or the bounds of ``verdict`` calls; any other change does.
    """
    nb = nbformat.read(path, as_version=4)
    copies = [relative for _, relative in shared_cells(nb)]
    lessons = [ast.parse(cell.source) for cell in lesson_cells(nb)]
    digest = hashlib.sha256()
    for relative in _helper_modules(lessons, copies):
        tree = _Computation().visit(ast.parse((ROOT / relative).read_text()))
        digest.update(f"{relative}\n{ast.dump(tree)}\n".encode())
    statements = [statement for tree in lessons for statement in tree.body]
    lesson = ast.Module(body=statements, type_ignores=[])
    digest.update(ast.dump(_Computation().visit(lesson)).encode())
    return digest.hexdigest()[:16]


def has_measured_results(path):
    nb = nbformat.read(path, as_version=4)
    return any(re.search(r"\b(measured|verdict)\(", c.source) for c in lesson_cells(nb))


def notebook_verdicts(path):
    """{claim: bound} for the notebook's ``verdict(...)`` calls, from its source.

    A bound is ``{"at_least": x}`` or ``{"at_most": x}``, with ``"percent"``.
    Claims and bounds must be written as literals, so that they can be read here.
    """
    verdicts = {}
    for cell in lesson_cells(nbformat.read(path, as_version=4)):
        for call in ast.walk(ast.parse(cell.source)):
            if not (
                isinstance(call, ast.Call) and getattr(call.func, "id", "") == "verdict"
            ):
                continue
            try:
                claim = ast.literal_eval(call.args[0])
                bound = {k.arg: ast.literal_eval(k.value) for k in call.keywords}
            except (IndexError, ValueError) as error:
                raise ValueError(
                    f"{path.name}: write a verdict's claim and bound as literals: "
                    f"{ast.unparse(call)}"
                ) from error
            verdicts[claim] = {"percent": False, **bound}
    return verdicts


# Running


def with_seed(nb, seed):
    """A copy of the notebook whose one ``SEED = ...`` line says ``seed``."""
    nb = copy.deepcopy(nb)
    cells = [c for c in lesson_cells(nb) if SEED_LINE.search(c.source)]
    if len(cells) != 1 or len(SEED_LINE.findall(cells[0].source)) != 1:
        raise ValueError("the notebook needs exactly one line `SEED = <number>`")
    cells[0].source = SEED_LINE.sub(f"SEED = {seed}", cells[0].source)
    return nb


def kernel_env(kernel_set, threads):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in (*KERNEL_OVERRIDES, "OMP_NUM_THREADS")
    }
    return {**env, **KERNEL_SETS[kernel_set], "OMP_NUM_THREADS": str(threads)}


def run_once(path, seed, kernel_set, threads):
    """Run one configuration; return what the notebook measured."""
    nb = with_seed(nbformat.read(path, as_version=4), seed)
    nb.cells.append(nbformat.v4.new_code_cell(REPORT_CELL))
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as workdir:
        execute(nb, workdir, kernel_env(kernel_set, threads), CELL_TIMEOUT_S)
    seconds = time.perf_counter() - start
    text = "".join(out.get("text", "") for out in nb.cells[-1].outputs)
    report = json.loads(text.split(REPORT, 1)[1])
    return {
        "seed": seed,
        "kernel_set": kernel_set,
        "threads": threads,
        "seconds": round(seconds, 1),
        **report,
    }


def machine():
    model = platform.processor()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        names = re.findall(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.M)
        model = names[0] if names else model
    import torch  # only here: checking the table needs no torch

    return f"{model}, {os.cpu_count()} cores, torch {torch.__version__}"


def finished_runs(path):
    """The runs of this version of the notebook kept by an interrupted measurement."""
    progress = PROGRESS / f"{path.stem}.jsonl"
    version = code_hash(path)
    runs = []
    if progress.exists():
        lines = progress.read_text().splitlines()
        runs = [r for r in map(json.loads, lines) if r.pop("notebook") == version]
    return runs, progress, version


def measure(path):
    """Every configuration of one notebook, as many at a time as the cores allow.

    Runs with t threads go cores // t at a time (at least one): more threads than
    cores would slow every run down.
    """
    runs, progress, version = finished_runs(path)
    done = {(r["seed"], r["kernel_set"], r["threads"]) for r in runs}
    PROGRESS.mkdir(exist_ok=True)
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
                pool.submit(run_once, path, seed, kernel_set, threads)
                for seed, kernel_set in configs
            ]
            for future in as_completed(futures):
                run = future.result()
                print(
                    f"{path.name}: seed {run['seed']}, {run['kernel_set']} "
                    f"({run['capability']}), {run['threads_used']} threads: "
                    f"{run['seconds']} s",
                    flush=True,
                )
                with progress.open("a") as file:
                    file.write(json.dumps({**run, "notebook": version}) + "\n")
                runs.append(run)
    runs.sort(key=lambda r: (r["threads"], r["seed"], r["kernel_set"]))
    return {"code": unchanged(path, version), "machine": machine(), "runs": runs}


def unchanged(path, version):
    """The code hash, after checking that the code did not change while it ran."""
    if code_hash(path) != version:
        raise RuntimeError(f"{path.name}: its code changed while it was measured")
    return version


def measure_held_out(path):
    """The held-out seeds, one run each in the recording's configuration."""
    kernel_set, threads = HELD_OUT_CONFIG
    version, runs = code_hash(path), []
    for seed in HELD_OUT_SEEDS:
        run = run_once(path, seed, kernel_set, threads)
        print(f"{path.name}: held-out seed {seed}: {run['seconds']} s", flush=True)
        runs.append(run)
    return {"code": unchanged(path, version), "machine": machine(), "runs": runs}


# Summarising


def values(entry, name, kernel_set=None):
    """A result's values over the runs (of one kernel set, if given)."""
    return [
        run["measured"][name]
        for run in entry["runs"]
        if name in run["measured"] and kernel_set in (None, run["kernel_set"])
    ]


def side_of(bound):
    """("at_least", "≥") or ("at_most", "≤")."""
    return ("at_least", "≥") if "at_least" in bound else ("at_most", "≤")


def required_margin(vals):
    """How far a bound must sit from the spread: the spread's own width."""
    return max(vals) - min(vals)


def margin(vals, bound):
    """How far the bound sits outside the values (negative: inside them)."""
    if "at_least" in bound:
        return min(vals) - bound["at_least"]
    return bound["at_most"] - max(vals)


def fmt(value, percent):
    return f"{100 * value:.1f}%" if percent else f"{value:.3g}"


def render(data):
    lines = []
    for name, entry in sorted(data.items()):
        lines += [
            "",
            f"**{{doc}}`../notebooks/{Path(name).stem}`** ({len(entry['runs'])} runs "
            f"on {entry['machine']}{held_out_machine(entry)})",
            "",
            "| result | verdict | min | median | max | margin (needed) "
            "| within a seed | across seeds | held-out seeds |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        verdicts = notebook_verdicts(ROOT / "notebooks" / name)
        # Only what every run measured: a result the notebook no longer reports,
        # or reported only while the runs were under way, has no spread to show.
        runs = [run["measured"] for run in entry["runs"]]
        names = [
            k
            for k in dict.fromkeys(k for r in runs for k in r)
            if all(k in r for r in runs)
        ]
        for result in sorted(n for n in names if n in verdicts):
            vals, bound = values(entry, result), verdicts[result]
            percent = bound["percent"]
            side, sign = side_of(bound)
            within, across = seed_spreads(entry, result)
            held = values(entry.get("held_out", {"runs": []}), result)
            held_cell = (
                f"{fmt(min(held), percent)} to {fmt(max(held), percent)}"
                if held
                else "—"
            )
            lines.append(
                f"| {result} | {sign} {fmt(bound[side], percent)} | "
                f"{spread_cells(vals, percent)} | {fmt(margin(vals, bound), percent)} "
                f"({fmt(required_margin(vals), percent)}) | {fmt(within, percent)} | "
                f"{fmt(across, percent)} | {held_cell} |"
            )
        reported = sorted(n for n in names if n not in verdicts)
        if reported:
            lines += [
                "",
                "| reported figure | native: min | median | max "
                "| baseline: min | median | max |",
                "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
            ]
        for result in reported:
            cells = [
                spread_cells(values(entry, result, kernel_set), percent=False)
                for kernel_set in KERNEL_SETS
            ]
            lines.append(f"| {result} | {' | '.join(cells)} |")
    return "\n".join(lines).lstrip("\n")


def held_out_machine(entry):
    held = entry.get("held_out")
    return f"; held-out seeds on {held['machine']}" if held else ""


def seed_spreads(entry, name):
    """The largest range within one seed, and the range of the seeds' medians."""
    by_seed = {}
    for run in entry["runs"]:
        by_seed.setdefault(run["seed"], []).append(run["measured"][name])
    within = max(max(v) - min(v) for v in by_seed.values())
    medians = [statistics.median(v) for v in by_seed.values()]
    return within, max(medians) - min(medians)


def holds(value, bound):
    return (
        value >= bound["at_least"] if "at_least" in bound else value <= bound["at_most"]
    )


def spread_cells(vals, percent):
    """Smallest, median and largest, as table cells."""
    middle = statistics.median(vals)
    return " | ".join(fmt(v, percent) for v in (min(vals), middle, max(vals)))


def write_table(data):
    page = PAGE.read_text()
    head, rest = page.split(TABLE_START, 1)
    _, tail = rest.split(TABLE_END, 1)
    PAGE.write_text(f"{head}{TABLE_START}\n{render(data)}\n{TABLE_END}{tail}")


# Checking


def verdict_line(claim, bound):
    """The line onebyone.runtime.verdict prints when the claim holds."""
    side, sign = side_of(bound)
    limit = bound[side]
    shown = f"{100 * limit:g}%" if bound["percent"] else f"{limit:g}"
    return f"{claim} {sign} {shown}: True"


def recorded_text(path):
    nb = nbformat.read(path, as_version=4)
    return "\n".join(
        out.get("text", "") + out.get("data", {}).get("text/plain", "")
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.outputs
    )


def problems():
    """Everything that makes the table untrue; empty when it is current."""
    found = []
    data = json.loads(DATA.read_text()) if DATA.exists() else {}
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        if has_measured_results(path) and path.name not in data:
            found.append(f"{path.name}: no spread measured (run tools/spread.py)")
    wanted = {(s, k, t) for s in SEEDS for k in KERNEL_SETS for t in THREADS}
    for name, entry in data.items():
        path = ROOT / "notebooks" / name
        if not path.exists():
            found.append(f"{name}: in the table but not in notebooks/")
            continue
        code = code_hash(path)
        for part, what in ((entry, "spread"), (entry.get("held_out", {}), "held-out")):
            if part.get("code") != code:
                found.append(
                    f"{name}: its code changed since its {what} runs were measured "
                    f"(python tools/spread.py notebooks/{name})"
                )
        grid = {(r["seed"], r["kernel_set"], r["threads"]) for r in entry["runs"]}
        if not wanted <= grid:
            found.append(f"{name}: runs missing for {sorted(wanted - grid)}")
        text = recorded_text(path)
        for claim, bound in notebook_verdicts(path).items():
            vals = values(entry, claim)
            if len(vals) < len(entry["runs"]):
                found.append(f"{name}: {claim!r} is not measured in every run")
                continue
            if verdict_line(claim, bound) not in text:
                found.append(
                    f"{name}: no recorded line {verdict_line(claim, bound)!r} "
                    "(re-record the notebook)"
                )
            held = values(entry.get("held_out", {"runs": []}), claim)
            if len(held) < len(HELD_OUT_SEEDS):
                found.append(f"{name}: {claim!r} has no held-out seeds (--held-out)")
            elif not all(holds(v, bound) for v in held):
                found.append(f"{name}: {claim!r} fails on a held-out seed: {held}")
            if margin(vals, bound) < required_margin(vals):
                found.append(
                    f"{name}: {claim!r}: the bound is {margin(vals, bound):.3g} from "
                    f"the spread, which needs {required_margin(vals):.3g}"
                )
    page = PAGE.read_text()
    if f"{TABLE_START}\n{render(data)}\n{TABLE_END}" not in page:
        found.append(f"{PAGE.relative_to(ROOT)}: the table is out of date (--table)")
    return found


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--check", action="store_true", help="check, run nothing")
    parser.add_argument("--table", action="store_true", help="only rewrite the table")
    parser.add_argument(
        "--held-out", action="store_true", help="run the held-out seeds 5-9"
    )
    args = parser.parse_args()
    data = json.loads(DATA.read_text()) if DATA.exists() else {}
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    if args.held_out:
        paths = args.notebooks or [p for p in notebooks if has_measured_results(p)]
        for path in paths:
            data[path.name]["held_out"] = measure_held_out(path.resolve())
            DATA.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
            write_table(data)
    elif not (args.check or args.table):
        paths = args.notebooks or [p for p in notebooks if has_measured_results(p)]
        for path in paths:
            data[path.name] = measure(path.resolve())
            data[path.name]["held_out"] = measure_held_out(path.resolve())
            DATA.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
            write_table(data)
            (PROGRESS / f"{path.stem}.jsonl").unlink()
    elif args.table:
        write_table(data)
    found = problems()
    print("\n".join(found) or "the table is current and every bound clears its spread")
    sys.exit(1 if found else 0)


if __name__ == "__main__":
    main()
