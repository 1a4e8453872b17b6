"""ruff keeps every Python file and notebook clean and formatted; Biome does the
same for the explorers' JavaScript, whose unit tests run in Node's test runner."""

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

RUFF = Path(sys.executable).with_name("ruff")
BIOME = ROOT / "node_modules" / ".bin" / "biome"  # pinned in package.json


def run(*command):
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True)


def run_ruff(*args):
    # No cache: a cached verdict once hid an import-order error that a clean clone saw.
    return run(str(RUFF), *args, "--no-cache")


def test_ruff_check():
    result = run_ruff("check", ".")
    assert result.returncode == 0, result.stdout


def test_ruff_format():
    result = run_ruff("format", "--check", ".")
    assert result.returncode == 0, result.stdout


@pytest.fixture(scope="module")
def biome():
    if not BIOME.exists():
        pytest.fail("Biome is not installed: `make check` installs it (npm ci)")
    return str(BIOME)


def test_javascript_is_linted_and_formatted(biome):
    result = run(biome, "ci", "--colors=off", "--error-on-warnings")
    assert result.returncode == 0, result.stdout + result.stderr


def test_javascript_unit_tests_pass():
    result = run("node", "--test", "tests/js/")
    assert result.returncode == 0, result.stdout + result.stderr
