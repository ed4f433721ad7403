# Visitbook: the two commands a newcomer needs are `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py

# The demo: embedded SQLite, no Redis, Celery tasks run in-process, mail printed to the console.
DEMO_ENV := DEBUG=1 DATABASE_URL=sqlite:///$(CURDIR)/demo.sqlite3 REDIS_URL= \
	CELERY_TASK_ALWAYS_EAGER=1 EMAIL_BACKEND=django.core.mail.backends.console.EmailBackend

# The tests: the real PostgreSQL and Redis on localhost unless told otherwise.
DATABASE_URL ?= postgres://postgres@localhost:5432/visitbook
REDIS_URL ?= redis://localhost:6379/15
TEST_ENV := DATABASE_URL=$(DATABASE_URL) REDIS_URL=$(REDIS_URL)

.PHONY: demo test install assets messages lint format makemessages clean

demo: install assets messages
	$(DEMO_ENV) $(MANAGE) migrate --no-input
	$(DEMO_ENV) $(MANAGE) load_reference
	$(DEMO_ENV) $(MANAGE) seed_demo
	@echo "Visitbook demo: http://127.0.0.1:8000 (log-ins above)"
	$(DEMO_ENV) $(MANAGE) runserver 127.0.0.1:8000 --noreload

test: install assets messages
	$(TEST_ENV) $(BIN)/pytest

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# Front-end packages come from the npm registry and are served by the app (no CDN).
assets: node_modules/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	touch $@

# Translations are kept as .po files and compiled in the build.
messages: install
	cd $(CURDIR) && DEBUG=1 $(MANAGE) compilemessages --ignore '.venv' --ignore 'node_modules' -v0

makemessages: install
	DEBUG=1 $(MANAGE) makemessages -l da -l en --ignore '.venv/*' --ignore 'node_modules/*' --ignore 'staticfiles/*'

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=1 $(MANAGE) makemigrations --check --dry-run

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) node_modules staticfiles demo.sqlite3 visitbook.egg-info
