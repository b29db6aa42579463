# Voisinage — the two commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
# Checks and catalogues run on the test settings: they need no .env and no variable.
TEST_MANAGE := DJANGO_SETTINGS_MODULE=portal.settings.test $(MANAGE)
INSTALLED := $(VENV)/.installed
# Parallel test processes (pytest-xdist); browser tests share one live server and run apart.
TEST_WORKERS ?= 2
MESSAGES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/django.po))

.PHONY: install demo serve test lint bench screenshots messages clean

install: $(INSTALLED) $(MESSAGES)

# Locked, hash-checked versions; re-run only when the lock file changes.
$(INSTALLED): requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	touch $@

# Translation catalogues are compiled by the install step (Babel: no system gettext needed).
locale/%/LC_MESSAGES/django.mo: locale/%/LC_MESSAGES/django.po $(INSTALLED)
	$(BIN)/pybabel compile -i $< -o $@

# The settings are production's unless told otherwise: the demo's choice (development
# settings, a secret key of this checkout only) is written once to the git-ignored .env,
# which manage.py reads, so the README's commands work in this checkout too.
.env:
	@printf '# Written by `make demo`: this checkout runs the development settings.\nDEBUG=true\nSECRET_KEY=%s\n' \
	  "$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')" > $@
	@echo "Wrote .env: DEBUG=true and a secret key of this checkout only (git-ignored)."

demo: install .env
	$(MANAGE) migrate --no-input
	$(MANAGE) load_demo
	@echo "Voisinage : http://cadaujac.localhost:8000  http://didenheim.localhost:8000  http://127.0.0.1:8000"
	$(MANAGE) runserver 0.0.0.0:8000

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

test: install lint messages
	$(TEST_MANAGE) makemigrations --check --dry-run
	$(BIN)/pytest -p no:cacheprovider -n $(TEST_WORKERS) -m "not browser" $(PYTEST_ARGS)
	$(BIN)/pytest -p no:cacheprovider -m browser $(PYTEST_ARGS)

# Page benchmarks (wrk against gunicorn) on a platform of 600 communes and a million members
# (PostgreSQL; the first seed takes about 20 minutes, `make bench BENCH_SCALE=demo` measures the
# demo's data alone), then the alert pipeline (PostgreSQL, Redis, a worker), then the mairie's
# dashboard on a year of seeded alerts (PostgreSQL). See benchmarks/README.md.
bench: install
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/alerts.py
	$(BIN)/python benchmarks/dashboard.py

# The main pages of the demo at 390 px and 1280 px, as PNG files in var/screenshots/ (Chromium
# against a live server on the test database: nothing to start first).
screenshots: install
	$(BIN)/pytest -p no:cacheprovider -q -s -m browser tests/browser/screenshots.py

# Extract new strings into the catalogues (developers, after changing user-facing text).
messages: install
	$(TEST_MANAGE) makemessages -l fr -l en --no-obsolete --no-location --ignore=.venv --ignore=var --ignore=tests --ignore=benchmarks

clean:
	rm -rf $(VENV) var
