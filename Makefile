# Certifier — set-up and checks. `make run` to try it, `make test` to test it.
VENV := .venv
PY := $(VENV)/bin/python
PYTHON ?= python3
HOST ?= 127.0.0.1:8000

.PHONY: install run demo test quality benchmarks clean

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $@

# The JSON-LD contexts the credentials are signed with, and the independent verifier the tests run
# (npm packages, pinned in package.json, no lock file: .npmrc).
node_modules/.installed: package.json .npmrc
	npm install --no-audit --no-fund --silent
	touch $@

install: $(VENV)/.installed node_modules/.installed

demo: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_referential
	$(PY) manage.py load_training_paths
	$(PY) manage.py make_signing_certificate
	$(PY) manage.py make_credential_key
	$(PY) manage.py load_demo

# The dev server and one background worker beside it (imports run as jobs); stopping the server
# (Ctrl-C) stops the worker.
run: demo
	@$(PY) manage.py db_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(PY) manage.py runserver $(HOST)

test: install
	$(PY) -m pytest

quality: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy certifier config
	$(PY) manage.py makemigrations --check --dry-run

benchmarks: install
	$(PY) benchmarks/decide_benchmark.py
	$(PY) benchmarks/import_rncp_benchmark.py
	$(PY) benchmarks/pathways_benchmark.py
	$(PY) benchmarks/spreadsheet_bombs_benchmark.py
	$(PY) benchmarks/registry_bomb_benchmark.py
	$(PY) benchmarks/candidate_import_job_benchmark.py
	$(PY) benchmarks/list_export_benchmark.py
	$(PY) benchmarks/races_benchmark.py
	$(PY) benchmarks/exam_session_benchmark.py
	$(PY) benchmarks/marking_sheet_benchmark.py
	$(PY) benchmarks/outcome_benchmark.py
	$(PY) benchmarks/deliberation_benchmark.py
	$(PY) benchmarks/minutes_benchmark.py
	$(PY) benchmarks/portal_benchmark.py
	$(PY) benchmarks/certificates_benchmark.py
	$(PY) benchmarks/verification_benchmark.py
	$(PY) benchmarks/cpf_benchmark.py

clean:
	rm -rf $(VENV) node_modules db.sqlite3 db.sqlite3-wal db.sqlite3-shm staticfiles .pytest_cache .mypy_cache .ruff_cache
