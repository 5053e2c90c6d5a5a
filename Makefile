# make run   — serve the app on the embedded default (SQLite, in-process store, fake WeChat)
# make test  — the whole test suite (SQLite always; PostgreSQL + Redis when they answer)
# make bench — the benchmark table (bench/README.md)

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-test
RUNTIME_STAMP := $(VENV)/.installed

.PHONY: run test bench migrate demo clean fonts browser drill

# The mini-program's tests (jest) run inside `make test` (tests/test_miniprogram.py); their
# packages come from miniprogram/package-lock.json. Without npm they are skipped, and say so.
NPM := $(shell command -v npm)
MP_STAMP := miniprogram/node_modules/.installed
MP_DEPS := $(if $(NPM),$(MP_STAMP),)

$(VENV)/bin/python:
	$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is needed, found " + sys.version'
	$(PYTHON) -m venv $(VENV)

$(RUNTIME_STAMP): requirements.lock | $(VENV)/bin/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	touch $@

$(STAMP): requirements-test.lock $(RUNTIME_STAMP)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-test.lock
	touch $@

$(MP_STAMP): miniprogram/package-lock.json
	cd miniprogram && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Chinese fonts for the plates, Chromium for the browser tests: from the OS, see the script.
fonts: $(RUNTIME_STAMP)
	@scripts/system-packages $(BIN)/python fonts

browser: $(RUNTIME_STAMP)
	@scripts/system-packages $(BIN)/python fonts chromium

migrate: $(RUNTIME_STAMP)
	$(BIN)/python -m server migrate

demo: migrate
	$(BIN)/python -m server seed-demo

run: demo fonts
	$(BIN)/python -m server serve

test: $(STAMP) browser $(MP_DEPS)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(STAMP) fonts
	$(BIN)/python -m bench

# The fault drill (deploy/README.md): two instances behind nginx, kill -9, Redis stopped, PostgreSQL restarted.
drill: $(STAMP) fonts
	$(BIN)/python deploy/drill.py

clean:
	rm -rf $(VENV) var .pytest_cache miniprogram/node_modules
