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
	@# The PostgreSQL run goes on beside the SQLite one (each is mostly one core); its
	@# output follows, and either failing fails the target.
	@echo "PostgreSQL run in the background (log: $(VENV)/test-postgres.log)"
	@KENES_TEST_DB=postgres $(BIN)/python -m pytest -q -p no:cacheprovider -m "not browser" \
		tests/registry tests/audit tests/web tests/participation tests/parliament tests/ballots \
		tests/agenda tests/approvals tests/retention tests/congress tests/backup/test_postgres.py \
		> $(VENV)/test-postgres.log 2>&1 & postgres=$$!; \
	$(BIN)/python -m pytest -q; sqlite=$$?; \
	wait $$postgres; pg=$$?; \
	echo "--- PostgreSQL run ---"; cat $(VENV)/test-postgres.log; \
	test $$sqlite -eq 0 && test $$pg -eq 0

messages: $(STAMP)
	cd kenes && ../$(BIN)/kenes makemessages -l ru -l kk --no-obsolete && ../$(BIN)/kenes compilemessages

clean:
	rm -rf $(VENV) var
