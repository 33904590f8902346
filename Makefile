# Two commands on a fresh machine:  `make run`  and  `make test`  (see README).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Debian packages: WeasyPrint needs Pango and fonts; the browser tests need Chromium; pdftoppm for report previews;
# SoftHSM2 for the PKCS#11 (HSM) signing test; pg_dump/pg_restore for the backup-and-restore test.
RUN_DEBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
TEST_DEBS := $(RUN_DEBS) chromium poppler-utils softhsm2 postgresql-client

.PHONY: import-references import-profile run test lint format sysdeps-run sysdeps-test venv migrate signing demo import import-extension worker bench clean
# Development commands run manage.py with DEBUG=1 (development settings; production refuses to start without
# SECRET_KEY). `make import FILE=...` and friends are the development route for the README's commands.
MANAGE := DEBUG=1 $(BIN)/python manage.py

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

venv: $(BIN)/.installed

# Installs missing Debian packages when we are root (CI, containers); otherwise says what is missing.
define apt_install
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "Please install these Debian packages:$$missing"; fi; \
	fi
endef

sysdeps-run:
	$(call apt_install,$(RUN_DEBS))

sysdeps-test:
	$(call apt_install,$(TEST_DEBS))

migrate: venv
	$(MANAGE) migrate --noinput

# The report-signing CA and certificate under var/signing, made once (as `manage.py init_signing`).
signing: venv
	$(MANAGE) init_signing --if-missing

demo: migrate signing
	$(MANAGE) setup_demo --address $(HOST):$(PORT)

run: sysdeps-run demo
	$(MANAGE) runserver $(HOST):$(PORT)

import: migrate
	@test -n "$(FILE)" || { echo "usage: make import FILE=path/to/pkimm-model-1.1.0.yaml"; exit 2; }
	$(MANAGE) import_model "$(FILE)"

import-references: migrate
	@test -n "$(FILE)" || { echo "usage: make import-references FILE=path/to/pkimm-references.yaml"; exit 2; }
	$(MANAGE) import_references "$(FILE)"

import-profile: migrate
	@test -n "$(FILE)" || { echo "usage: make import-profile FILE=path/to/pkimm-self-assessment-profile-1.0.0.yaml"; exit 2; }
	$(MANAGE) import_profile "$(FILE)"

import-extension: migrate
	@test -n "$(FILE)" || { echo "usage: make import-extension FILE=path/to/extensions/pqc-extension.yaml"; exit 2; }
	$(MANAGE) import_extension "$(FILE)"

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: sysdeps-test venv lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

worker: venv
	$(BIN)/celery -A pkimm worker -Q default,reports -l info --prefetch-multiplier=1

# Benchmarks (not tests). The questionnaire one needs PostgreSQL: BENCH_DATABASE_URL=postgres://...
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/pkimm_bench
bench: venv sysdeps-run
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python bench/questionnaire.py
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python bench/live_poll.py
	$(BIN)/python bench/report_render.py

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
