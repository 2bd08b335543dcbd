# om-bot: `make demo` to try it, `make test` to run the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck check docs bench bench-clash bench-adversarial clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/om-bot demo

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

check: lint typecheck test

docs: $(STAMP)
	$(BIN)/om-bot befehle > docs/befehle.md

bench: $(STAMP)
	$(BIN)/python benchmarks/latency.py
	$(BIN)/python benchmarks/erinnerungen.py
	$(MAKE) bench-clash
	$(MAKE) bench-adversarial

bench-clash: $(STAMP)
	$(BIN)/python benchmarks/clash.py

bench-adversarial: $(STAMP)
	$(BIN)/python benchmarks/adversarial.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
