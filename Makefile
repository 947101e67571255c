# Two commands: `make run` brings the stack up, `make test` passes every test. Both install what they need.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install run test lint format bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test,bench]'
	touch $@

install: $(STAMP)
	$(BIN)/streamproc kafka fetch
	$(BIN)/streamproc train --if-missing

run: install
	$(BIN)/streamproc run

test: install
	bash scripts/ensure-apt.sh chromium chromium
	bash scripts/ensure-apt.sh prometheus prometheus
	$(MAKE) lint
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check streamproc bridges tests scripts
	$(BIN)/ruff format --check streamproc bridges tests scripts
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache
	$(BIN)/pytest --collect-only -q -p no:cacheprovider > .collect.log || (tail -40 .collect.log; exit 1)  # every test module imports

format: $(STAMP)
	$(BIN)/ruff format streamproc bridges tests scripts
	$(BIN)/ruff check --fix streamproc bridges tests scripts

bench: install
	bash scripts/ensure-apt.sh wrk wrk
	$(BIN)/streamproc bench --results-dir bench-results

clean:
	-$(BIN)/streamproc kafka stop
	rm -rf .streamproc .pytest_cache .mypy_cache .ruff_cache test-artifacts
