# Two entry points for a fresh machine: `make demo` and `make test`.
# Each creates .venv and installs the pinned requirements on first use.
#
# The Python: PY if given (a command, a path, or a version such as 3.12, found as pythonX.Y on
# PATH or under pyenv), else the first of python3.13, python3.12, python3.11 that runs, else
# python3 if it is one of those. Anything else stops with one line saying what was found.
# `make test-all` runs the suite once per version in PYTHONS, each in its own .venv-X.Y.
PYTHONS ?= 3.11 3.12 3.13
VENV ?= .venv
BIN := $(VENV)/bin

# "ok|bad VERSION PATH" of the interpreter chosen as above (run once per make).
PICKED := $(shell \
  case "$(PY)" in \
    ("") candidates="python3.13 python3.12 python3.11 python3" ;; \
    (3.*) root=$$(pyenv root 2>/dev/null || echo "$$HOME/.pyenv"); \
         candidates="python$(PY) $$(ls -d "$$root"/versions/$(PY).*/bin/python$(PY) 2>/dev/null | sort -V | tail -n 1)" ;; \
    (*) candidates="$(PY)" ;; \
  esac; \
  for p in $$candidates; do \
    found=$$("$$p" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3], sys.executable)' 2>/dev/null) || continue; \
    case "$$found" in (3.11.*|3.12.*|3.13.*) echo "ok $$found"; exit 0 ;; esac; \
    seen="$${seen:-$$found}"; \
  done; echo "bad $$seen")
PY_VERSION := $(word 2,$(PICKED))
PY_PATH := $(word 3,$(PICKED))
PY_MINOR := $(basename $(PY_VERSION))
PY_PROBLEM := Alert-Team needs Python 3.11, 3.12 or 3.13; found $(if $(PY_VERSION),$(PY_MINOR) at \
  $(PY_PATH),none$(if $(PY), for PY=$(PY), on PATH)). Set PY=/path/to/python3.12 (or PY=3.12 with pyenv)
# The Python the existing venv was built with ("" when there is none, or it no longer runs).
VENV_MINOR := $(shell $(BIN)/python -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
VENV_PROBLEM := $(VENV) $(if $(VENV_MINOR),$(if $(filter $(PY_MINOR),$(VENV_MINOR)),is half-built (no \
  $(BIN)/.installed),has Python $(VENV_MINOR) not $(PY_MINOR)),has no working Python)

.PHONY: install demo test test-all lint web worker bench python FORCE
install: $(BIN)/.installed

python:
	$(if $(filter ok,$(word 1,$(PICKED))),,$(error $(PY_PROBLEM)))
	@echo "Python $(PY_VERSION) ($(PY_PATH)) for $(VENV)"

# A venv without the stamp (its install failed) or of another Python is rebuilt from scratch.
$(BIN)/.installed: requirements.txt requirements-dev.txt $(if $(filter $(PY_MINOR),$(VENV_MINOR)),,FORCE) | python
	@if [ -d $(VENV) ] && { [ ! -f $@ ] || [ "$(VENV_MINOR)" != "$(PY_MINOR)" ]; }; then \
	  echo "$(VENV_PROBLEM): rebuilding it from scratch"; rm -rf $(VENV); fi
	test -x $(BIN)/python || $(PY_PATH) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

demo: install
	$(BIN)/python -m bot demo

# Two pytest-xdist workers, a test file each at a time (a file's fixtures stay together): most
# tests wait on sockets and processes, so two at once halve the run on two cores.
# TEST_JOBS=0 runs in one process.
TEST_JOBS ?= 2
test: install
	$(BIN)/python -m pytest $(if $(filter 0,$(TEST_JOBS)),,-n $(TEST_JOBS) --dist loadfile)

# One full run per version, each in .venv-X.Y; fails if any version fails or is missing.
test-all:
	@failed=; for v in $(PYTHONS); do \
	  printf '\n======== Python %s (.venv-%s) ========\n' $$v $$v; \
	  $(MAKE) --no-print-directory test PY=$$v VENV=.venv-$$v || failed="$$failed $$v"; \
	done; \
	if [ -n "$$failed" ]; then echo "test-all: failed on Python$$failed"; exit 1; fi; \
	echo "test-all: passed on Python $(PYTHONS)"

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

FORCE:
