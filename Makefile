# Two commands do all set-up (see README):  make run   |   make test
# Each one creates or updates .venv from uv.lock first.
PYTHON ?= python3
# e.g. PYTEST_ARGS="-n 3 --dist loadgroup" for parallel workers (see docs/benchmarks.md); the
# default is one process: the server and Chromium tests time out when they share two cores
PYTEST_ARGS ?=
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
export UV_PYTHON := $(shell command -v $(PYTHON))
export UV_PYTHON_DOWNLOADS := never

.PHONY: run test sync lint format check bench clean-venv

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

sync: $(UV)
	$(UV) sync --locked --quiet

run: sync
	$(BIN)/target-monitor init --sample
	$(BIN)/streamlit run dashboard.py

lint: sync
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/deptry .
	$(BIN)/lint-imports

format: sync
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check: sync
	$(BIN)/target-monitor check-targets

test: lint
	$(BIN)/target-monitor check-targets
	$(BIN)/pytest $(PYTEST_ARGS)

bench: sync
	$(BIN)/python bench/load.py

clean-venv:
	rm -rf $(VENV) $(TOOLS)
