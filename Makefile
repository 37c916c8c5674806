# The two commands: `make run` and `make test`. Both set up everything they need and can run
# any number of times. See README.md.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP_PY := $(VENV)/.installed
STAMP_NPM := node_modules/.installed
RUNTIME_DEBS := fonts-noto-cjk libharfbuzz-subset0 gettext
TEST_DEBS := chromium poppler-utils

.PHONY: run test setup system-packages system-packages-test venv npm db messages lint bench clean

run: setup system-packages db
	$(PY) manage.py collectstatic --noinput -v 0
	$(PY) manage.py ensure_admin
	$(PY) manage.py seed_demo  # DEMO_ORDERS orders (default 2,000); only what is missing
	$(PY) manage.py runall

test: setup system-packages system-packages-test messages
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest

setup: venv npm

venv: $(STAMP_PY)
$(STAMP_PY): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

npm: $(STAMP_NPM)
$(STAMP_NPM): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Debian packages: installed when we are root and they are missing; otherwise we say what is missing.
system-packages:
	@bash scripts/debian-packages.sh $(RUNTIME_DEBS)

system-packages-test:
	@bash scripts/debian-packages.sh $(TEST_DEBS)

messages: venv
	$(PY) manage.py compilemessages -v 0 --ignore '.venv/*' --ignore 'node_modules/*'

db: venv messages
	$(PY) manage.py migrate --noinput -v 1

bench: setup db
	$(PY) bench/stock_services.py
	$(PY) bench/order_list.py
	$(PY) bench/order_throughput.py

clean:
	rm -rf $(VENV) node_modules staticfiles
