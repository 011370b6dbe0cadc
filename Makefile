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

.PHONY: help env demo test test-e2e test-fast test-stack stack stack-jars stack-down stack-status compose-check lint format airflow bench clean clean-lake
.DEFAULT_GOAL := help

help:
	@echo "make demo     generate a synthetic province and run it through the data path with Airflow (sets up if needed)"
	@echo "make test     run the test suite but the end-to-end tests (sets up if needed)"
	@echo "make test-e2e the end-to-end tests: generated provinces, killed Spark jobs"
	@echo "make stack    start the real stack under .stack/ (PostgreSQL, SeaweedFS S3 + Iceberg REST, Spark"
	@echo "              standalone, Redis, Airflow with Celery); then: source .stack/env (docs/stack.md)"
	@echo "make stack-down  stop the stack (data stays in .stack/)"
	@echo "make test-stack  the stack tests: start a whole stack in a temporary folder, probe it, stop it"
	@echo "make compose-check  validate docker/docker-compose.yml (docker-compose config, no engine needed)"
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
	$(VENV)/bin/pytest -n $(TEST_WORKERS) --dist loadfile --durations=15 -m "not e2e and not stack"

test-e2e: env
	$(VENV)/bin/pytest -n $(TEST_WORKERS) --dist loadfile --durations=15 -m e2e

test-fast: env
	$(VENV)/bin/pytest -m "not airflow and not spark and not stack"

# the real stack on one machine (issue 18): redis-server is installed from Debian's packages
# when missing (as root); everything else comes from the locked environment
test-stack: env stack-jars
	$(VENV)/bin/pytest --durations=15 -m stack tests/stack

stack: env stack-jars
	$(VENV)/bin/jutong stack up

# Spark's s3a:// jars (hadoop-aws 3.3.1 + its AWS SDK bundle) from the sagemaker-pyspark sdist
# on PyPI, checksums verified, into .tools/jars: this machine's compromise (docs/stack.md)
# the bundle is extracted last: its presence means both jars are in place
JARS_STAMP := $(TOOLS)/jars/aws-java-sdk-bundle-1.11.901.jar
stack-jars: $(JARS_STAMP)

$(JARS_STAMP): | $(UV) $(SYNCED)
	$(VENV)/bin/python -m jutong.stack.jars --dest $(TOOLS)/jars --pip "$(TOOLS)/bin/pip"

stack-down:
	@test -x $(VENV)/bin/jutong || { echo "no environment: nothing was started"; exit 0; }
	$(VENV)/bin/jutong stack down

stack-status:
	$(VENV)/bin/jutong stack status

# docker/docker-compose.yml validated without a container engine: docker-compose 1.29.2 from
# PyPI in its own environment .tools/compose (its PyYAML<6 pin clashes with the project's),
# built with cython<3 (PyYAML 5.4's sdist does not build with Cython 3). tests/test_docker_stack.py
# runs the same check when that environment exists (CI_REQUIRE_COMPOSE=1: required).
COMPOSE := $(TOOLS)/compose/bin/docker-compose
compose-check: $(COMPOSE)
	$(COMPOSE) -f docker/docker-compose.yml --env-file docker/.env.example config -q
	@echo "docker/docker-compose.yml: valid (docker-compose config -q)"

$(COMPOSE):
	@test -n "$(PYTHON)" || { echo "Python 3.11 is required"; exit 1; }
	$(PYTHON) -m venv $(TOOLS)/compose
	echo 'cython<3' > $(TOOLS)/compose/constraints.txt
	PIP_CONSTRAINT="$(CURDIR)/$(TOOLS)/compose/constraints.txt" $(TOOLS)/compose/bin/pip install \
		--quiet --disable-pip-version-check "docker-compose==1.29.2"

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
	@for b in bench/[a-z]*.py; do echo "== $$b"; $(VENV)/bin/python $$b || exit 1; done

clean-lake:
	rm -rf lake landing airflow_home demo

clean: clean-lake
	rm -rf $(VENV) $(TOOLS)
