"""Each pinned version is written once: one file says it, everything else reads it."""

import json
import re
import subprocess
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

    [front_end] = [a for a in offline_assets.ASSETS if a["name"] == "anywidget"]
    assert ("anywidget", front_end["version"], "pyproject.toml") in pins()
    assert metadata.version("anywidget") == front_end["version"]


def requirement_pins(requirements):
    """{name: version} for the exact pins of a requirements file and the files it
    includes with ``-r``, and of the package's own dependencies."""
    text = (ROOT / requirements).read_text()
    found = {name.lower(): version for name, version in PIN.findall(text)}
    for included in re.findall(r"^-r\s+(\S+)", text, re.MULTILINE):
        found |= requirement_pins(included)
    if re.search(r"^-e \.$", text, re.MULTILINE):
        found |= {n: v for n, v, home in pins() if home == "pyproject.toml"}
    return found


def test_every_lock_holds_the_pins_of_its_requirements_with_hashes():
    """make installs from the locks (make lock writes them from the requirements
    files): each holds every pin of its requirements at the same version, and
    gives every distribution a hash."""
    locks = sorted(ROOT.glob("requirements*.lock"))
    assert len(locks) == 3
    for lock in locks:
        text = lock.read_text()
        locked = {name.lower(): version for name, version in PIN.findall(text)}
        pinned = requirement_pins(lock.with_suffix(".txt").name)
        pinned.pop("hatchling", None)  # the build backend: pip fetches it to build
        for name, version in pinned.items():
            assert locked[name.replace("_", "-")].split("+")[0] == version, name
        hashed = r"^\S+==\S+ \\\n    --hash=sha256:[0-9a-f]{64}"
        entries = re.findall(hashed, text, re.MULTILINE)
        assert len(entries) == len(locked)
