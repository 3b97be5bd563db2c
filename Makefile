# `make run` opens the window, `make test` runs every check. Both set up .venv first.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP_APP := $(VENV)/.stamp-app
STAMP_TEST := $(VENV)/.stamp-test

.PHONY: run install test lint typecheck pytest bench package clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP_APP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(STAMP_TEST): pyproject.toml $(STAMP_APP)
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

run: $(STAMP_APP)
	$(PY) -m dedupe_gui $(ARGS)

# `dedupe-gui` on the PATH: a link to the launcher in this checkout's .venv.
BINDIR ?= $(HOME)/.local/bin
install: $(STAMP_APP)
	mkdir -p $(BINDIR)
	ln -sf $(abspath $(VENV))/bin/dedupe-gui $(BINDIR)/dedupe-gui
	@case ":$$PATH:" in *":$(BINDIR):"*) ;; *) echo "Add $(BINDIR) to your PATH to run dedupe-gui.";; esac

LINT_PATHS := $(wildcard dedupe_gui tests bench packaging)

lint: $(STAMP_TEST)
	$(PY) -m ruff check $(LINT_PATHS)
	$(PY) -m ruff format --check $(LINT_PATHS)

typecheck: $(STAMP_TEST)
	$(PY) -m mypy

pytest: $(STAMP_TEST)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q -n 2 $(PYTEST_ARGS)

test: lint typecheck pytest

clean:
	rm -rf $(VENV) build dist *.egg-info .mypy_cache .ruff_cache .pytest_cache

package: $(STAMP_APP)
	PY=$(PY) bash packaging/build.sh
	PY=$(PY) bash packaging/smoke_test.sh
