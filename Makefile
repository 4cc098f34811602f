# paperwire: `make run` installs and starts it on SQLite with the demo papers;
# `make test` installs everything the tests need and runs the whole suite.

PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
export PAPERWIRE_DATA_DIR ?= data
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: run test install install-test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e ".[search]"

install-test: $(BIN)/python
	$(BIN)/pip install --quiet -e ".[search,test]"

run: install .env
	PAPERWIRE_ENV=development $(BIN)/paperwire init
	PAPERWIRE_ENV=development $(BIN)/paperwire demo
	PAPERWIRE_ENV=development $(BIN)/paperwire serve --host 127.0.0.1 --port 8000

# Settings read .env from the working directory, so CLI commands typed in another
# terminal of this checkout act on the same development install as `make run`.
.env:
	echo "PAPERWIRE_ENV=development" > .env

test: install-test
	test -x /usr/bin/chromium || (apt-get update && apt-get install -y chromium)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/python -m pytest

lint: install-test
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

bench: install
	$(BIN)/python benchmarks/ingest.py

clean:
	rm -rf $(VENV) data test-artifacts .pytest_cache
