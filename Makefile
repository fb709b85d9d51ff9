# vetbot — the two quick-start commands are `make demo` and `make test`.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
PG_TEST_URL ?= postgresql://postgres@127.0.0.1:5432/test

.PHONY: demo test lint typecheck pytest pytest-postgres bench clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) (set PYTHON=python3.x, 3.11 or newer)"; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e ".[dev]"
	@touch $@

## demo: set up, then vet the bundled example candidates on the embedded SQLite database
demo: $(VENV)/.installed
	@for f in examples/*.json; do $(BIN)/vetbot vet "$$f" || exit $$?; done

## test: set up, then ruff, mypy and the whole suite on SQLite and (when reachable, always in CI) PostgreSQL
test: $(VENV)/.installed lint typecheck pytest pytest-postgres

lint: $(VENV)/.installed
	$(BIN)/ruff check vetbot tests benchmarks
	$(BIN)/ruff format --check vetbot tests benchmarks

typecheck: $(VENV)/.installed
	$(BIN)/mypy

pytest: $(VENV)/.installed
	$(BIN)/pytest

pytest-postgres: $(VENV)/.installed
	@if $(BIN)/python -c "import asyncio,asyncpg; asyncio.run(asyncpg.connect('$(PG_TEST_URL)', timeout=3))" 2>/dev/null; then \
		echo "== again on PostgreSQL ($(PG_TEST_URL))"; \
		VETBOT_TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest; \
	elif [ "$$CI" = "true" ]; then echo "PostgreSQL at $(PG_TEST_URL) is not reachable (required in CI)"; exit 1; \
	else echo "== PostgreSQL not reachable at $(PG_TEST_URL): PostgreSQL pass skipped"; fi

## bench: the benchmarks (figures go to benchmarks/results/)
bench: $(VENV)/.installed
	$(BIN)/python benchmarks/bench_vet.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
