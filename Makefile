# The two commands a newcomer runs: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: install demo test lint messages clean

# pip's output (and the build back-end's warnings) go to a log; shown only if it fails.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Installing Kenes and its dependencies into $(VENV) (a few minutes the first time)..."
	@( $(BIN)/pip install --quiet --upgrade pip && $(BIN)/pip install --quiet -e '.[test]' ) \
		> $(VENV)/install.log 2>&1 || { tail -n 40 $(VENV)/install.log; \
		echo "Installing failed; the whole log is in $(VENV)/install.log."; exit 1; }
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	@KENES_ENV=development $(BIN)/kenes demo --port $(PORT)

test: $(STAMP)
	@tools/ensure-test-tools
	$(BIN)/ruff check .
	$(BIN)/ruff format --check --quiet .
	$(BIN)/mypy kenes/core
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -q
	KENES_TEST_DB=postgres $(BIN)/python -m pytest -q -m "not browser" tests/registry tests/audit tests/web tests/participation tests/parliament tests/ballots tests/agenda tests/approvals tests/retention tests/backup/test_postgres.py

messages: $(STAMP)
	cd kenes && ../$(BIN)/kenes makemessages -l ru -l kk --no-obsolete && ../$(BIN)/kenes compilemessages

clean:
	rm -rf $(VENV) var
