# The two commands a newcomer needs: `make run` and `make test`. Each installs what it uses.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
WORKERS ?= 2
export FLASK_APP := wsgi

.PHONY: setup run test test-only lint bench prepare

$(BIN)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

ui/node_modules/.installed: ui/package.json ui/package-lock.json
	cd ui && IBM_TELEMETRY_DISABLED=true npm ci --ignore-scripts --no-audit --no-fund
	touch $@

setup: $(BIN)/.installed ui/node_modules/.installed

prepare: setup
	$(BIN)/flask prepare

run: prepare
	@echo "Một Cửa on http://127.0.0.1:$(PORT)  (API docs: http://127.0.0.1:$(PORT)/api/v1/docs)"
	$(BIN)/gunicorn --bind 127.0.0.1:$(PORT) --workers $(WORKERS) --access-logfile - wsgi:app

test: setup test-only

test-only:
	$(BIN)/pytest -q -p no:cacheprovider

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: setup
	$(BIN)/python bench/run.py $(BENCH_ARGS)
