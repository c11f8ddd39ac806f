# Two commands matter: `make run` and `make test`. Everything else is a step they share.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8501

.PHONY: run test lint bench screenshots refresh-prices browser clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall only when a requirements file changes.
$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.runtime $@

run: $(VENV)/.runtime
	$(BIN)/python -m streamlit run streamlit_app.py --server.port $(PORT) \
		--server.headless true --browser.gatherUsageStats false

browser: $(VENV)/.dev
	@bash scripts/ensure_browser.sh

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The scenario-store tests need a real PostgreSQL: ensure_postgres.sh installs Debian's
# (as root) and starts a throwaway server for this run, stopped again however pytest ends.
# The browser tests' screenshots go to a temporary folder, so the work tree stays clean.
test: lint browser
	@pg="$$(bash scripts/ensure_postgres.sh start)" && eval "$$pg" && \
	trap 'bash scripts/ensure_postgres.sh stop "$${PLANNER_TEST_POSTGRES_DIR:-}"' EXIT && \
	env -u PLANNER_SCREENSHOTS $(BIN)/python -m pytest

# Refresh the README's images: the browser tests that take screenshots, writing them into
# docs/screenshots (they need no database).
screenshots: browser
	PLANNER_SCREENSHOTS=docs/screenshots $(BIN)/python -m pytest -m screenshots tests/e2e

bench: $(VENV)/.dev
	$(BIN)/python scripts/bench.py

refresh-prices: $(VENV)/.dev
	$(BIN)/python -m pricing refresh

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
