# The two commands a newcomer needs: `make run` and `make test`.
PORT ?= 8000
PY := .venv/bin/python
# One pytest worker per core, a test module per worker (its live server and seeded
# data stay with it); PYTEST_PARALLEL= runs the suite in one process.
PYTEST_PARALLEL ?= -n auto --dist loadfile

.PHONY: run test setup lint bench migrate demo clean

setup:
	@bash scripts/bootstrap.sh

## Start the whole platform with demo data on the embedded default (SQLite, local disk, in-process tasks).
run: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput -v0
	$(PY) manage.py load_checklists
	$(PY) manage.py seed_demo
	$(PY) manage.py drain_outbox
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

## Run the whole test suite (SQLite by default; DATABASE_URL=postgres://… for PostgreSQL).
test:
	@bash scripts/bootstrap.sh --test
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	cd mobile && node --test tests/
	$(PY) -m pytest $(PYTEST_PARALLEL) $(PYTEST_ARGS)

lint: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

bench: setup
	$(PY) bench/run_all.py

clean:
	rm -rf var .venv
