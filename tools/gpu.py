"""Run the chapters' experiments on a CUDA GPU and check their claims there.

    python tools/gpu.py                      # every chapter's experiments, seed 0
    python tools/gpu.py u_net --seeds 0 1 2  # one chapter, three seeds
    python tools/gpu.py --cpu                # try the tool where no GPU is

Each chapter's experiments run in a fresh process (``python -m onebyone.experiments
<module> --device cuda``), on the same budgets as on a CPU, with mixed precision
where they train (onebyone/segmentation.py). The tool prints, per chapter and seed,
the seconds the experiments took, what they measured, and every claim's value
beside its bound, and exits 1 when no CUDA device is found (unless ``--cpu``) or
when a verdict fails. Nothing is written: the stored outputs come from a CPU
(tools/record.py), and the bounds from the measured spread on a CPU
(tools/spread.py).
"""

import argparse
import json
import subprocess
import sys

from onebyone.experiments import chapter_claims, modules


def run(module, seed, device):
    command = [sys.executable, "-m", "onebyone.experiments", module]
    command += ["--seed", str(seed), "--device", device]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def report(module, result):
    """Lines for one run: its measured numbers, then each claim; and the failures."""
    lines = [f"  {name} = {value:.4g}" for name, value in result["measured"].items()]
    failed = 0
    for claim in chapter_claims(module):
        value = claim.evaluate(result["measured"])
        if claim.has_bound:
            holds = claim.holds(value)
            failed += claim.is_verdict and not holds
            kind = "verdict" if claim.is_verdict else "every run"
            lines.append(f"  {claim.statement()}: {holds} ({value:.4g}; {kind})")
        else:
            lines.append(f"  {claim.says}: {value:.4g} (reported)")
    return lines, failed


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("modules", nargs="*", help=f"of {', '.join(modules())}")
    parser.add_argument("--seeds", nargs="+", type=int, default=[0])
    parser.add_argument(
        "--cpu", action="store_true", help="run even where no CUDA device is found"
    )
    args = parser.parse_args()
    import torch

    if torch.cuda.is_available():
        device = "cuda"
        print(f"GPU: {torch.cuda.get_device_name(0)}, torch {torch.__version__}")
    elif args.cpu:
        device = "cpu"
        print(f"no CUDA device: running on the CPU, torch {torch.__version__}")
    else:
        sys.exit(
            "no CUDA device found (torch.cuda.is_available() is False). This "
            "command is for a machine with an NVIDIA GPU and a CUDA build of torch; "
            "add --cpu to try it here anyway."
        )
    unknown = set(args.modules) - set(modules())
    if unknown:
        parser.error(f"no experiments module {sorted(unknown)}")
    failed = 0
    for module in args.modules or modules():
        for seed in args.seeds:
            result = run(module, seed, device)
            print(f"\n{module}, seed {seed}: {result['seconds']} s on {device}")
            lines, failures = report(module, result)
            print("\n".join(lines), flush=True)
            failed += failures
    print(f"\n{failed} verdicts failed" if failed else "\nevery verdict holds")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
