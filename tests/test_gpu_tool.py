"""tools/gpu.py: what it reports of a run's measured numbers and claims."""

import sys

from conftest import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import gpu  # noqa: E402

from onebyone.experiments import chapter_claims  # noqa: E402

# A run of chapter 7's experiments whose U-Net separates far fewer cells.
MEASURED = {
    "fcn3_mean_iou": 0.91,
    "unet_mean_iou": 0.90,
    "unet_scratch_mean_iou": 0.6,
    "fcn3_mean_iou_96": 0.9,
    "unet_mean_iou_96": 0.89,
    "separated_unet": 0.1,
    "separated_fcn3": 0.9,
}


def test_reports_every_measured_number_and_every_claim():
    lines, failed = gpu.report("u_net", {"measured": MEASURED})
    claims = chapter_claims("u_net")
    assert lines[: len(MEASURED)] == [f"  {k} = {v:.4g}" for k, v in MEASURED.items()]
    claim_lines = lines[len(MEASURED) :]
    assert len(claim_lines) == len(claims)
    for claim, line in zip(claims, claim_lines, strict=True):
        expected = claim.statement() if claim.has_bound else claim.says
        assert line.startswith(f"  {expected}: ")
    assert failed == 1  # the separation verdict, and only it
    failing = [
        line for line in claim_lines if ": False (" in line and "verdict" in line
    ]
    assert len(failing) == 1 and "unseparated" in failing[0]
