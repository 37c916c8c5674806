# The two commands: `make run` and `make test`. Both set up everything they need and can run
# any number of times. See README.md.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP_PY := $(VENV)/.installed
STAMP_NPM := node_modules/.installed
RUNTIME_DEBS := fonts-noto-cjk libharfbuzz-subset0 gettext
TEST_DEBS := chromium poppler-utils zbar-tools

# Python packages install from the lock files (exact versions with hashes); pyproject.toml keeps
# the ranges they are resolved from. See `make lock` and `make upgrade` below.
LOCK_BASE := requirements/base.txt
LOCK_TEST := requirements/test.txt
PIP_COMPILE := CUSTOM_COMPILE_COMMAND="make lock / make upgrade" $(VENV)/bin/pip-compile --quiet \
	--generate-hashes --strip-extras --no-emit-index-url --no-emit-find-links

.PHONY: run test lint setup system-packages system-packages-test venv npm db messages \
	messages-check messages-update lock upgrade bench clean

run: setup system-packages db
	$(PY) manage.py collectstatic --noinput -v 0
	$(PY) manage.py ensure_admin
	$(PY) manage.py seed_demo  # DEMO_ORDERS orders (default 2,000); only what is missing
	$(PY) manage.py runall

test: setup system-packages system-packages-test messages lint messages-check
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest -n 2 --dist loadfile  # two workers, a test file stays in one

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) scripts/check-lock.py
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/mypy

setup: venv npm

venv: $(STAMP_PY)
$(STAMP_PY): $(LOCK_TEST) pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r $(LOCK_TEST)
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

# Pin what pyproject.toml added or changed, keeping every other pin (needs the network).
lock:
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet pip-tools
	$(PIP_COMPILE) -o $(LOCK_BASE) pyproject.toml
	$(PIP_COMPILE) --extra test -c $(LOCK_BASE) -o $(LOCK_TEST) pyproject.toml

# Move every pin to the newest version that pyproject.toml's ranges allow. The test lock is
# constrained by the runtime lock, so tests run exactly what production installs.
upgrade:
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet pip-tools
	$(PIP_COMPILE) --upgrade -o $(LOCK_BASE) pyproject.toml
	$(PIP_COMPILE) --upgrade --extra test -c $(LOCK_BASE) -o $(LOCK_TEST) pyproject.toml

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

# One makemessages command for both targets below. Directories that are not the product's code
# are skipped (.venv and other dot-directories, and STATIC_ROOT, makemessages skips itself).
MAKEMESSAGES := manage.py makemessages -l zh_Hans --no-obsolete --ignore 'node_modules/*' \
	--ignore 'var/*' --ignore 'test-results/*' --ignore 'tests/*' --ignore 'bench/*'

# Fails when makemessages would change the catalogue (new or stale strings) or when a string
# is untranslated or fuzzy.
messages-check: venv
	bash scripts/check-messages.sh $(PY) $(MAKEMESSAGES)

# For contributors: bring locale/ up to date with the code, then translate what is new.
messages-update: venv
	$(PY) $(MAKEMESSAGES)

db: venv messages
	$(PY) manage.py migrate --noinput -v 1

bench: setup db
	$(PY) bench/stock_services.py
	$(PY) bench/order_list.py
	$(PY) bench/order_list.py --concurrent
	$(PY) bench/export.py
	$(PY) bench/ledger_search.py
	$(PY) bench/order_throughput.py
	$(PY) bench/pick_list.py
	$(PY) bench/batch_print.py
	$(PY) bench/tracking_poll.py
	$(PY) bench/shipment_create.py
	$(PY) bench/track_page.py
	$(PY) bench/payments.py
	$(PY) bench/receivables.py
	$(PY) bench/import_orders.py
	$(PY) bench/dashboard.py

clean:
	rm -rf $(VENV) node_modules staticfiles
