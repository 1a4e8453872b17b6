"""Lock every environment: each distribution at one version, with its hash.

    python tools/lock.py            # write requirements*.lock from requirements*.txt
    python tools/lock.py --check    # exit 1 if a lock is older than its input

The requirements files name what the project needs, the packages it imports pinned
exactly; pip resolves the rest, and without a lock that rest would float. For each
requirements file here this tool asks pip for the whole environment it would install
(``pip install --dry-run --ignore-installed --report``), and writes it to the lock
beside it: every distribution as ``name==version`` with the sha256 of the file pip
chose. ``make`` installs from the locks with ``pip install --require-hashes``, and
then the course's package itself, editable (a lock holds files, not a folder).

A lock is for the machine it was made on: Linux on x86-64 with Python 3.11 and the
CPU build of torch, as CI and the recorded notebooks run. Elsewhere install from the
requirements files. Each lock's first lines record a hash of the requirements files
it came from, so ``--check`` (and the tests) can tell a stale lock.
"""

import argparse
import hashlib
import json
import re
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCKS = {
    "requirements.txt": "requirements.lock",
    "requirements-dev.txt": "requirements-dev.lock",
    "requirements-colab.txt": "requirements-colab.lock",
}
INCLUDE = re.compile(r"^-r\s+(\S+)", re.MULTILINE)
SOURCE_LINE = re.compile(r"^# from: (\S+) sha256 ([0-9a-f]{64})$", re.MULTILINE)


def inputs(requirements):
    """The requirements file and every file it includes with ``-r``, in order."""
    found, todo = [], [requirements]
    while todo:
        name = todo.pop(0)
        if name not in found:
            found.append(name)
            todo += INCLUDE.findall((ROOT / name).read_text())
    return found + ["pyproject.toml"]  # the package's own dependencies


def resolved_part(name):
    """What of an input file pip reads: a requirements file whole; of pyproject.toml
    only the dependencies and the build requirements, so that a change to a tool's
    settings there does not make every lock stale."""
    path = ROOT / name
    if name != "pyproject.toml":
        return path.read_bytes()
    project = tomllib.loads(path.read_text())
    needs = {
        "dependencies": project["project"].get("dependencies", []),
        "build-system": project["build-system"].get("requires", []),
    }
    return json.dumps(needs, sort_keys=True).encode()


def inputs_hash(requirements):
    digest = hashlib.sha256()
    for name in inputs(requirements):
        digest.update(name.encode() + b"\n" + resolved_part(name))
    return digest.hexdigest()


def resolve(requirements):
    """What pip would install for a requirements file: the report's entries."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        command = [sys.executable, "-m", "pip", "install", "--dry-run", "--quiet"]
        command += ["--ignore-installed", "--report", str(report)]
        command += ["-r", str(ROOT / requirements)]
        subprocess.run(command, check=True, cwd=ROOT)
        return json.loads(report.read_text())["install"]


def lock_text(requirements):
    lines = [
        f"# The whole environment of {requirements}, each file with its hash.",
        "# Written by tools/lock.py (make lock); install with",
        f"#   pip install --require-hashes -r {LOCKS[requirements]}",
        "# then the course's package: pip install --no-deps -e .",
        f"# from: {requirements} sha256 {inputs_hash(requirements)}",
    ]
    entries = []
    for item in resolve(requirements):
        info = item["download_info"]
        if info.get("dir_info", {}).get("editable"):
            continue  # the course's package, installed from the folder
        digest = info["archive_info"]["hashes"]["sha256"]
        entries.append(
            (item["metadata"]["name"].lower(), item["metadata"]["version"], digest)
        )
    for name, version, digest in sorted(entries):
        lines.append(f"{name}=={version} \\\n    --hash=sha256:{digest}")
    return "\n".join(lines) + "\n"


def stale():
    """The locks whose requirements changed since they were written."""
    found = []
    for requirements, lock in LOCKS.items():
        path = ROOT / lock
        match = SOURCE_LINE.search(path.read_text()) if path.exists() else None
        if not match or match.group(2) != inputs_hash(requirements):
            found.append(lock)
    return found


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--check", action="store_true", help="only report stale locks")
    args = parser.parse_args()
    if args.check:
        found = stale()
        print("\n".join(f"{lock} is stale: make lock" for lock in found) or "current")
        sys.exit(1 if found else 0)
    for requirements, lock in LOCKS.items():
        (ROOT / lock).write_text(lock_text(requirements))
        print(f"wrote {lock}")


if __name__ == "__main__":
    main()
