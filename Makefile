# Two commands for a newcomer: `make run` and `make test`. Everything they need is installed here.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
MO := locale/sv/LC_MESSAGES/django.mo
PO := locale/sv/LC_MESSAGES/django.po

.PHONY: run test install install-dev lint format migrate demo messages browser-deps ci clean \
	production-smoke backup restore

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PIP) install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(PY)
	$(PIP) install --quiet -e ".[dev]"
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Compiled with polib (pure Python), so gettext need not be installed.
$(MO): $(PO) | $(VENV)/.installed
	$(PY) -c "import polib; polib.pofile('$(PO)').save_as_mofile('$(MO)')"

migrate: install $(MO)
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo

run: demo
	DEBUG=1 $(PY) manage.py runserver 127.0.0.1:8000

test: install-dev $(MO)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/pytest -m "not browser and not worker" -n auto $(PYTEST_ARGS)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Re-extract the translatable strings (needs gettext's xgettext).
messages: install
	$(PY) manage.py makemessages -l sv --no-obsolete --add-location file

ci:
	bash .ci/run

# -- Deployment (issue 12) ------------------------------------------------------------------------
# The production stack, natively, as an unprivileged user (deploy/production-smoke.sh).
production-smoke: install-dev $(MO)
	bash deploy/production-smoke.sh

# Backups (grants/backups.py): pg_dump (custom format), media and private media, a manifest with
# checksums. Needs DATABASE_URL=postgres://…; restore into an empty database and directories.
backup: install
	$(PY) manage.py backup $(BACKUP_DIR)

restore: install
	@test -n "$(BACKUP)" || { echo "usage: make restore BACKUP=backups/<directory>"; exit 2; }
	$(PY) manage.py restore $(BACKUP)

clean:
	rm -rf $(VENV) db.sqlite3 media private-media staticfiles $(MO)
