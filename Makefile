# The two commands a newcomer runs: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: install demo test lint messages clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	KENES_ENV=development $(BIN)/kenes demo --port $(PORT)

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check --quiet .
	$(BIN)/mypy kenes/core
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -q
	KENES_TEST_DB=postgres $(BIN)/python -m pytest -q -m "not browser" tests/registry tests/audit tests/web tests/participation tests/parliament tests/ballots tests/agenda

messages: $(STAMP)
	cd kenes && ../$(BIN)/kenes makemessages -l ru -l kk --no-obsolete && ../$(BIN)/kenes compilemessages

clean:
	rm -rf $(VENV) var
