# The project's commands. Each installs what it needs into .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
COLAB_VENV := .venv-colab
COLAB_INSTALLED := $(COLAB_VENV)/.installed
NODE_INSTALLED := node_modules/.installed

.DEFAULT_GOAL := help
.PHONY: help book test check record sync colab bench spread gpu lock chromium clean

help:
	@echo "make book     build the HTML book into _build/html"
	@echo "make test     run every test (notebooks, helpers, book build, browser)"
	@echo "make check    the quick tests: helpers, explorers' JavaScript, notebook cells, lint (no kernels)"
	@echo "make record   re-run every notebook and store its outputs"
	@echo "make sync     rewrite the notebooks' install cells and taught helpers from their sources"
	@echo "make colab    write the Colab copies of the notebooks (colab/), MyST made plain"
	@echo "make bench    report notebook, build and check times, memory, the book's size"
	@echo "make spread   measure the spread of every measured result (about 3 hours on 2 cores)"
	@echo "make gpu      run the chapters' experiments on a CUDA GPU and report their results"
	@echo "make lock     pin every distribution of the environments, with hashes (requirements*.lock)"
	@echo "make clean    remove build outputs"

PIP := python -m pip install --quiet --disable-pip-version-check

# Every distribution at the version and hash of the lock, then the course's package.
$(INSTALLED): requirements-dev.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/$(PIP) --require-hashes -r requirements-dev.lock
	$(BIN)/$(PIP) --no-deps -e .
	touch $@

# The explorers' JavaScript tools (Biome), at the versions package-lock.json pins.
$(NODE_INSTALLED): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

book: $(INSTALLED)
	$(BIN)/jupyter-book build . --warningiserror --nitpick --keep-going

# A second environment with Colab's versions, for tests/test_colab_versions.py.
$(COLAB_INSTALLED): requirements-colab.lock pyproject.toml
	$(PYTHON) -m venv $(COLAB_VENV)
	$(COLAB_VENV)/bin/$(PIP) --require-hashes -r requirements-colab.lock
	$(COLAB_VENV)/bin/$(PIP) --no-deps -e .
	touch $@

# The two environments install side by side; then one pytest worker per core, each
# notebook's cells together on one worker (conftest.py).
test: chromium
	$(MAKE) --jobs=2 $(INSTALLED) $(COLAB_INSTALLED) $(NODE_INSTALLED)
	$(BIN)/python -m pytest -n auto --dist loadscope

check: $(INSTALLED) $(NODE_INSTALLED)
	$(BIN)/python -m pytest tests -m "not slow"

chromium:
	@tools/install-chromium.sh

record: $(INSTALLED)
	$(BIN)/python tools/record.py
	$(BIN)/python tools/colab.py

sync: $(INSTALLED)
	$(BIN)/python tools/shared_code.py
	$(BIN)/python tools/colab.py

colab: $(INSTALLED)
	$(BIN)/python tools/colab.py

# make bench SUITE=1 also times the whole test suite (several minutes more).
bench: $(INSTALLED)
	$(BIN)/python tools/benchmark.py $(if $(SUITE),--suite)

spread: $(INSTALLED)
	$(BIN)/python tools/spread.py

gpu: $(INSTALLED)
	$(BIN)/python tools/gpu.py

# Resolves the requirements files with pip and writes the locks; needs the registry.
lock:
	$(PYTHON) tools/lock.py

clean:
	rm -rf _build node_modules
