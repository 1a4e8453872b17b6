# The project's commands. Each installs what it needs into .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
COLAB_VENV := .venv-colab
COLAB_INSTALLED := $(COLAB_VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help book test record sync bench spread chromium clean

help:
	@echo "make book     build the HTML book into _build/html"
	@echo "make test     run every test (notebooks, helpers, book build, browser)"
	@echo "make record   re-run every notebook and store its outputs"
	@echo "make sync     copy the shared helpers (onebyone/) into the notebooks"
	@echo "make bench    report notebook and build times and peak memory"
	@echo "make spread   measure the spread of every measured result (about 3 hours on 2 cores)"
	@echo "make clean    remove build outputs"

$(INSTALLED): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

book: $(INSTALLED)
	$(BIN)/jupyter-book build . --warningiserror --nitpick --keep-going

# A second environment with Colab's versions, for tests/test_colab_versions.py.
$(COLAB_INSTALLED): requirements-colab.txt
	$(PYTHON) -m venv $(COLAB_VENV)
	$(COLAB_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-colab.txt
	touch $@

test: $(INSTALLED) $(COLAB_INSTALLED) chromium
	$(BIN)/python -m pytest

chromium:
	@tools/install-chromium.sh

record: $(INSTALLED)
	$(BIN)/python tools/record.py

sync: $(INSTALLED)
	$(BIN)/python tools/shared_code.py

bench: $(INSTALLED)
	$(BIN)/python tools/benchmark.py

spread: $(INSTALLED)
	$(BIN)/python tools/spread.py

clean:
	rm -rf _build
