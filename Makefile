# The two commands a newcomer needs: `make run` and `make test`. Each installs what it uses.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
WORKERS ?= 2
DEMO_YEAR ?= 1000
export FLASK_APP := wsgi

.PHONY: setup run test test-only lint bench prepare pdf-system-packages chromium soak translations

$(BIN)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

ui/node_modules/.installed: ui/package.json ui/package-lock.json
	cd ui && IBM_TELEMETRY_DISABLED=true npm ci --ignore-scripts --no-audit --no-fund
	touch $@

# Page texts in English: the gettext catalogue, compiled for Flask-Babel. A new page text gets
# its English in messages.po (tests/pages/test_translations.py names any that lacks it).
ui/translations/en/LC_MESSAGES/messages.mo: ui/translations/en/LC_MESSAGES/messages.po $(BIN)/.installed
	$(BIN)/pybabel compile --statistics -d ui/translations 2>&1 | tail -1

# After adding or changing page texts: extract them (ui/translations/babel.cfg says where) into
# messages.pot, merge it into the English catalogue (new texts get an empty msgstr to fill in,
# texts no longer used are dropped, never guessed from a similar one) and compile.
translations: $(BIN)/.installed
	$(BIN)/pybabel --quiet extract -F ui/translations/babel.cfg --no-location --width 100 \
	  --project "Mot Cua" -o ui/translations/messages.pot .
	$(BIN)/pybabel --quiet update -i ui/translations/messages.pot -d ui/translations \
	  --no-fuzzy-matching --ignore-obsolete --width 100
	$(BIN)/pybabel compile --statistics -d ui/translations 2>&1 | tail -1

# The studio's bundle (bpmn-js modeler, properties panel, lint, form-js and dmn-js editors).
STUDIO_SOURCES := $(shell find ui/studio -type f 2>/dev/null)

ui/static/studio/modeler.js: ui/node_modules/.installed ui/build.mjs $(STUDIO_SOURCES)
	cd ui && node build.mjs

# PDF slips: WeasyPrint needs Pango, HarfBuzz's subsetter and the fonts the slips name (Liberation Serif,
# metric-compatible with Times New Roman, so a receipt fits its page; DejaVu as the fallback);
# pdftotext (poppler-utils) lets the tests read the PDFs. apt-get runs only when one is missing.
PDF_SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation2 fonts-dejavu-core \
  poppler-utils

pdf-system-packages:
	@command -v dpkg-query >/dev/null || exit 0; \
	missing=$$(for p in $(PDF_SYSTEM_PACKAGES); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	[ -z "$$missing" ] && exit 0; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "Installing $$missing"; \
	  apt-get install -y -qq --no-install-recommends $$missing >/dev/null 2>&1 || \
	  { apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends $$missing >/dev/null; }; \
	else echo "PDF slips need: sudo apt-get install $$missing"; fi

setup: $(BIN)/.installed ui/translations/en/LC_MESSAGES/messages.mo ui/node_modules/.installed ui/static/studio/modeler.js pdf-system-packages

prepare: setup
	$(BIN)/flask prepare

# A fresh database gets a demo year of dossiers once (README: "A demo year"); DEMO_YEAR=0 skips it.
run: prepare
	@if [ "$(DEMO_YEAR)" != 0 ]; then $(BIN)/flask demo-year --if-empty --dossiers $(DEMO_YEAR); fi
	@echo "Một Cửa on http://127.0.0.1:$(PORT)  (API docs: http://127.0.0.1:$(PORT)/api/v1/docs)"
	$(BIN)/gunicorn --bind 127.0.0.1:$(PORT) --workers $(WORKERS) --access-logfile - wsgi:app

# Browser tests drive Debian's Chromium through Playwright, never a downloaded browser.
chromium:
	@[ -x /usr/bin/chromium ] && exit 0; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "Installing chromium (browser tests)"; \
	  apt-get update -qq >/dev/null && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "Browser tests need: sudo apt-get install chromium"; fi

test: setup chromium test-only

test-only:
	$(BIN)/pytest -q -p no:cacheprovider

# The fences a machine keeps: ruff, the engine's rooms (pyproject's [tool.importlinter]) and
# mypy --strict on engine/ ([tool.mypy]).
lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

bench: setup
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# Soak and crash tests (tests/soak/, left out of `make test`): 50 clients racing on the same tasks
# through gunicorn on PostgreSQL, then kill -9 of the server mid-load and a restart. Every table of
# SOAK_DATABASE_URL is dropped first. SOAK_SECONDS=60 for the full size (default 10).
SOAK_DATABASE_URL ?= $(or $(TEST_DATABASE_URL),postgresql+psycopg://postgres@127.0.0.1:5432/test)

soak: setup
	TEST_DATABASE_URL="$(SOAK_DATABASE_URL)" $(BIN)/pytest -q -p no:cacheprovider -m soak -rP tests/soak
