# Poruch — one entry point for every dev command. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: help install run test test-fast lint bench soak clean

help: ## Show this list of targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

install: $(STAMP) ## Create .venv and install the project with every extra (.[dev])

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: install ## Start the sync server on SQLite with demo data and serve the app in the browser view
	$(PY) -m tools.run_dev

# Two pytest-xdist workers (CI machines have 2 cores); `make test JOBS=0` runs in one process.
# The browser tests form one xdist group, so they run one after another on one worker
# (tests/conftest.py); every live server, database and folder is per worker.
JOBS ?= 2
PYTEST_JOBS = $(if $(filter 0,$(JOBS)),,-n $(JOBS) --dist loadgroup)

test: install ## Set up Chromium and PostgreSQL when missing, run every test, then the phone's set
	bash tools/setup_test_machine.sh
	$(PY) -m pytest $(PYTEST_JOBS)
	$(PY) -m tools.android.phone_tests

test-fast: install ## Run the tests that need neither PostgreSQL nor a browser
	$(PY) -m pytest -m "not postgres and not browser and not slow"

lint: install ## ruff and mypy
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

bench: install ## Run the benchmarks in bench/ and print their figures
	$(PY) -m bench

soak: install ## Long randomized sync simulations: SEEDS (default 20) seeds of OPS (default 4000) steps
	PORUCH_SOAK_SEEDS=$${SEEDS:-20} PORUCH_SIM_OPS=$${OPS:-4000} $(PY) -m pytest -s tests/sync/test_convergence.py

clean: ## Remove the virtualenv, caches and local data
	rm -rf $(VENV) .venv-phone .pytest_cache .mypy_cache .ruff_cache .hypothesis data tests/artifacts
