# Two commands set everything up on a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
export PYTHONDONTWRITEBYTECODE := 1
# The real Functions worker for Python 3.13+ (PyPI azure-functions-runtime) runs in a venv of its own.
WORKER_VENV := .venv-worker
WORKER_PYTHON ?= $(shell for p in $$HOME/.pyenv/versions/3.13*/bin/python3.13 $$(command -v python3.13 python3.14); do \
	"$$p" -c 'import sys; assert sys.version_info >= (3, 13)' 2>/dev/null && { echo "$$p"; break; }; done)

.PHONY: run test lint typecheck unit bench infra-check sql-check worker-check azurite web web-check browser-tests clean help

help:
	@echo "make run    - install, build the web dashboard, migrate a SQLite database, load the demo team, start on :7071"
	@echo "make web    - build the web dashboard into web/dist (esbuild; npm packages only, nothing fetched at run time)"
	@echo "make test   - install dev tools and Azurite, build the dashboard, then ruff, mypy, checkov, the T-SQL and worker checks, pytest (browser tests too)"
	@echo "make bench  - benchmarks: prints a table and writes bench/results.json"

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

# The npm packages: the dashboard's build (esbuild, Preact, TypeScript), Azurite, axe-core. `npm ci` follows the lock
# file exactly (offline from npm's cache when it has them).
NPM_STAMP := node_modules/.installed
$(NPM_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is missing: install Node.js 20 + npm (the dashboard's build and Azurite need it)" >&2; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

azurite: $(NPM_STAMP)

# The web dashboard: web/src -> web/dist (hashed, minified, precompressed). The local host serves it at /.
WEB_SOURCES := $(shell find web/src web/public -type f 2>/dev/null) web/index.html web/build.mjs
web/dist/index.html: $(NPM_STAMP) $(WEB_SOURCES)
	npm run -s build:web

web: web/dist/index.html

web-check: $(NPM_STAMP)
	npm run -s typecheck

# Local-only defaults for `make run` (the host listens on 127.0.0.1); production secrets live in Key Vault.
run: export WEBHOOK_SECRET ?= local-webhook-secret-change-me
run: export AUTH_SECRET ?= local-auth-secret-change-me-32-bytes-min
run: $(VENV)/.runtime web
	$(PY) -m crm_core db upgrade
	$(PY) -m crm_core demo seed --if-empty
	$(PY) -m crm_core serve --host $${HOST:-127.0.0.1} --port $${PORT:-7071}

lint: $(VENV)/.dev web-check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check crm_core function_app.py

typecheck: $(VENV)/.dev
	$(BIN)/mypy crm_core function_app.py

infra-check: $(VENV)/.dev
	BC_SKIP_MAPPING=TRUE $(BIN)/checkov --quiet --compact --skip-download -d infra --framework bicep

# The offline SQL a DBA would run on Azure SQL parses as T-SQL (sqlfluff's tsql dialect).
sql-check: $(VENV)/.dev
	$(PY) -m crm_core db sql --dialect mssql > $(VENV)/schema.mssql.sql
	$(BIN)/sqlfluff parse --dialect tsql $(VENV)/schema.mssql.sql > $(VENV)/schema.parse.txt \
		|| { grep -E "PRS|unparsable" $(VENV)/schema.parse.txt; exit 1; }
	@echo "sql-check: the T-SQL schema parses"

$(WORKER_VENV)/.installed: requirements.txt
	@test -n "$(WORKER_PYTHON)" || { echo "worker-check needs Python 3.13 for azure-functions-runtime (e.g. pyenv install 3.13)"; exit 1; }
	rm -rf $(WORKER_VENV)
	$(WORKER_PYTHON) -m venv $(WORKER_VENV)
	$(WORKER_VENV)/bin/python -m pip install -q -r requirements.txt azure-functions-runtime
	touch $@

# The real Python worker indexes function_app and invokes an HTTP, a queue and a timer function (tools/worker_check.py).
worker-check:
	@if [ -z "$(WORKER_PYTHON)" ] && [ "$${CI:-}" != "true" ]; then \
		echo "worker-check skipped: no Python 3.13 here (CI requires it)"; \
	else $(MAKE) --no-print-directory $(WORKER_VENV)/.installed && $(WORKER_VENV)/bin/python tools/worker_check.py; fi

# The browser tests (tests/web, marker `browser`) drive Debian's Chromium (/usr/bin/chromium) with Playwright; they
# are skipped only when no Chromium can be found, and CI (.ci/run) installs it first and fails without it.
test: $(VENV)/.dev azurite web lint typecheck infra-check sql-check worker-check
	$(BIN)/pytest -q

browser-tests: $(VENV)/.dev web
	$(BIN)/pytest -q tests/web -m browser

unit: $(VENV)/.dev
	$(BIN)/pytest -q tests -m "not postgres and not azurite and not e2e and not browser"

bench: $(VENV)/.dev azurite web
	$(PY) -m bench

clean:
	rm -rf $(VENV) $(WORKER_VENV) node_modules web/dist .pytest_cache .mypy_cache .ruff_cache crm.db*
