# Two commands on a fresh machine: `make demo` and `make test`. Each bootstraps .venv.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# nbgrader runs alembic from PATH, so the venv's bin/ comes first for every recipe.
export PATH := $(abspath $(VENV))/bin:$(PATH)
export MPLBACKEND := Agg

.PHONY: demo test release release-check bench fuzz lint mutants gradescope learner-check browser-deps lock clean

# The oldest Python the kit supports (pyproject.toml's requires-python; `make lock` pins for it).
OLDEST_PYTHON := 3.11
# Said before the venv is made: a too-old Python otherwise fails deep inside pip, on one pin.
PYTHON_CHECK = $(PYTHON) -c 'import sys; sys.exit(sys.version_info < tuple(map(int, "$(OLDEST_PYTHON)".split("."))))' 2>/dev/null \
	|| { echo "make: $(PYTHON) is $$($(PYTHON) -c 'import platform; print("Python " + platform.python_version())' 2>/dev/null || echo 'not found');" \
	"the kit needs Python $(OLDEST_PYTHON) or newer: make PYTHON=/path/to/python3.11 (or newer) ..." >&2; exit 1; }

# The pinned requirements, then the kit itself, editable (pyproject.toml): `autograder` and the
# `nn-grade` command work from any folder, and edits to the repository take effect at once.
$(VENV)/.installed: requirements.txt pyproject.toml
	@test -x $(PY) || $(PYTHON_CHECK)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "make: installing the kit's $$(grep -c '==' requirements.txt) pinned packages (requirements.txt) and the kit into $(VENV); 1-3 minutes the first time (from the registry)"
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	$(PY) -m compileall -q autograder solutions > /dev/null  # read even under PYTHONDONTWRITEBYTECODE=1: every grade starts ~0.08 s sooner
	touch $@

## demo: generate the release, autograde the bundled demo class with nbgrader, print the gradebook
demo: $(VENV)/.installed
	$(PY) -m tools.release
	$(PY) -m tools.demo

## test: the kit's own test suite (loadgroup: a module-scoped nbgrader course is built by one worker, once);
## its last line is the suite's wall time, make's own included
PYTEST := $(PY) -m pytest -n 2 --dist loadgroup -q -p no:cacheprovider
test: $(VENV)/.installed
	@echo "$(PYTEST)"; started=$$(date +%s); $(PYTEST); status=$$?; \
	echo "make test: $$(( $$(date +%s) - started )) s wall time"; exit $$status

## release: regenerate source-notebook answer cells, release/ and the stub from their sources
release: $(VENV)/.installed
	$(PY) -m tools.release

release-check: $(VENV)/.installed
	$(PY) -m tools.release --check

## bench: grading speed and scale against nbgrader (about 5 minutes on 2 cores)
bench: $(VENV)/.installed
	$(PY) -m bench.grading

## mutants: mutation testing of the hidden checks on solutions/nn_basics.py; prints the mutation score
mutants: $(VENV)/.installed
	$(PY) -m tools.mutants --report docs/mutants.md

## lint: ruff (check and format) and mypy, configured in pyproject.toml
lint: $(VENV)/.installed
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

## gradescope: autograder.zip for Gradescope (VISIBILITY= when learners see each check's details)
VISIBILITY ?= after_published
gradescope: $(VENV)/.installed
	$(PY) -m tools.gradescope --visibility $(VISIBILITY)

## learner-check: what a learner does with release/ch01/ alone: a fresh venv from its own
## requirements.txt (needs the registry), then pytest there (ends with the points estimate)
LEARNER_TMP := /tmp/nn-kit-learner
learner-check:
	rm -rf $(LEARNER_TMP) && mkdir -p $(LEARNER_TMP) && cp -r release/ch01 $(LEARNER_TMP)/ch01
	$(PYTHON) -m venv $(LEARNER_TMP)/venv
	$(LEARNER_TMP)/venv/bin/python -m pip install --quiet --disable-pip-version-check -r $(LEARNER_TMP)/ch01/requirements.txt
	cd $(LEARNER_TMP)/ch01 && $(LEARNER_TMP)/venv/bin/python -m pytest -q -p no:cacheprovider

## browser-deps: Debian's chromium, chromium-driver and a CJK font for tests/test_browser.py (as root;
## the browser tests run it themselves when something is missing, and skip if it fails)
BROWSER_PACKAGES := chromium chromium-driver fonts-wqy-microhei fontconfig
browser-deps:
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null \
	    && command -v fc-list >/dev/null && fc-list :lang=zh | grep -q .; then \
	    echo "browser-deps: chromium, chromedriver and a CJK font are installed"; \
	else \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y -qq --no-install-recommends $(BROWSER_PACKAGES); \
	fi

## fuzz: the sandbox codec's decoder fed over 100,000 generated frames: only CodecError may come out
fuzz: $(VENV)/.installed
	@started=$$(date +%s); FUZZ_EXAMPLES=15000 $(PY) -m pytest -n 0 -q -s -p no:cacheprovider \
		tests/test_redteam_replies.py -k fuzz; status=$$?; \
	echo "make fuzz: $$(( $$(date +%s) - started )) s wall time"; exit $$status

## lock: re-pin requirements.txt from requirements.in (needs the registry) for the oldest supported
## Python, whatever Python runs it: every pin's Requires-Python admits $(OLDEST_PYTHON).0 (tests/test_platform.py).
## uv keeps the pins already in requirements.txt where it can; LOCK_FLAGS=--upgrade moves them all.
LOCK_TOOL := uv==0.13.9
LOCK_FLAGS ?=
lock:
	rm -rf /tmp/nn-kit-lock && $(PYTHON) -m venv /tmp/nn-kit-lock
	/tmp/nn-kit-lock/bin/pip install --quiet --disable-pip-version-check $(LOCK_TOOL)
	/tmp/nn-kit-lock/bin/uv pip compile --quiet requirements.in --python-version $(OLDEST_PYTHON).0 \
	    --custom-compile-command "make lock" -o requirements.txt $(LOCK_FLAGS)

## clean: what nbgrader and grade-all write into the repository (all ignored by git)
clean:
	rm -rf demo/work reports gradebook.db grades.csv submitted autograded feedback downloaded
