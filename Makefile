# Vivido: `make run` starts it, `make test` runs every test, `make bench` prints the figures.
# Each target installs what it needs first, so both work on a fresh machine.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
export VIVIDO_VAR_DIR ?= $(CURDIR)/var

.PHONY: run cluster test bench lint format install install-dev clean

run: install var/secret-key
	@export DJANGO_SECRET_KEY="$$(cat var/secret-key)"; \
	$(PY) manage.py migrate --noinput -v 0 && \
	$(PY) manage.py ensure_local_account && \
	$(PY) manage.py load_examples && \
	$(PY) manage.py serve --host $(HOST) --port $(PORT)

# Across processes (README): the Procfile's two web processes (ports 8001 and 8002), two
# Celery workers and the beat, on the local PostgreSQL (its database created when missing)
# and Redis (channel layer on db 0, broker on db 1).
CLUSTER_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/vivido
CLUSTER_REDIS_URL ?= redis://127.0.0.1:6379/0
CLUSTER_BROKER_URL ?= redis://127.0.0.1:6379/1

cluster: install var/secret-key
	@export DJANGO_SECRET_KEY="$$(cat var/secret-key)" DATABASE_URL=$(CLUSTER_DATABASE_URL) \
		REDIS_URL=$(CLUSTER_REDIS_URL) CELERY_BROKER_URL=$(CLUSTER_BROKER_URL) \
		VIVIDO_RUN_DISPATCH=celery PATH="$(CURDIR)/$(VENV)/bin:$$PATH"; \
	$(PY) manage.py ensure_database && \
	$(PY) manage.py migrate --noinput -v 0 && \
	$(PY) manage.py ensure_local_account && \
	$(PY) manage.py load_examples && \
	$(PY) manage.py collectstatic --noinput -v 0 && \
	$(VENV)/bin/honcho start -f Procfile

POSTGRES_TEST_URL ?= postgresql://postgres@127.0.0.1:5432/vivido
# Test files run in three processes at once: the browser tests spend most of their time
# waiting on pages and servers, not on the CPU.
TEST_WORKERS ?= 3

test: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile --ignore=tests/cluster
	DATABASE_URL=$(POSTGRES_TEST_URL) $(PY) -m pytest -q -n $(TEST_WORKERS) --dist loadfile tests/api tests/db tests/wizard tests/runs tests/websockets
	# Web processes, Celery workers and the beat on PostgreSQL and Redis (their own database,
	# vivido_cluster_*): on their own, since they start a cluster of processes themselves.
	$(PY) -m pytest -q tests/cluster

bench: install-dev
	$(PY) -m bench

lint: install-dev
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check . && $(VENV)/bin/mypy

format: install-dev
	$(VENV)/bin/ruff format . && $(VENV)/bin/ruff check --fix .

install: $(VENV)/.installed node_modules/.installed
	@scripts/system-packages.sh

install-dev: $(VENV)/.installed-dev node_modules/.installed
	@scripts/system-packages.sh --with-browser

$(VENV)/bin/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Vivido needs Python 3.11 or newer"'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install -q -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install -q -e ".[dev]"
	@touch $@ $(VENV)/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

var/secret-key:
	@mkdir -p var
	@$(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))' > $@
	@chmod 600 $@

clean:
	rm -rf $(VENV) node_modules var/static .pytest_cache .ruff_cache .mypy_cache
