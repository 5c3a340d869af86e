# Two commands matter: `make run` (the web app on the bundled report) and `make test`.
# Both create .venv and install what they need the first time, and are quick after that.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 7860

export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: install run index test test-fast lint bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)

# torch first, pinned to the CPU wheel on this machine's disk; a plain `torch`
# requirement would pull a multi-GB CUDA build.
$(STAMP): pyproject.toml | $(PY)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet torch==2.13.0
	$(PIP) install --quiet -e '.[test,dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(VENV)/bin/peel-search serve --host $(HOST) --port $(PORT)

index: $(STAMP)
	$(VENV)/bin/peel-search index

test: $(STAMP)
	$(PY) -m pytest

test-fast: $(STAMP)
	$(PY) -m pytest -m "not models and not browser"

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests bench app.py
	$(VENV)/bin/ruff format --check src tests bench app.py
	$(VENV)/bin/mypy

bench: $(STAMP)
	$(PY) bench/quality.py
	$(PY) bench/speed.py

clean:
	rm -rf index .index.* build dist src/*.egg-info .pytest_cache .mypy_cache .ruff_cache tests/artifacts
