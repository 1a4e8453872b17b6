"""ruff keeps every Python file and notebook clean and formatted."""

import subprocess
import sys
from pathlib import Path

from conftest import ROOT

RUFF = Path(sys.executable).with_name("ruff")


def run_ruff(*args):
    # No cache: a cached verdict once hid an import-order error that a clean clone saw.
    return subprocess.run(
        [str(RUFF), *args, "--no-cache"], cwd=ROOT, capture_output=True, text=True
    )


def test_ruff_check():
    result = run_ruff("check", ".")
    assert result.returncode == 0, result.stdout


def test_ruff_format():
    result = run_ruff("format", "--check", ".")
    assert result.returncode == 0, result.stdout
