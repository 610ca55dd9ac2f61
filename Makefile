# Two commands set everything up on a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test lint typecheck unit bench infra-check azurite clean help

help:
	@echo "make run    - install, migrate a SQLite database, load the demo team, start the bot on :7071"
	@echo "make test   - install dev tools and Azurite, then ruff, mypy, checkov and pytest"
	@echo "make bench  - benchmarks: prints a table and writes bench/results.json"

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

node_modules/.bin/azurite-queue: package.json
	npm install --no-audit --no-fund --loglevel=error
	touch $@

azurite: node_modules/.bin/azurite-queue

# Local-only defaults for `make run` (the host listens on 127.0.0.1); production secrets live in Key Vault.
run: export WEBHOOK_SECRET ?= local-webhook-secret-change-me
run: export AUTH_SECRET ?= local-auth-secret-change-me-32-bytes-min
run: $(VENV)/.runtime
	$(PY) -m crm_core db upgrade
	$(PY) -m crm_core demo seed --if-empty
	$(PY) -m crm_core serve --host $${HOST:-127.0.0.1} --port $${PORT:-7071}

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check crm_core function_app.py

typecheck: $(VENV)/.dev
	$(BIN)/mypy crm_core function_app.py

infra-check: $(VENV)/.dev
	BC_SKIP_MAPPING=TRUE $(BIN)/checkov --quiet --compact --skip-download -d infra --framework bicep

test: $(VENV)/.dev azurite lint typecheck infra-check
	$(BIN)/pytest -q

unit: $(VENV)/.dev
	$(BIN)/pytest -q tests -m "not postgres and not azurite and not e2e"

bench: $(VENV)/.dev azurite
	$(PY) -m bench

clean:
	rm -rf $(VENV) node_modules .pytest_cache .mypy_cache .ruff_cache crm.db*
