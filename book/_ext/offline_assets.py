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

import base64
import fcntl
import hashlib
import json
import shutil
import subprocess
import tarfile
import tempfile
import tomllib
from pathlib import Path

from sphinx.util import logging

HERE = Path(__file__).resolve().parent
VENDOR_DIR = HERE.parents[1] / "_vendor"
VENDOR = "vendor"  # the copies' folder under the built book's _static/


def python_pin(name):
    """The version at which pyproject.toml pins a dependency of the package."""
    pyproject = tomllib.loads((HERE.parents[1] / "pyproject.toml").read_text())
    for requirement in pyproject["project"]["dependencies"]:
        if requirement.startswith(f"{name}=="):
            return requirement.removeprefix(f"{name}==")
    raise RuntimeError(f"pyproject.toml pins no exact version of {name}")


# Each: name, version (else pyproject.toml's pin), integrity, folder, keep, and
# perhaps modules to drop from a bundle.
ASSETS = [
    asset | {"version": asset.get("version") or python_pin(asset["name"])}
    for asset in tomllib.loads((HERE / "offline-assets.toml").read_text())["asset"]
]


def fetch(asset):
    """Download one tarball with ``npm pack``, verify it and unpack what we keep."""
    spec, target = f"{asset['name']}@{asset['version']}", VENDOR_DIR / asset["folder"]
    # The stamp names the release and what is kept: a change to either refetches.
    stamp = target / ".fetched"
    wanted = f"{asset['integrity']}\n{' '.join(asset['keep'])}\n{asset.get('drop')}"
    if stamp.exists() and stamp.read_text() == wanted:
        return
    if shutil.which("npm") is None:
        raise RuntimeError(
            f"npm is needed once to fetch {spec} for the offline book, "
            "but it is not on PATH. Install Node.js (with npm) and build again."
        )
    logging.getLogger(__name__).info(f"offline_assets: fetching {spec} from npm")
    with tempfile.TemporaryDirectory() as tmp:
        command = ["npm", "pack", spec, "--json", "--pack-destination", tmp]
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"npm pack {spec} failed:\n{done.stderr}")
        tarball = Path(tmp) / json.loads(done.stdout)[0]["filename"]
        digest = hashlib.sha512(tarball.read_bytes()).digest()
        found = "sha512-" + base64.b64encode(digest).decode()
        if found != asset["integrity"]:
            raise RuntimeError(
                f"{spec}: integrity mismatch (expected {asset['integrity']}, "
                f"got {found})"
            )
        kept = [f"package/{path}" for path in asset["keep"]]
        with tarfile.open(tarball) as archive:
            members = [
                m
                for m in archive.getmembers()
                if any(m.name == k or m.name.startswith(f"{k}/") for k in kept)
            ]
            archive.extractall(Path(tmp) / "x", members=members, filter="data")
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(Path(tmp) / "x" / "package", target)
    if "drop" in asset:
        drop_modules(target / asset["drop"]["bundle"], asset["drop"]["modules"])
    stamp.write_text(wanted)


def drop_modules(bundle, modules):
    """Remove AMD modules from a bundle: each from its licence comment through its
    source-map comment, as webpack writes them one after another."""
    text = bundle.read_text()
    for module in modules:
        start = text.rindex("/*!", 0, text.index(f'define("{module}",'))
        end = text.index("\n", text.index("//# sourceMappingURL=", start)) + 1
        text = text[:start] + text[end:]
    bundle.write_text(text)


def fetch_all(app):
    # Two builds may start at once (the tests build the book on parallel workers):
    # one fetches while the other waits, then finds the files in place.
    VENDOR_DIR.mkdir(exist_ok=True)
    with (VENDOR_DIR / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        for asset in ASSETS:
            fetch(asset)


def copy_to_build(app, exception):
    """Copy the vendored files into the built HTML, on every build; then remove
    from the themes' files what no page of the book loads (about 5 MB).

    Source maps are read only by a browser's developer tools; the translation
    catalogues only when the book is built in another language; a TrueType font
    only by a browser too old to read the WOFF2 copy beside it.
    """
    if exception is not None or app.builder.format != "html":
        return
    static = Path(app.outdir) / "_static"
    for asset in ASSETS:
        copy = static / VENDOR / asset["folder"]
        shutil.rmtree(copy, ignore_errors=True)  # nothing stale
        ignore = shutil.ignore_patterns(".fetched")
        shutil.copytree(VENDOR_DIR / asset["folder"], copy, ignore=ignore)
    shutil.copy2(HERE / "widgets-offline.js", static / VENDOR / "widgets-offline.js")
    # The theme's icons come from Font Awesome's CSS and fonts (setup), so its
    # script, which draws them too, is left empty: 1.5 MB a page less.
    (static / "scripts" / "fontawesome.js").write_text("/* see vendor/fontawesome */\n")
    for source_map in static.rglob("*.map"):
        source_map.unlink()
    shutil.rmtree(static / "locales", ignore_errors=True)
    for font in static.rglob("*.ttf"):
        if font.with_suffix(".woff2").exists():
            font.unlink()


def point_config_at_local_copies(app, config):
    """MathJax and the widgets' scripts from the copies (paths under _static/)."""
    config.mathjax_path = f"{VENDOR}/mathjax/es5/tex-chtml.js"
    config.nb_ipywidgets_js = {
        f"{VENDOR}/requirejs/require.js": {},
        # After RequireJS and before the HTML manager: see widgets-offline.js.
        f"{VENDOR}/widgets-offline.js": {},
        f"{VENDOR}/html-manager/dist/embed-amd.js": {},
    }


def drop_duplicate_scripts(app, pagename, templatename, context, doctree):
    """Each script once: the same inline script arrives once with filename None
    and once with ""."""
    seen, unique = set(), []
    for script in context.get("script_files") or []:
        key = (script.filename or "", tuple(sorted(script.attributes.items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    if "script_files" in context:
        context["script_files"][:] = unique


def setup(app):
    app.connect("config-inited", point_config_at_local_copies)
    app.connect("builder-inited", fetch_all)
    # Early: html-page-context stops at the first handler that returns a value.
    app.connect("html-page-context", drop_duplicate_scripts, priority=100)
    app.connect("build-finished", copy_to_build)
    app.add_css_file(f"{VENDOR}/fontawesome/css/all.min.css")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
