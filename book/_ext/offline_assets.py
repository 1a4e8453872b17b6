"""Serve every script the book needs from the book itself, so that it works offline.

By default the pages load MathJax, RequireJS and the Jupyter widgets' HTML manager
from public CDNs. This extension fetches pinned npm tarballs once (``npm pack``),
checks each against the sha512 integrity the registry published, unpacks the files
the pages load into ``_vendor/``, copies them with their licences into the built
book and points MathJax and myst-nb's widget loader at the copies. It also removes
the duplicated inline scripts of sphinx-thebe (a redeclaration error) and what no
page loads (source maps, translation catalogues, TrueType copies of WOFF2 fonts).
tests/test_browser.py fails on any request the book cannot answer.

The packages, their releases and the files kept are listed in offline-assets.toml;
after changing a release there, build with ``--all``.
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import json
import shutil
import subprocess
import tarfile
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[2]
VENDOR_DIR = REPO_ROOT / "_vendor"
STATIC_SUBDIR = "vendor"  # under the built book's _static/
HERE = Path(__file__).resolve().parent


def python_pin(name: str) -> str:
    """The version at which pyproject.toml pins a dependency of the package."""
    pyproject = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())
    for requirement in pyproject["project"]["dependencies"]:
        if requirement.startswith(f"{name}=="):
            return requirement.removeprefix(f"{name}==")
    raise RuntimeError(f"pyproject.toml pins no exact version of {name}")


@dataclass(frozen=True)
class NpmAsset:
    """One npm package: which release, its integrity, and which files we serve."""

    name: str
    integrity: str
    folder: str  # the folder under _vendor/ and _static/vendor/
    keep: tuple[str, ...]  # paths inside the package to keep (files or folders)
    version: str

    @property
    def spec(self) -> str:
        return f"{self.name}@{self.version}"


ASSETS = tuple(
    NpmAsset(
        **asset
        | {
            "keep": tuple(asset["keep"]),
            "version": asset.get("version") or python_pin(asset["name"]),
        }
    )
    for asset in tomllib.loads((HERE / "offline-assets.toml").read_text())["asset"]
)

# Paths below are relative to the built book's _static/ folder.
MATHJAX_PATH = f"{STATIC_SUBDIR}/mathjax/es5/tex-chtml.js"
WIDGETS_JS = {
    f"{STATIC_SUBDIR}/requirejs/require.js": {},
    # Must run after RequireJS and before the HTML manager: see widgets-offline.js.
    f"{STATIC_SUBDIR}/widgets-offline.js": {},
    f"{STATIC_SUBDIR}/html-manager/dist/embed-amd.js": {},
}


def _integrity_of(path: Path) -> str:
    digest = hashlib.sha512(path.read_bytes()).digest()
    return "sha512-" + base64.b64encode(digest).decode()


def _stamp(asset: NpmAsset) -> Path:
    return VENDOR_DIR / asset.folder / ".fetched"


def fetch(asset: NpmAsset) -> None:
    """Download one tarball with ``npm pack``, verify it and unpack what we keep."""
    # The stamp names the release and the files kept: a change to either refetches.
    stamp = f"{asset.integrity}\n{' '.join(asset.keep)}"
    if _stamp(asset).exists() and _stamp(asset).read_text() == stamp:
        return
    if shutil.which("npm") is None:
        raise RuntimeError(
            f"npm is needed once to fetch {asset.spec} for the offline book, "
            "but it is not on PATH. Install Node.js (with npm) and build again."
        )
    logger.info(f"offline_assets: fetching {asset.spec} from the npm registry")
    with tempfile.TemporaryDirectory() as tmp:
        result = subprocess.run(
            ["npm", "pack", asset.spec, "--json", "--pack-destination", tmp],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"npm pack {asset.spec} failed:\n{result.stderr}")
        tarball = Path(tmp) / json.loads(result.stdout)[0]["filename"]
        found = _integrity_of(tarball)
        if found != asset.integrity:
            raise RuntimeError(
                f"{asset.spec}: integrity mismatch "
                f"(expected {asset.integrity}, got {found})"
            )
        target = VENDOR_DIR / asset.folder
        shutil.rmtree(target, ignore_errors=True)
        with tarfile.open(tarball) as archive:
            members = [
                m
                for m in archive.getmembers()
                if any(
                    m.name == f"package/{k}" or m.name.startswith(f"package/{k}/")
                    for k in asset.keep
                )
            ]
            archive.extractall(Path(tmp) / "x", members=members, filter="data")
        shutil.copytree(Path(tmp) / "x" / "package", target)
    _stamp(asset).write_text(stamp)


def fetch_all(app: Sphinx) -> None:
    # Two builds may start at once (the tests build the book on parallel workers):
    # one fetches while the other waits, then finds the files in place.
    VENDOR_DIR.mkdir(exist_ok=True)
    with (VENDOR_DIR / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        for asset in ASSETS:
            fetch(asset)


def copy_to_build(app: Sphinx, exception: Exception | None) -> None:
    """Copy the vendored files into the built HTML, on every build."""
    if exception is not None or app.builder.format != "html":
        return
    static = Path(app.outdir) / "_static" / STATIC_SUBDIR
    for asset in ASSETS:
        shutil.rmtree(static / asset.folder, ignore_errors=True)  # nothing stale
        shutil.copytree(
            VENDOR_DIR / asset.folder,
            static / asset.folder,
            ignore=shutil.ignore_patterns(".fetched"),
        )
    shutil.copy2(HERE / "widgets-offline.js", static / "widgets-offline.js")
    drop_what_no_page_loads(Path(app.outdir) / "_static")


def drop_what_no_page_loads(static: Path) -> None:
    """Remove from the themes' files what no page of the book loads.

    Source maps are read only by a browser's developer tools; the translation
    catalogues only when the book is built in another language; a TrueType font
    only by a browser too old to read the WOFF2 copy beside it. About 5 MB.
    """
    for source_map in static.rglob("*.map"):
        source_map.unlink()
    shutil.rmtree(static / "locales", ignore_errors=True)
    for font in static.rglob("*.ttf"):
        if font.with_suffix(".woff2").exists():
            font.unlink()


def point_config_at_local_copies(app: Sphinx, config) -> None:
    config.mathjax_path = MATHJAX_PATH
    config.nb_ipywidgets_js = WIDGETS_JS


def drop_duplicate_scripts(
    app: Sphinx, pagename, templatename, context, doctree
) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for script in scripts:
        # The same inline script arrives once with filename None and once with "".
        key = (script.filename or "", tuple(sorted(script.attributes.items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    scripts[:] = unique


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", point_config_at_local_copies)
    app.connect("builder-inited", fetch_all)
    # Early: html-page-context stops at the first handler that returns a value.
    app.connect("html-page-context", drop_duplicate_scripts, priority=100)
    app.connect("build-finished", copy_to_build)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
