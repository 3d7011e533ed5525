# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SAMPLE_DB := sample_data/sample_audit.db

.PHONY: run test install sample lint bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[gui,test,postgres,fast-xlsx]'
	touch $(STAMP)

install: $(STAMP)

$(SAMPLE_DB): $(STAMP) sample_data/*.py
	$(PY) -m sample_data.generate $(SAMPLE_DB)

sample: $(SAMPLE_DB)

run: $(STAMP) $(SAMPLE_DB)
	$(PY) main.py $(SAMPLE_DB)

test: $(STAMP)
	$(VENV)/bin/ruff check cdi_workbench ui sample_data tests main.py
	$(VENV)/bin/mypy cdi_workbench
	$(VENV)/bin/mypy ui
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q $(PYTEST_ARGS)

bench: $(STAMP)
	$(PY) -m benchmarks.run_all

clean:
	rm -rf $(VENV) $(SAMPLE_DB) sample_data/*.json
