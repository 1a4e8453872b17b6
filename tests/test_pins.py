"""Each pinned version is written once: one file says it, everything else reads it."""

import json
import re
import subprocess
import sys
import tomllib
from importlib import metadata

from conftest import ROOT

PIN = re.compile(r"^([A-Za-z0-9_.\-\[\]]+)==([^\s;#]+)", re.MULTILINE)


def pins():
    """(name, version, file) for every exact pin of the project."""
    found = []
    for path in sorted(ROOT.glob("requirements*.txt")):
        found += [(n.lower(), v, path.name) for n, v in PIN.findall(path.read_text())]
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    requirements = pyproject["build-system"]["requires"]
    requirements += pyproject["project"]["dependencies"]
    for requirement in requirements:
        if match := PIN.match(requirement):
            found.append((match[1].lower(), match[2], "pyproject.toml"))
    package = json.loads((ROOT / "package.json").read_text())
    found += [
        (name, version, "package.json")
        for name, version in package["devDependencies"].items()
    ]
    return found


def test_each_pinned_version_is_written_once():
    """A package may be pinned twice only at two versions: Colab's and ours."""
    files = {}
    for name, version, path in pins():
        files.setdefault(f"{name}=={version}", []).append(path)
    assert {pin: paths for pin, paths in files.items() if len(paths) > 1} == {}


def test_no_other_tracked_file_repeats_a_pin():
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    text_files = [
        path
        for path in tracked
        if path.endswith((".py", ".md", ".txt", ".toml", ".yml", ".json", ".js", ".sh"))
        and path != "package-lock.json"  # npm's record of what it resolved
        and (ROOT / path).is_file()
    ]
    for name, version, home in pins():
        spelled = f"{name}=={version}"
        elsewhere = [
            path
            for path in text_files
            if path != home and spelled in (ROOT / path).read_text().lower()
        ]
        assert elsewhere == [], f"{spelled} is pinned in {home}; also in {elsewhere}"


def test_the_book_serves_the_explorers_front_end_that_python_runs(monkeypatch):
    """The npm release of anywidget that the offline book serves is the one
    pyproject.toml pins and this environment runs."""
    monkeypatch.syspath_prepend(ROOT / "book" / "_ext")
    import offline_assets

    [front_end] = [a for a in offline_assets.ASSETS if a.name == "anywidget"]
    assert ("anywidget", front_end.version, "pyproject.toml") in pins()
    assert metadata.version("anywidget") == front_end.version


def test_every_lock_is_current_and_holds_the_pins_of_its_requirements():
    """make installs from the locks: each one was written from the requirements it
    names (tools/lock.py --check), holds each of their pins at the same version, and
    gives every distribution a hash."""
    sys.path.insert(0, str(ROOT / "tools"))
    import lock

    assert lock.stale() == []
    for requirements, lock_file in lock.LOCKS.items():
        text = (ROOT / lock_file).read_text()
        locked = dict(PIN.findall(text))
        locked = {name.lower(): version for name, version in locked.items()}
        for name in lock.inputs(requirements)[:-1]:  # the requirements files
            for pinned, version in PIN.findall((ROOT / name).read_text()):
                assert locked[pinned.lower()].split("+")[0] == version, pinned
        entries = re.findall(
            r"^\S+==\S+ \\\n    --hash=sha256:[0-9a-f]{64}$", text, re.M
        )
        assert len(entries) == len(locked)
