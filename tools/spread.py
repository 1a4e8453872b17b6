"""Measure how much each measured number varies, and check what the book says of it.

    python tools/spread.py              # every chapter's spread (hours; resumes)
    python tools/spread.py u_net        # one chapter's (its module's name)
    python tools/spread.py --verify     # the code changed: the same numbers? (minutes)
    python tools/spread.py --table      # rewrite the table (a claim changed)
    python tools/spread.py --check      # is everything current? (the tests)

book/reproducibility.md says what is run and checked, and why.
"""

import argparse
import io
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from code_hash import PACKAGE, code_hash  # noqa: E402

from onebyone.experiments import (  # noqa: E402
    EPOCHS_VARIABLE,
    chapter_claims,
    chapter_experiments,
)
from onebyone.experiments import modules as all_modules  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DATA_PATH, PAGE_PATH = "book/reproducibility.json", "book/reproducibility.md"
TABLE_START = "<!-- spread table: written by tools/spread.py -->"
TABLE_END = "<!-- end of spread table -->"
SEEDS, THREADS = range(5), (1, 2)
HELD_OUT_SEEDS = range(5, 10)  # never used to set a bound
HELD_OUT_CONFIG = ("native", 2)  # kernel set and threads, as the recording
VERIFY_CONFIG = (0, "native", 1)  # seed, kernel set, threads: one run per core
KERNEL_SETS = {
    "native": {},  # what PyTorch and oneDNN pick for this processor
    "baseline": {"ATEN_CPU_CAPABILITY": "default", "ONEDNN_MAX_CPU_ISA": "SSE41"},
}


def notebook_of(module, root=ROOT):
    """A chapter's notebook: 07-u-net.ipynb for the module u_net."""
    [path] = (root / "notebooks").glob(f"[0-9][0-9]-{module.replace('_', '-')}.ipynb")
    return path


def modules(root=ROOT):
    """The chapters whose experiments draw claims, in the order of their notebooks."""
    found = [m for m in all_modules() if chapter_claims(m)]
    return sorted(found, key=lambda module: notebook_of(module, root).name)


def load(root=ROOT):
    path = root / DATA_PATH
    return json.loads(path.read_text()) if path.exists() else {}


def save(data, root=ROOT):
    (root / DATA_PATH).write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
    write_table(data, root)


def accepted_codes(entry):
    """The code the runs were measured with, and code shown to give its results."""
    return {entry.get("code")} | {s["code"] for s in entry.get("same_results", [])}


# Running


def kernel_env(kernel_set, threads):
    """This environment, with a run's kernel set and threads, full budgets."""
    dropped = (*KERNEL_SETS["baseline"], "OMP_NUM_THREADS", EPOCHS_VARIABLE)
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    return env | KERNEL_SETS[kernel_set] | {"OMP_NUM_THREADS": str(threads)}


def run_once(module, seed, kernel_set, threads, code=None):
    """One run in a fresh process, in ``code`` (a folder with a copy of the
    package, which Python then imports) or else in an empty folder."""
    command = [sys.executable, "-m", "onebyone.experiments", module]
    command += ["--seed", str(seed), "--device", "cpu"]
    with tempfile.TemporaryDirectory() as empty:
        env, cwd = kernel_env(kernel_set, threads), code or empty
        done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stderr[-3000:]}")
    run = {"seed": seed, "kernel_set": kernel_set, "threads": threads}
    run |= json.loads(done.stdout.strip().splitlines()[-1])
    print(f"{module}: seed {seed}, {kernel_set} ({run['capability']}), ", end="")
    print(f"{run['threads_used']} threads: {run['seconds']} s", flush=True)
    return run


def machine():
    cpuinfo = Path("/proc/cpuinfo")
    names = re.findall(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.M)
    import torch  # only here: checking needs no torch

    model = names[0] if names else platform.processor()
    return f"{model}, {os.cpu_count()} cores, torch {torch.__version__}"


def measure(module):
    """Every seed, kernel set and thread count of one chapter, as many runs at a
    time as the cores allow, resuming where an interrupted measurement stopped;
    then the held-out seeds."""
    version = code_hash(module)
    progress = ROOT / ".spread-runs" / f"{module}.jsonl"
    progress.parent.mkdir(exist_ok=True)
    lines = progress.read_text().splitlines() if progress.exists() else []
    runs = [run for run in map(json.loads, lines) if run.pop("code") == version]
    done = {(r["seed"], r["kernel_set"], r["threads"]) for r in runs}
    for threads in THREADS:
        todo = [(s, k, threads) for s in SEEDS for k in KERNEL_SETS]
        todo = [config for config in todo if config not in done]
        with ThreadPoolExecutor(max(1, (os.cpu_count() or 1) // threads)) as pool:
            futures = [pool.submit(run_once, module, *config) for config in todo]
            for future in as_completed(futures):
                runs.append(future.result())
                with progress.open("a") as file:
                    file.write(json.dumps(runs[-1] | {"code": version}) + "\n")
    held = [run_once(module, seed, *HELD_OUT_CONFIG) for seed in HELD_OUT_SEEDS]
    if code_hash(module) != version:
        raise RuntimeError(f"{module}: its code changed while it was measured")
    data = load()
    data[module] = {
        "code": version,
        "machine": machine(),
        "runs": sorted(runs, key=lambda r: (r["threads"], r["seed"], r["kernel_set"])),
        "held_out": {"machine": machine(), "runs": held},
    }
    save(data)
    progress.unlink()


# Verifying that changed code gives the same results


def git(*args, root=ROOT):
    return subprocess.run(["git", *args], cwd=root, capture_output=True, check=True)


def reference_tree(module, accepted, target, root=ROOT):
    """Export into ``target`` the package of the last commit whose code for
    ``module`` has an accepted hash; return the commit."""
    for commit in git("log", "--format=%H", "--", PACKAGE, root=root).stdout.split():
        shutil.rmtree(target, ignore_errors=True)
        archive = git("archive", commit.decode(), PACKAGE, root=root).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as files:
            files.extractall(target, filter="data")
        try:
            if code_hash(module, target) in accepted:
                return commit.decode()
        except (FileNotFoundError, ValueError):  # the module did not exist then
            pass
    raise SystemExit(f"{module}: no commit holds the code its spread was measured with")


def verify(module, root=ROOT):
    """Whether the current code gives the measured code's numbers, and if it does,
    record it."""
    data = load(root)
    entry, current = data[module], code_hash(module, root)
    if current in accepted_codes(entry):
        print(f"{module}: its runs come from its current code")
        return True
    with tempfile.TemporaryDirectory() as tmp:
        old, new = Path(tmp) / "measured", Path(tmp) / "current"
        commit = reference_tree(module, accepted_codes(entry), old, root)
        shutil.copytree(root / PACKAGE, new / PACKAGE)
        print(
            f"{module}: the code of {commit[:12]} and the working tree's, side by side"
        )
        with ThreadPoolExecutor(2) as pool:
            before, after = pool.map(
                lambda code: run_once(module, *VERIFY_CONFIG, code=code), (old, new)
            )
    if code_hash(module, root) != current:
        raise RuntimeError(f"{module}: its code changed while it was verified")
    timings = {name for spec in chapter_experiments(module) for name in spec.timings}
    if not timings <= set(after["measured"]):
        raise SystemExit(f"{module}: timings {sorted(timings)}: not all measured")
    # Every number the current code measures; one it no longer measures is no
    # change of results (a claim that needs it stops here, naming the number).
    names = sorted(set(after["measured"]) - timings)
    differ = [n for n in names if before["measured"].get(n) != after["measured"].get(n)]
    failing = [
        claim.name
        for claim in chapter_claims(module)
        if claim.has_bound and claim.applies_to(after)
        and not claim.holds(claim.evaluate(after["measured"]))
    ]  # fmt: skip
    if differ or failing:
        print(f"{module}: other results (differ: {differ}; failing: {failing}):")
        print(f"  measure the spread again (python tools/spread.py {module})")
        return False
    seed, kernel_set, threads = VERIFY_CONFIG
    entry.setdefault("same_results", []).append(
        {"code": current, "seed": seed, "kernel_set": kernel_set, "threads": threads,
         "compared": len(names), "machine": machine()}
    )  # fmt: skip
    save(data, root)
    print(f"{module}: the same {len(names)} numbers: its spread stands")
    return True


# Summarising


def claim_values(claim, runs):
    """The claim's value in each of the runs it speaks of (``where``)."""
    return [claim.evaluate(run["measured"]) for run in runs if claim.applies_to(run)]


def seed_count(claim, entry):
    """How many seeds the runs a claim speaks of come from, held-out ones included."""
    runs = entry["runs"] + entry.get("held_out", {}).get("runs", [])
    return len({run["seed"] for run in runs if claim.applies_to(run)})


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
    medians = [statistics.median(v) for v in by_seed.values()]
    return max(max(v) - min(v) for v in by_seed.values()), max(medians) - min(medians)


def fmt(*values):
    return [f"{value:.3g}" for value in values]


def spread_of(values):
    return fmt(min(values), statistics.median(values), max(values))


def heading(module, entry, root):
    held = entry.get("held_out", {"runs": [], "machine": ""})
    text = (
        f"**{{doc}}`../notebooks/{notebook_of(module, root).stem}`** "
        f"({len(entry['runs'])} runs on {entry['machine']}, and {len(held['runs'])} "
        f"on held-out seeds on {held['machine']}; code `{entry['code']}`"
    )
    for same in entry.get("same_results", []):
        threads = same["threads"]
        text += (
            f"; code `{same['code']}` gave the same {same['compared']} numbers on "
            f"seed {same['seed']}, {same['kernel_set']} kernels, {threads} "
            f"thread{'s' * (threads != 1)}, on {same['machine']}"
        )
    return text + ")"


def claim_row(claim, entry):
    values = claim_values(claim, entry["runs"])
    held = claim_values(claim, entry.get("held_out", {}).get("runs", []))
    seeds = seed_count(claim, entry)
    quoted = claim.quoted_texts(values + held, seeds).items()
    sentences = [f"“{s}”" for s in claim.sentence_texts(values + held, seeds)]
    sentences += [f"“{s}” ({{doc}}`{page}`)" for page, texts in quoted for s in texts]
    margin = "—"
    if claim.is_verdict:
        bound = f"{claim.statement()}: every run"
        margin = "{} ({})".format(*fmt(claim.margin(values), required_margin(values)))
    elif claim.has_bound:
        bound = f"{claim.statement()}: every run measured, no verdict"
    else:
        bound = f"{claim.says}: reported"
    runs = [run for run in entry["runs"] if claim.applies_to(run)]
    spreads = seed_spreads([(r["seed"], v) for r, v in zip(runs, values, strict=True)])
    where = ", ".join(f"{key} {value}" for key, value in claim.where.items())
    cells = [
        claim.name + (f" ({where})" if where else ""),
        " / ".join(sentences),
        bound,
        *spread_of(values),
        margin,
        *fmt(*spreads),
        "{} to {}".format(*fmt(min(held), max(held))) if held else "—",
    ]
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"


def render(data, root=ROOT):
    lines = []
    for module in [m for m in modules(root) if m in data]:
        entry = data[module]
        lines += [
            "",
            heading(module, entry, root),
            "",
            "| claim | in the book | bound | min | median | max "
            "| margin (needed) | within a seed | across seeds | held-out seeds |",
            "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
            *[claim_row(claim, entry) for claim in chapter_claims(module)],
            "",
            "| measured | native: min | median | max | baseline: min | median | max |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for name in sorted({name for run in entry["runs"] for name in run["measured"]}):
            cells = []
            for kernel_set in KERNEL_SETS:
                runs = [run for run in entry["runs"] if run["kernel_set"] == kernel_set]
                values = [
                    run["measured"][name] for run in runs if name in run["measured"]
                ]
                cells += spread_of(values) if values else ["—"] * 3
            lines.append(f"| {name} | {' | '.join(cells)} |")
    return "\n".join(lines).lstrip("\n")


def write_table(data, root=ROOT):
    page = root / PAGE_PATH
    head, rest = page.read_text().split(TABLE_START, 1)
    tail = rest.split(TABLE_END, 1)[1]
    page.write_text(f"{head}{TABLE_START}\n{render(data, root)}\n{TABLE_END}{tail}")


# Checking


def _normal(text):
    return " ".join(text.split())


def chapter_texts(notebook):
    """A chapter's prose, and the text its recorded cells printed."""
    cells = nbformat.read(notebook, as_version=4).cells
    prose = [c.source for c in cells if c.cell_type == "markdown"]
    printed = [
        out.get("text", "") + out.get("data", {}).get("text/plain", "")
        for cell in cells
        for out in cell.get("outputs", [])
    ]
    return _normal("\n".join(prose)), "\n".join(printed)


def claim_problems(module, entry, root=ROOT):
    """What is untrue of one chapter's claims, in words."""
    found, held_runs = [], entry.get("held_out", {}).get("runs", [])
    chapter = notebook_of(module, root)
    prose, printed = chapter_texts(chapter)
    if len(held_runs) < len(HELD_OUT_SEEDS):
        found.append(f"{module}: no held-out seeds (measure its spread again)")
    for claim in chapter_claims(module):
        name = f"{module}: {claim.name}"
        try:
            values, held = (claim_values(claim, r) for r in (entry["runs"], held_runs))
        except KeyError as error:
            found.append(f"{name}: {error.args[0]} (measure again)")
            continue
        if claim.is_verdict:
            if claim.margin(values) < required_margin(values):
                found.append(
                    "{}: the bound is {} from the spread, which needs {} (the "
                    "tightest bound allowed: {})".format(
                        name, *fmt(claim.margin(values), required_margin(values)),
                        *fmt(tightest(claim, values)),
                    )
                )  # fmt: skip
            if not all(map(claim.holds, held)):
                found.append(f"{name}: fails on a held-out seed: {held}")
            if f"{claim.statement()}: True" not in printed:
                found.append(f"{name}: no recorded line {claim.statement()!r}: True "
                             "(re-record the notebook)")  # fmt: skip
        elif claim.has_bound and not all(map(claim.holds, values + held)):
            found.append(f"{name}: does not hold in every run")
        seeds = seed_count(claim, entry)
        wanted = {chapter: claim.sentence_texts(values + held, seeds)}
        for page, sentences in claim.quoted_texts(values + held, seeds).items():
            wanted[root / "book" / f"{page}.md"] = sentences
        for path, sentences in wanted.items():
            text = prose if path == chapter else _normal(path.read_text())
            found += [
                f"{name}: {path.name} should say {sentence!r} (its numbers come "
                "from the spread)"
                for sentence in sentences
                if _normal(sentence) not in text
            ]
    return found


def problems(root=ROOT):
    """Everything that makes the table or the book's claims untrue; empty if none."""
    found, data = [], load(root)
    grid = {(s, k, t) for s in SEEDS for k in KERNEL_SETS for t in THREADS}
    for module in modules(root):
        entry = data.get(module)
        if entry is None:
            found.append(f"{module}: no spread measured (tools/spread.py {module})")
            continue
        if code_hash(module, root) not in accepted_codes(entry):
            found.append(
                f"{module}: its code changed since its runs: `make verify` shows in "
                "minutes whether its results did; if they did, measure its spread"
            )
        missing = grid - {
            (r["seed"], r["kernel_set"], r["threads"]) for r in entry["runs"]
        }
        if missing:
            found.append(f"{module}: runs missing for {sorted(missing)}")
        found += claim_problems(module, entry, root)
    found += [
        f"{m}: in {DATA_PATH}, but draws no claim"
        for m in set(data) - set(modules(root))
    ]
    if (
        f"{TABLE_START}\n{render(data, root)}\n{TABLE_END}"
        not in (root / PAGE_PATH).read_text()
    ):
        found.append(f"{PAGE_PATH}: the table is out of date (--table)")
    return found


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("modules", nargs="*", help=f"of {', '.join(modules())}")
    what = parser.add_mutually_exclusive_group()
    what.add_argument("--check", action="store_true", help="check, run nothing")
    what.add_argument("--table", action="store_true", help="only rewrite the table")
    what.add_argument("--verify", action="store_true", help="the same results?")
    args = parser.parse_args()
    if unknown := set(args.modules) - set(modules()):
        parser.error(f"no experiments with claims in {sorted(unknown)}")
    if args.verify:
        sys.exit(0 if all([verify(m) for m in args.modules or modules()]) else 1)
    if args.table:
        write_table(load())
    elif not args.check:
        for module in args.modules or modules():
            measure(module)
    found = problems()
    print("\n".join(found) or "the spread is current, and every claim holds")
    sys.exit(1 if found else 0)


if __name__ == "__main__":
    main()
