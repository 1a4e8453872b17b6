"""Run a chapter's experiments and print what they measured, as JSON.

    python -m onebyone.experiments u_net --seed 3
    python -m onebyone.experiments u_net --only unet_cells --device cuda
    python -m onebyone.experiments fcn_segmentation --epochs 1   # a quick run

The JSON object holds the measured numbers of every experiment run (by name), the
seconds they took together, the device, and the CPU kernels and threads PyTorch
used. Choose the CPU kernels and threads with the environment, before PyTorch
starts: ``OMP_NUM_THREADS``, ``ATEN_CPU_CAPABILITY``, ``ONEDNN_MAX_CPU_ISA``.
"""

import argparse
import importlib
import json
import sys
import time

import torch

from onebyone.experiments import chapter_experiments, declared
from onebyone.runtime import pick_device, seed_everything


def functions(module_name):
    """{experiment name: function} of a chapter's module, in the TOML's order."""
    module = importlib.import_module(f"onebyone.experiments.{module_name}")
    marked = {
        getattr(value, "experiment", None): value for value in vars(module).values()
    }
    found = {}
    for spec in chapter_experiments(module_name):
        if spec.name not in marked:
            raise LookupError(
                f"{module_name}.toml declares {spec.name!r}, but no function of "
                f"onebyone/experiments/{module_name}.py is @experiment({spec.name!r})"
            )
        found[spec.name] = marked[spec.name]
    return found


def main(argv=None):
    modules = sorted({spec.module for spec in declared().values()})
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("module", choices=modules, help="a chapter's experiments")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--device", default="auto", help="cpu, cuda, mps or auto")
    parser.add_argument("--epochs", type=int, help="every training budget (quick: 1)")
    parser.add_argument("--only", action="append", help="one experiment (repeatable)")
    args = parser.parse_args(argv)
    device = pick_device() if args.device == "auto" else torch.device(args.device)
    chosen = functions(args.module)
    if args.only:
        unknown = set(args.only) - set(chosen)
        if unknown:
            parser.error(f"{args.module} has no experiment {sorted(unknown)}")
        chosen = {name: chosen[name] for name in args.only}
    measured, start = {}, time.perf_counter()
    for run in chosen.values():
        seed_everything(args.seed)  # as a notebook's setup cell does
        measured |= run(args.seed, device, args.epochs)["measured"]
    json.dump(
        {
            "measured": measured,
            "seconds": round(time.perf_counter() - start, 1),
            "device": device.type,
            "capability": torch.backends.cpu.get_cpu_capability(),
            "threads_used": torch.get_num_threads(),
        },
        sys.stdout,
    )
    print()


if __name__ == "__main__":
    main()
