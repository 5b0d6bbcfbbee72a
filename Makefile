# Two entry points (see README.md): `make lab` and `make test`. Both create .venv when missing. Chromium (image
# export, browser tests) is installed where apt-get and root (or password-less sudo) allow; its absence never stops
# the set-up.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SAMPLE := data/samples/incident.jsonl.gz

.PHONY: lab test check test-all summary report bench system-deps clean

$(STAMP): pyproject.toml
	bash scripts/install_system_deps.sh
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The main job: JupyterLab on the walk-through notebook over the bundled incident (as root or not; no news or
# update pop-ups). LAB_ARGS go to JupyterLab, e.g. `make lab LAB_ARGS=--port=8899`.
lab: $(STAMP)
	$(BIN)/triage summary $(SAMPLE) --top 10
	BIN=$(BIN) bash scripts/lab.sh $(LAB_ARGS)

# The tests (what CI runs). Slow tests are skipped here; `make test-all` runs them too.
test: $(STAMP)
	$(BIN)/python -m pytest -q

# The checks (CI runs them before the tests): lint and import order, then types of the triage package.
check: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

test-all: $(STAMP)
	$(BIN)/python -m pytest -q -m ''

summary: $(STAMP)
	$(BIN)/triage summary $(SAMPLE)

report: $(STAMP)
	$(BIN)/triage report $(SAMPLE) -o build/report

bench: $(STAMP)
	for b in benchmarks/bench_*.py; do $(BIN)/python $$b || exit 1; done

system-deps:
	bash scripts/install_system_deps.sh

clean:
	rm -rf $(VENV) build .pytest_cache
