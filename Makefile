# Two commands for a newcomer on a fresh Debian machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000

# WeasyPrint needs pango and harfbuzz-subset; the forms need a CJK font; tests read PDFs with poppler.
RUNTIME_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk poppler-utils
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test lint mutants mutants-report serve install system-packages test-packages migrate seed check bench fuzz clean backup restore print-samples

run: install migrate seed serve ## venv, packages, migrate, demo data, serve on 127.0.0.1:8000

test: install test-packages ## the whole suite
	$(VENV)/bin/pytest

lint: install ## ruff (lint and format) and the import contracts of pyproject.toml
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

# mutmut 3 (configuration in pyproject.toml): copies the code to mutants/, mutates the workflow's
# conditions, the permission predicates, the state table and the selectors, and runs the tests that
# reach each mutant. About an hour on this 2-core machine; not part of CI.
mutants: install
	rm -rf mutants
	$(VENV)/bin/mutmut run --max-children 2
	@$(MAKE) -s mutants-report

mutants-report: ## per module: mutants made, killed, survived, without tests, killed share
	@printf "%-20s %6s %7s %9s %9s %7s\n" module made killed survived "no tests" killed
	@$(VENV)/bin/mutmut results --all true | awk -F': ' '{ split($$1, part, "."); m = part[1] "." part[2]; \
	  gsub(/ /, "", m); made[m]++; state[m, $$2]++ } END { for (m in made) printf "%-20s %6d %7d %9d %9d %6.1f%%\n", \
	  m, made[m], state[m, "killed"], state[m, "survived"], state[m, "no tests"], 100 * state[m, "killed"] / made[m] }' \
	  | sort

serve:
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(PY) manage.py runserver $(HOST):$(PORT)

system-packages:
	@missing=$$(for p in $(RUNTIME_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then echo "Installing: $$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; fi

# Browser tests drive Debian's Chromium with Playwright (never `playwright install`); axe-core comes from npm;
# the HTML validity test runs the Nu Html Checker on Java; zbarimg scans the QR codes printed on documents.
test-packages: system-packages
	@missing=""; dpkg -s chromium >/dev/null 2>&1 || missing="chromium"; command -v npm >/dev/null || missing="$$missing npm"; \
	command -v java >/dev/null || missing="$$missing default-jre-headless"; \
	command -v pg_dump >/dev/null || missing="$$missing postgresql-client"; \
	command -v zbarimg >/dev/null || missing="$$missing zbar-tools"; \
	if [ -n "$$missing" ]; then echo "Installing:$$missing"; $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; fi
	@[ -f node_modules/axe-core/axe.min.js ] || npm ci --no-audit --no-fund --silent

$(VENV)/.installed: requirements.txt
	@[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --disable-pip-version-check -r requirements.txt
	@touch $@

install: system-packages $(VENV)/.installed

migrate:
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(PY) manage.py migrate --no-input
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(PY) manage.py createcachetable
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(PY) manage.py load_reference_data

seed:
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(PY) manage.py seed_demo

check: install ## migrations and system checks
	DJANGO_DEBUG=1 $(PY) manage.py makemigrations --check --dry-run
	DJANGO_DEBUG=1 $(PY) manage.py check

# Backups (docs/backup.md): a folder under BACKUP_DIR (default var/backups) with the database, the private files
# and their SHA-256 sums; restore verifies the sums first and refuses a target holding data unless FORCE=1.
backup: ## database (pg_dump -Fc, or SQLite's backup API) and private files into var/backups/<time>/
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(PY) manage.py backup

restore: ## BACKUP=var/backups/<time> [FORCE=1]: verify the sums, restore, compare the row counts
	@[ -n "$(BACKUP)" ] || { echo "用法：make restore BACKUP=var/backups/<时间> [FORCE=1]" >&2; exit 2; }
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(PY) manage.py restore "$(BACKUP)" $(if $(FORCE),--force)

clean:
	rm -rf $(VENV) node_modules staticfiles db.sqlite3 var

# What users feel (scripts/bench.py, docs/performance.md): seeds seed_demo and then seed_volume's 20,000 applications
# into the database DATABASE_URL names, which must hold no applications (unset: the scratch PostgreSQL database
# `bench`, dropped and made afresh), serves it with gunicorn (2 sync workers, debug off) and drives each page with
# wrk at 20 connections. About 12 minutes here.
BENCH_DATABASE_URL := $(or $(DATABASE_URL),postgres://postgres@127.0.0.1:5432/bench)
BENCH_ARGS ?= $(if $(DATABASE_URL),,--fresh)
bench: install
	@command -v wrk >/dev/null || { $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends wrk; }
	$(PY) scripts/bench.py --database-url $(BENCH_DATABASE_URL) $(BENCH_ARGS)

# The printed forms as a reviewer sees them: sample 附表1–3 (filled, a draft, a county-level one) rendered by the
# application's own code from applications built in memory (no database) into docs/print/*.png (scripts/print_samples.py).
print-samples: install
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(PY) scripts/print_samples.py

# Posts 10,000 generated submissions to every form the demo users reach on a scratch SQLite instance
# (sign-in lockout and throttles off) and fails on any 5xx or on a refused post that stored a row
# (scripts/fuzz.py; the server's log in var/fuzz-server.log). About 8 minutes here; not part of CI.
# FUZZ_ARGS=--by-route adds the answers per URL.
FUZZ_ENV := DATABASE_URL=sqlite:///$(CURDIR)/var/fuzz.sqlite3 DJANGO_DEBUG=1 AXES_ENABLED=false RATELIMIT_ENABLE=false \
  PRIVATE_MEDIA_ROOT=$(CURDIR)/var/fuzz-private EMAIL_URL=consolemail://
FUZZ_PORT ?= 8765
FUZZ_POSTS ?= 10000
fuzz: install
	@mkdir -p var && rm -rf var/fuzz.sqlite3* var/fuzz-private var/fuzz-server.log
	@$(FUZZ_ENV) $(PY) manage.py migrate -v0 && $(FUZZ_ENV) $(PY) manage.py createcachetable
	@$(FUZZ_ENV) $(PY) manage.py load_reference_data >/dev/null && $(FUZZ_ENV) $(PY) manage.py seed_demo >/dev/null
	@$(FUZZ_ENV) $(VENV)/bin/gunicorn shaoxing_trade_secret.wsgi -b 127.0.0.1:$(FUZZ_PORT) -w 2 \
	  --error-logfile var/fuzz-server.log --capture-output --pid var/fuzz-server.pid --daemon
	@for _ in $$(seq 1 50); do curl -sf http://127.0.0.1:$(FUZZ_PORT)/healthz >/dev/null && break; sleep 0.2; done
	@$(PY) scripts/fuzz.py --url http://127.0.0.1:$(FUZZ_PORT) --posts $(FUZZ_POSTS) --db var/fuzz.sqlite3 $(FUZZ_ARGS); \
	  status=$$?; kill $$(cat var/fuzz-server.pid); exit $$status
