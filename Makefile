# Two entry points for a fresh machine: `make demo` and `make test`.
# Each creates .venv and installs the pinned requirements on first use.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin

$(BIN)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

.PHONY: install demo test lint web worker bench
install: $(BIN)/.installed

demo: install
	$(BIN)/python -m bot demo

test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check bot handlers tests benchmarks scripts
	$(BIN)/mypy bot handlers
	$(BIN)/lint-imports

web: install
	$(BIN)/python -m bot web

worker: install
	$(BIN)/python -m bot worker

bench: install
	$(BIN)/python benchmarks/run_all.py
