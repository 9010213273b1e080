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

# The suite but the browser tests on two pytest-xdist workers (CI machines have 2 cores), then
# the browser tests alone in one process, as before: two Chromiums drawing Flutter in software
# at once starve each other into timeouts. (xdist's --dist loadgroup cannot keep them on one
# worker under pytest 9.2: pytest-xdist#1386.) `make test JOBS=0` runs everything in one process.
JOBS ?= 2
PYTEST_JOBS = $(if $(filter 0,$(JOBS)),,-n $(JOBS))

test: install ## Set up Chromium and PostgreSQL when missing, run every test, then the phone's set
	bash tools/setup_test_machine.sh
	$(PY) -m pytest $(PYTEST_JOBS) -m "not browser"
	$(PY) -m pytest -m browser
	$(PY) -m tools.android.phone_tests $(PYTEST_JOBS)

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
