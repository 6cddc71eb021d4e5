# The front door of the course repository. `make help` lists the targets.
# Every target installs what it needs first, so on a fresh machine `make demo` and
# `make test` are all the set-up there is.

PYTHON     ?= python3
VENV       := .venv
PY         := $(VENV)/bin/python
RUNTIME    := $(VENV)/.runtime-installed
TESTDEPS   := $(VENV)/.test-installed
SUBMITTED  ?= submitted
OUT        ?= out
JOBS       ?=
SEED       ?= 0
ASSIGNMENTS ?=

export PYTHONHASHSEED := 0

.DEFAULT_GOAL := help
.PHONY: help install install-test sandbox-tool browser test demo release autograde formgrader student-bundle bench lint

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 16

install: $(RUNTIME) sandbox-tool ## build .venv from the pinned requirements (a no-op when nothing changed)

$(RUNTIME): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || \
	  { echo "error: Python 3.11 is required (found $$($(PYTHON) --version)); set PYTHON=python3.11"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

install-test: $(TESTDEPS) browser ## add the test-only dependencies (PyTorch CPU as the oracle, ruff, Playwright and chromium)

$(TESTDEPS): requirements-test.txt $(RUNTIME)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-test.txt
	touch $@

# $(call debian-package,COMMAND,PACKAGE,WARNING): install PACKAGE when COMMAND is missing, as root with
# apt-get; otherwise print WARNING (what goes without it).
debian-package = command -v $(1) >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && apt-get install -y -qq $(2) >/dev/null; \
	  else \
	    echo "WARNING: $(2) ($(1)) is not installed and cannot be installed here (needs root and apt-get):"; \
	    echo "         $(3)"; \
	  fi; }

sandbox-tool: ## install bubblewrap (OS isolation for student code) when missing and possible
	@$(call debian-package,bwrap,bubblewrap,student code will run with resource limits only (see README - Isolation).)

browser: ## install Debian's chromium (the formgrader test drives it with Playwright) when missing and possible
	@$(call debian-package,chromium,chromium,the formgrader browser test will fail: install Debian's chromium package.)

test: $(TESTDEPS) sandbox-tool browser ## run every test: unit, reference vs PyTorch, release drift, nbval, grading
	$(PY) -m pytest tests solutions --nbval --nbval-current-env -q

demo: install ## grade the bundled sample class and print its table
	$(PY) -m autograder demo --out demo-out --timeout 10

release: install ## regenerate assignments/ from solutions/ with nbgrader
	$(PY) -m autograder release

autograde: install ## grade $(SUBMITTED)/ into $(OUT)/ (nbgrader's submitted/ layout; JOBS=n, default all cores)
	$(PY) -m autograder grade $(SUBMITTED) --out $(OUT) --seed $(SEED) $(if $(JOBS),--jobs $(JOBS))

formgrader: install ## a Jupyter server for nbgrader's formgrader (open /formgrader), the venv's tools on its PATH
	$(PY) -m autograder gradebook --repair gradebook.db
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/jupyter server --no-browser --ServerApp.root_dir="$(CURDIR)"

student-bundle: install ## write dist/student-bundle.zip: the release (ASSIGNMENTS="id ..." for some), cs231n_utils, check, install.sh
	$(PY) -m autograder bundle --out dist/student-bundle.zip $(if $(ASSIGNMENTS),--assignments $(ASSIGNMENTS))

bench: $(TESTDEPS) ## grading speed against nbgrader's autograde, one submission's cost, training speed against PyTorch
	$(PY) benchmarks/grading_speed.py
	$(PY) benchmarks/submission_cost.py
	$(PY) benchmarks/training_speed.py

lint: $(TESTDEPS) ## ruff over the code
	$(VENV)/bin/ruff check cs231n_utils autograder tests benchmarks solutions
