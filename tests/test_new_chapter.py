"""A new chapter is one command: in a copy of the repository, `tools/new_chapter.py`
writes a throwaway chapter, and the quick tests (`make check`) pass with it."""

import os
import shutil
import subprocess
import sys

import pytest
import yaml

from conftest import ROOT


@pytest.fixture(scope="module")
def repository(tmp_path_factory):
    """A copy of the working tree (every file git tracks or would track), a
    repository of its own."""
    copy = tmp_path_factory.mktemp("repository")
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.split("\0")  # fmt: skip
    for name in filter(None, listed):
        if (ROOT / name).is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, copy / name)
    (copy / "node_modules").symlink_to(ROOT / "node_modules")  # Biome, for the lint
    subprocess.run(["git", "init", "-q"], cwd=copy, check=True)  # tests read its files
    return copy


@pytest.mark.slow
def test_a_new_chapter_is_one_command_and_passes_the_quick_tests(repository):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    run = {"cwd": repository, "env": env, "capture_output": True, "text": True}
    made = subprocess.run(
        [sys.executable, "tools/new_chapter.py", "A throwaway chapter"], **run
    )
    assert made.returncode == 0, made.stderr[-3000:]
    stem = (
        f"{len(list((ROOT / 'notebooks').glob('*.ipynb'))) + 1:02d}-a-throwaway-chapter"
    )
    for path in (
        f"notebooks/{stem}.ipynb",
        f"colab/notebooks/{stem}.ipynb",
        f"onebyone/questions/{stem}.toml",
        "onebyone/experiments/a_throwaway_chapter.py",
        "onebyone/experiments/a_throwaway_chapter.toml",
    ):
        assert (repository / path).is_file(), path
    toc = yaml.safe_load((repository / "_toc.yml").read_text())
    chapters = [c["file"] for part in toc["parts"] for c in part["chapters"]]
    assert [c for c in chapters if c.startswith("notebooks/")][
        -1
    ] == f"notebooks/{stem}"
    assert stem in (repository / "book" / "intro.md").read_text()
    subprocess.run(["git", "add", "--all"], cwd=repository, check=True)
    quick = [sys.executable, "-m", "pytest", "tests", "-m", "not slow", "-q", "-x"]
    checked = subprocess.run(quick, **run)
    assert checked.returncode == 0, checked.stdout[-4000:]
