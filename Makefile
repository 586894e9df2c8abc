# Two commands on a fresh machine: `make run` and `make test`; `make prod` for the production shape.
SHELL := /bin/bash
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then echo $$p; break; fi; done)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
# Every app's templates (*/templates/**/*.html), for djhtml in `lint` and `format`.
TEMPLATES = $(shell find . \( -path ./.venv -o -path ./.git -o -path ./staticfiles -o -path ./media \) -prune \
	-o -path '*/templates/*' -name '*.html' -print | sort)

.PHONY: run prod setup test test-fast test-embedded lint format bench bench-capacity bench-capacity-storm messages clean api-baseline

$(VENV)/bin/activate:
	@test -n "$(PYTHON)" || { echo "Python 3.11 or newer is needed."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(VENV)/bin/activate
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(VENV)/bin/activate
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

# The curriculum first: the demo gives its class 5A a module of it.
setup: $(VENV)/.runtime
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_curriculum
	$(PY) manage.py load_demo

## Set up, load the demo data and serve on http://127.0.0.1:8000
run: setup
	@$(PY) manage.py demo_logins --address http://$(HOST):$(PORT)
	$(VENV)/bin/uvicorn config.asgi:application --host $(HOST) --port $(PORT) --lifespan off \
		--ws-per-message-deflate false

## The production shape on this machine (PostgreSQL, Redis): HTTP pool, websocket pool and
## task worker under honcho (Procfile); defaults printed at the start (docs/operations.md)
prod: $(VENV)/.runtime
	$(PY) -m ops.prod

## The whole suite (PostgreSQL and Redis when DATABASE_URL / REDIS_URL are set)
test: $(VENV)/.dev
	$(PY) -m pytest -n 2 --dist loadfile -m "not budget"

## The suite without the slow marks (browser journeys, fuzzing)
test-fast: $(VENV)/.dev
	$(PY) -m pytest -n 2 --dist loadfile -m "not slow and not budget"

## Smoke test of the embedded mode: SQLite and the in-memory channel layer
test-embedded: $(VENV)/.dev
	env -u DATABASE_URL -u REDIS_URL $(PY) -m pytest -m "not slow" tests/test_embedded.py tests/common/test_health.py

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	@$(VENV)/bin/djhtml --check $(TEMPLATES)
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check
	SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(64))') \
	ALLOWED_HOSTS=example.org SITE_URL=https://example.org DJANGO_SETTINGS_MODULE=config.settings.production \
	$(PY) manage.py check --deploy --fail-level WARNING

format: $(VENV)/.dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .
	@$(VENV)/bin/djhtml $(TEMPLATES)

## Record the current OpenAPI schema as the compatibility baseline (tests/test_api_compat.py)
api-baseline: $(VENV)/.dev
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) -m tests.test_api_compat

bench: $(VENV)/.dev
	@for script in bench/[!_]*.py; do [ $$script = bench/capacity.py ] && continue; \
		echo "== $$script"; $(PY) $$script || exit 1; done

## The school day's load against the production shape (docs/performance.md, "Capacity
## of a school day"); bench-capacity-storm: the sign-in storm. PostgreSQL and Redis.
bench-capacity: $(VENV)/.dev
	$(PY) bench/capacity.py steps

bench-capacity-storm: $(VENV)/.dev
	$(PY) bench/capacity.py storm

## Extract messages, fill Vietnamese from locale/vi/LC_MESSAGES/_pending_*.po (then delete them), compile
## (also locale_wagtail/, the hand-kept Vietnamese for Wagtail's admin)
messages: $(VENV)/.dev
	$(PY) manage.py makemessages -l vi --no-obsolete --ignore=.venv --ignore=staticfiles --ignore=tests --ignore=bench
	if ls locale/vi/LC_MESSAGES/_pending_*.po >/dev/null 2>&1; then \
	  msgcat --use-first locale/vi/LC_MESSAGES/_pending_*.po -o /tmp/asp-compendium.po && \
	  msgmerge --quiet --no-fuzzy-matching -C /tmp/asp-compendium.po \
	    locale/vi/LC_MESSAGES/django.po locale/vi/LC_MESSAGES/django.po -o locale/vi/LC_MESSAGES/django.po && \
	  rm -f locale/vi/LC_MESSAGES/_pending_*; fi
	$(PY) manage.py compilemessages -l vi --ignore=.venv
# Wagtail's admin in Vietnamese: hand-kept, checked and compiled, never extracted
	for po in locale_wagtail/vi/LC_MESSAGES/*.po; do msgfmt -c -o "$${po%.po}.mo" "$$po" || exit 1; done

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
