# Two commands on a fresh machine: `make demo` and `make test`. Each bootstraps .venv.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# nbgrader runs alembic from PATH, so the venv's bin/ comes first for every recipe.
export PATH := $(abspath $(VENV))/bin:$(PATH)
export MPLBACKEND := Agg

.PHONY: demo test release release-check bench lint mutants lock clean

# The pinned requirements, then the kit itself, editable (pyproject.toml): `autograder` and the
# `nn-grade` command work from any folder, and edits to the repository take effect at once.
$(VENV)/.installed: requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

## demo: generate the release, autograde the bundled demo class with nbgrader, print the gradebook
demo: $(VENV)/.installed
	$(PY) -m tools.release
	$(PY) -m tools.demo

## test: the kit's own test suite (loadgroup: a module-scoped nbgrader course is built by one worker, once)
test: $(VENV)/.installed
	$(PY) -m pytest -n 2 --dist loadgroup -q -p no:cacheprovider

## release: regenerate source-notebook answer cells, release/ and the stub from their sources
release: $(VENV)/.installed
	$(PY) -m tools.release

release-check: $(VENV)/.installed
	$(PY) -m tools.release --check

## bench: grading speed and scale against nbgrader (about 10 minutes on 2 cores)
bench: $(VENV)/.installed
	$(PY) -m bench.grading

## mutants: mutation testing of the hidden checks on solutions/nn_basics.py; prints the mutation score
mutants: $(VENV)/.installed
	$(PY) -m tools.mutants --report docs/mutants.md

## lint: ruff, configured in pyproject.toml
lint: $(VENV)/.installed
	$(PY) -m ruff check .

## lock: re-pin requirements.txt from requirements.in (needs the registry)
lock:
	rm -rf /tmp/nn-kit-lock && $(PYTHON) -m venv /tmp/nn-kit-lock
	/tmp/nn-kit-lock/bin/pip install --quiet -r requirements.in
	/tmp/nn-kit-lock/bin/pip freeze > requirements.txt

## clean: what nbgrader and grade-all write into the repository (all ignored by git)
clean:
	rm -rf demo/work reports gradebook.db grades.csv submitted autograded feedback downloaded
