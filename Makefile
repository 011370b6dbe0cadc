# Jutong — two commands on a fresh machine: `make demo` and `make test`.
# Needs only Python 3.11, Java 17, git and make; everything else (uv included) is installed
# here from PyPI, into .tools/ (uv) and .venv/ (the locked environment).

SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
SYNCED := $(VENV)/.jutong-synced
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
# Byte-code compiled at install: every test subprocess (Spark, Airflow, the CLI) imports fast even
# where PYTHONDONTWRITEBYTECODE is set.
export UV_COMPILE_BYTECODE := 1

# demo size (override: make demo PEOPLE=100000 ORGS=10000)
PEOPLE ?= 20000
ORGS ?= 3000
SEED ?= 42

.PHONY: help env demo test test-e2e test-fast lint format airflow bench clean clean-lake
.DEFAULT_GOAL := help

help:
	@echo "make demo     generate a synthetic province and run it through the data path with Airflow (sets up if needed)"
	@echo "make test     run the test suite but the end-to-end tests (sets up if needed)"
	@echo "make test-e2e the end-to-end tests: generated provinces, killed Spark jobs"
	@echo "make airflow  start the Airflow UI (airflow standalone) on http://localhost:8080"
	@echo "make lint     ruff check + format check + import contracts (lint-imports)"
	@echo "make bench    run the benchmarks in bench/ (not part of the tests)"
	@echo "make clean-lake  remove the lake, landing folder, Airflow state and demo data"

$(UV):
	@test -n "$(PYTHON)" || { echo "Python 3.11 is required"; exit 1; }
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

# The environment is (re)built from the lock file whenever pyproject.toml or uv.lock change.
$(SYNCED): pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --python "$(PYTHON)"
	@touch $(SYNCED)

env: $(SYNCED)

demo: env
	$(VENV)/bin/jutong demo --people $(PEOPLE) --orgs $(ORGS) --seed $(SEED)

# test workers (pytest-xdist, one file per worker at a time: module fixtures stay shared)
TEST_WORKERS ?= 2

# `make test`: every test but the end-to-end ones (under 8 minutes on 2 cores);
# `make test-e2e`: whole generated provinces through Spark, Airflow and the base builds, and
# Spark jobs killed mid-publish (CI runs both, see .ci/run).
test: env
	$(VENV)/bin/pytest -n $(TEST_WORKERS) --dist loadfile --durations=15 -m "not e2e"

test-e2e: env
	$(VENV)/bin/pytest -n $(TEST_WORKERS) --dist loadfile --durations=15 -m e2e

test-fast: env
	$(VENV)/bin/pytest -m "not airflow and not spark"

lint: env
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: env
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

airflow: env
	$(VENV)/bin/jutong airflow standalone

bench: env
	@for b in bench/*.py; do echo "== $$b"; $(VENV)/bin/python $$b || exit 1; done

clean-lake:
	rm -rf lake landing airflow_home demo

clean: clean-lake
	rm -rf $(VENV) $(TOOLS)
