"""Run chapters' experiments and print what they measured.

    python -m onebyone.experiments u_net --seed 3         # one JSON line a chapter
    python -m onebyone.experiments --device cuda --check  # every chapter, on a GPU
    python -m onebyone.experiments u_net --epochs 1       # a quick run

Choose the CPU kernels and threads before PyTorch starts: ``OMP_NUM_THREADS``,
``ATEN_CPU_CAPABILITY``, ``ONEDNN_MAX_CPU_ISA``. ``--check`` prints each measured
number and every claim's value beside its bound, and exits 1 if a verdict fails.
"""

import argparse
import importlib
import json
import sys
import time

import torch

from onebyone.experiments import chapter_claims, chapter_experiments, modules
from onebyone.runtime import pick_device, seed_everything


def functions(module):
    """{experiment name: function} of a chapter's module, in its TOML's order."""
    code = importlib.import_module(f"onebyone.experiments.{module}")
    marked = {
        getattr(value, "experiment", None): value for value in vars(code).values()
    }
    missing = [s.name for s in chapter_experiments(module) if s.name not in marked]
    if missing:
        raise LookupError(f"{module}.toml declares {missing}, which no function marks")
    return {spec.name: marked[spec.name] for spec in chapter_experiments(module)}


def run(module, seed, device, epochs=None):
    """Every experiment of one chapter, each seeded as a notebook's setup is."""
    measured, start = {}, time.perf_counter()
    for experiment in functions(module).values():
        seed_everything(seed)
        measured |= experiment(seed, device, epochs)["measured"]
    return {
        "measured": measured,
        "seconds": round(time.perf_counter() - start, 1),
        "device": device.type,
        "capability": torch.backends.cpu.get_cpu_capability(),
        "threads_used": torch.get_num_threads(),
    }


def claim_lines(module, measured):
    """Each claim's value beside its bound; and how many verdicts fail."""
    lines, failed = [], 0
    for claim in chapter_claims(module):
        value = claim.evaluate(measured)
        if claim.has_bound:
            failed += claim.is_verdict and not claim.holds(value)
            kind = "verdict" if claim.is_verdict else "every run"
            lines.append(f"  {claim.verdict_line(value)} ({value:.4g}; {kind})")
        else:
            lines.append(f"  {claim.says}: {value:.4g} (reported)")
    return lines, failed


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("modules", nargs="*", help=f"of {', '.join(modules())}")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--device", default="auto", help="cpu, cuda, mps or auto")
    parser.add_argument("--epochs", type=int, help="every training budget (quick: 1)")
    parser.add_argument("--check", action="store_true", help="report every claim")
    args = parser.parse_args(argv)
    unknown = set(args.modules) - set(modules())
    if unknown:
        parser.error(f"no experiments module {sorted(unknown)}")
    if args.device == "cuda" and not torch.cuda.is_available():
        parser.error("no CUDA device found: this needs an NVIDIA GPU and CUDA torch")
    device = pick_device() if args.device == "auto" else torch.device(args.device)
    failed = 0
    for module in args.modules or modules():
        result = run(module, args.seed, device, args.epochs)
        if not args.check:
            print(json.dumps(result), flush=True)
            continue
        print(f"{module}, seed {args.seed}: {result['seconds']} s on {device}")
        lines = [f"  {k} = {v:.4g}" for k, v in result["measured"].items()]
        claims, failures = claim_lines(module, result["measured"])
        print("\n".join(lines + claims), flush=True)
        failed += failures
    if args.check:
        print(f"{failed} verdicts failed" if failed else "every verdict holds")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
