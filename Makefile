# The README's commands. Each target installs what it needs first (a fresh clone has nothing).
SHELL := /bin/bash
.DEFAULT_GOAL := help
PY := .venv/bin/python
UV_VERSION := 0.13.8
# A throwaway key for `check --deploy` under production settings (never used to sign anything).
DEPLOY_CHECK_KEY := $(shell python3 -c 'import secrets; print(secrets.token_urlsafe(64))')

.PHONY: chromium help install run test lint contract-lint client client-check typecheck checks pytest bench soak services stop-services clean

help:
	@echo "make run    - the whole console on this machine (embedded PostgreSQL + Redis, demo data, fleet)"
	@echo "make test   - lint, types, migration and deploy checks, then the whole test suite"
	@echo "make bench  - benchmarks, one JSON object per line"
	@echo "make soak   - 30 min of simulator load (JSON line a minute) + the long API fuzz run (not in CI)"
	@echo "make client - regenerate the Python client (client/console_client) from the API schema"

.venv/.installed: pyproject.toml uv.lock client/pyproject.toml
	@test -x $(PY) || python3 -m venv .venv
	@test -x .venv/bin/uv || { $(PY) -m pip --version >/dev/null 2>&1 || $(PY) -m ensurepip >/dev/null; \
	  $(PY) -m pip install -q --disable-pip-version-check "uv==$(UV_VERSION)"; }
	@.venv/bin/uv sync --frozen --inexact --python $(PY) --quiet
	@touch $@

install: .venv/.installed

run: install
	@$(PY) -m console.stack

services: install
	@$(PY) -m console.embedded start

stop-services: install
	@$(PY) -m console.embedded stop

# Browser tests drive Debian's Chromium; install it when this machine can.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "Chromium is needed for the browser tests: apt-get install chromium" >&2; exit 1; fi; }

lint: install contract-lint client-check
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

# The OpenAPI contract: the schema drf-spectacular writes (no warning allowed), linted by Spectral
# (pinned in openapi-lint/package-lock.json, installed by `npm ci`, install scripts off) with the
# rules in openapi-lint/.spectral.yaml: a summary, a tag, typed answers and problem+json errors.
openapi-lint/node_modules/.installed: openapi-lint/package.json openapi-lint/package-lock.json
	cd openapi-lint && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	@touch $@

contract-lint: install openapi-lint/node_modules/.installed
	@mkdir -p var
	DEBUG=1 $(PY) manage.py spectacular --validate --fail-on-warn --format openapi-json --file var/openapi.json
	openapi-lint/node_modules/.bin/spectral lint --ruleset openapi-lint/.spectral.yaml \
	  --fail-severity=error --display-only-failures var/openapi.json

# The Python client (client/console_client) is generated from var/openapi.json by
# openapi-python-client (pinned in uv.lock) with client/generator.yaml; `make client` rewrites it,
# `make client-check` (part of `make lint`) regenerates into var/ and fails if the committed one differs.
CLIENT_GEN = rm -rf var/client-gen && mkdir -p var/client-gen && \
  PATH="$(CURDIR)/.venv/bin:$$PATH" .venv/bin/openapi-python-client generate --path var/openapi.json \
  --config client/generator.yaml --meta none --output-path var/client-gen/console_client >/dev/null

client: contract-lint
	@$(CLIENT_GEN)
	rm -rf client/console_client && mv var/client-gen/console_client client/console_client

client-check: contract-lint
	@$(CLIENT_GEN)
	@diff -r -q -x __pycache__ var/client-gen/console_client client/console_client \
	  || { echo "client/console_client does not match the API schema: run 'make client' and commit it" >&2; exit 1; }

typecheck: install
	DEBUG=1 .venv/bin/mypy .

checks: install services
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run
	DEBUG=0 SECRET_KEY='$(DEPLOY_CHECK_KEY)' AUDIT_ANCHOR_KEY='$(DEPLOY_CHECK_KEY)' ALLOWED_HOSTS=console.example.com \
	  $(PY) manage.py check --deploy --fail-level WARNING

pytest: install services chromium
	DEBUG=1 .venv/bin/pytest $(PYTEST_ARGS)

test: lint typecheck checks pytest

bench: install services
	@DEBUG=1 $(PY) -m bench

# SOAK_MINUTES (default 30) of load with latency and memory each minute, then Schemathesis with
# FUZZ_EXAMPLES (default 50) examples per operation. Not part of `make test` or CI.
SOAK_MINUTES ?= 30
FUZZ_EXAMPLES ?= 50
soak: install services
	@DEBUG=1 SOAK_MINUTES=$(SOAK_MINUTES) $(PY) -m soak
	DEBUG=1 FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) .venv/bin/pytest tests/test_api_fuzz.py -q

clean:
	rm -rf .venv .mypy_cache .ruff_cache
