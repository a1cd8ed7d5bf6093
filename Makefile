# orderflow: one entry point for a fresh Debian machine (as root) or a developer laptop.
#   make setup  - OS packages (when root and missing), uv, Python deps, PostgreSQL + Kafka, migrations
#   make run    - the whole platform (API, relay, consumers, jobs) in one process; seconds once set up
#   make test   - lint, type checks, import contracts, declared dependencies, then the tests
# ORDERFLOW_DATABASE_URL + ORDERFLOW_KAFKA_BOOTSTRAP_SERVERS point everything at existing infrastructure.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

UV_VERSION := 0.13.9
VENV := .venv
BIN := $(VENV)/bin
ORDERFLOW := $(BIN)/orderflow
# uv from PATH, else the one pip installed (python3 -m uv works even when ~/.local/bin is not on PATH).
UV = $(if $(shell command -v uv),uv,python3 -m uv)

# The packages the wheel ships (pyproject: tool.hatch.build.targets.wheel) and the code that
# only runs in development; deptry checks that each imports only what it declares.
SHIPPED := orderflow domains events outbox producers consumers migrations foundation
DEVELOPMENT := devtools tests bench

define CHECKS
$(BIN)/ruff check .
$(BIN)/ruff format --check .
$(BIN)/mypy
$(BIN)/lint-imports
$(BIN)/deptry $(SHIPPED)
$(BIN)/deptry $(DEVELOPMENT) --ignore DEP002,DEP004
endef

# The subscriber kit: built as a wheel, installed into a virtualenv without orderflow, tested there.
KIT_DIST := build/kit-dist
KIT_VENV := build/kit-venv
SERVER_PACKAGES := orderflow domains events outbox producers consumers

.PHONY: help setup os-packages uv sync infra tools run test kit-test lint fmt down clean

help:
	@echo "make setup | run | test | lint | fmt | down | clean"

setup: sync infra tools
	$(ORDERFLOW) db upgrade

# Installs run again only when their lock file changed: each leaves a stamp file behind, and
# make compares the times (`make run` is seconds once set up, and needs no registry).
SYNC_STAMP := $(VENV)/.synced
TOOLS_STAMP := tools/asyncapi/node_modules/.installed

# The AsyncAPI validator (npm's @asyncapi/parser), pinned by tools/asyncapi/package-lock.json.
# Only the tests use it: `make run` does not install it.
tools: os-packages $(TOOLS_STAMP)

$(TOOLS_STAMP): tools/asyncapi/package-lock.json
	npm ci --prefix tools/asyncapi --no-audit --no-fund --loglevel=error
	touch $@

# Debian packages, installed only when missing (one apt-get update first) and only as root.
# PostgreSQL, a JRE and Maven are not needed when ORDERFLOW_DATABASE_URL and
# ORDERFLOW_KAFKA_BOOTSTRAP_SERVERS are both set, except by `make test`: its fault suite
# (tests/faults) starts a private PostgreSQL and Kafka it may kill. npm (the AsyncAPI
# validator) and prometheus (promtool, and the server the observability tests scrape
# orderflow with) are always needed.
os-packages:
	@missing=""; \
	if [ -n "$(PRIVATE_PAIR)" ] || [ -z "$${ORDERFLOW_DATABASE_URL:-}" ] \
	   || [ -z "$${ORDERFLOW_KAFKA_BOOTSTRAP_SERVERS:-}" ]; then \
	  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing="$$missing postgresql"; \
	  command -v java >/dev/null || missing="$$missing openjdk-17-jre-headless"; \
	  command -v mvn >/dev/null || missing="$$missing maven"; \
	fi; \
	command -v npm >/dev/null || missing="$$missing nodejs npm"; \
	command -v promtool >/dev/null || missing="$$missing prometheus"; \
	if ! command -v uv >/dev/null && ! python3 -m uv --version >/dev/null 2>&1 \
	   && ! python3 -m pip --version >/dev/null 2>&1; then missing="$$missing python3-pip"; fi; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "Installing OS packages:$$missing"; \
	  apt-get update; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y $$missing; \
	else \
	  echo "Missing OS packages:$$missing (install them: sudo apt-get install -y$$missing)" >&2; \
	  echo "Continuing: 'orderflow dev up' reports what it really needs." >&2; \
	fi

uv: os-packages
	@if ! command -v uv >/dev/null && ! python3 -m uv --version >/dev/null 2>&1; then \
	  echo "Installing uv $(UV_VERSION) with pip"; \
	  user=$$([ "$$(id -u)" = 0 ] || echo --user); \
	  PIP_BREAK_SYSTEM_PACKAGES=1 python3 -m pip install --quiet $$user "uv==$(UV_VERSION)"; \
	fi

sync: uv $(SYNC_STAMP)

$(SYNC_STAMP): uv.lock pyproject.toml clients/python/pyproject.toml
	$(UV) sync --frozen
	touch $@

infra: sync
	$(ORDERFLOW) dev up

run: sync infra
	$(ORDERFLOW) db upgrade
	exec $(ORDERFLOW) run

# pytest runs in two pytest-xdist workers: one waits out the fault suite (outages and restarts,
# little CPU) while the other runs the rest module by module (tests/support/parallel.py); a
# module never splits. On a quiet 2-core machine from a fresh clone: pytest 7 min 57 s with two,
# 13 min 43 s with one. `make test WORKERS=1` runs one process (e.g. on a machine already busy,
# where e2e tests' fixed waits are what suffers first).
WORKERS ?= 2
PYTEST_PARALLEL = $(if $(filter-out 1,$(WORKERS)),--numprocesses $(WORKERS) --dist loadscope --no-loadscope-reorder)

# The private pair of the fault suite: PostgreSQL's and Java's packages (above) and the Kafka
# jars (resolved with Maven the first time).
test: PRIVATE_PAIR := yes
test: setup
	$(ORDERFLOW) dev classpath >/dev/null
	$(CHECKS)
	$(MAKE) --no-print-directory kit-test
	$(BIN)/pytest $(PYTEST_PARALLEL) --durations 20

kit-test: sync
	rm -rf $(KIT_DIST) $(KIT_VENV)
	$(UV) build --quiet --package orderflow-events --wheel --out-dir $(KIT_DIST)
	$(UV) venv --quiet $(KIT_VENV)
	$(UV) pip install --quiet --python $(KIT_VENV)/bin/python \
	  "$$(ls $(KIT_DIST)/orderflow_events-*.whl)[sqlalchemy]" --group clients/python/pyproject.toml:test
	$(KIT_VENV)/bin/python -I -c 'import importlib.util as u, sys; \
	  found = [p for p in sys.argv[1:] if u.find_spec(p)]; assert not found, f"not a clean venv: {found}"' \
	  $(SERVER_PACKAGES)
	cd clients/python && ../../$(KIT_VENV)/bin/python -m pytest -q -p no:cacheprovider kit_tests

lint: sync
	$(CHECKS)

fmt: sync
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

down:
	@if [ -x $(ORDERFLOW) ]; then $(ORDERFLOW) dev down; else echo "nothing to stop (no $(VENV))"; fi

clean:
	@if [ -x $(ORDERFLOW) ]; then $(ORDERFLOW) dev down --purge; fi
	rm -rf .dev
