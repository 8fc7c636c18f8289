# Clonespace: `make demo` runs the main job, `make test` runs every check. Both set up
# everything first (system tools when run as root, .venv, the Frida agent) and are safe
# to re-run.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
AGENT  := hooks/agent
AGENT_JS := $(AGENT)/dist/agent.js
AGENT_BYTECODE := $(AGENT)/dist/bytecode/.stamp
BOUNDARY_ENTER := hooks/boundary/build/enter
AGENT_SRC := $(shell find $(AGENT)/src \( -name '*.ts' -o -name '*.c' \) ! -name '*.generated.ts' 2>/dev/null) $(wildcard $(AGENT)/scripts/*.mjs) $(AGENT)/package.json $(AGENT)/tsconfig.json

.PHONY: all setup system venv bytecode agent boundary probe demo test lint typecheck pytest pytest-shared bench clean

all: setup

setup: system venv bytecode agent boundary

system:
	@bash scripts/install-system.sh

$(PY):
	python3 -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

# the project's modules compiled to bytecode now: where PYTHONDONTWRITEBYTECODE is set no
# import writes it, and every `clone` start would compile each module it imports again
# (~0.1 s of CPU in a host run); a module edited since is compiled in memory until the next
# `make setup` (compileall skips the ones up to date)
PY_PACKAGES := apk hooks vfs_redirect identity device clone launcher_ui
bytecode: $(STAMP)
	@$(PY) -m compileall -q -j0 -x '/node_modules/' $(PY_PACKAGES)

$(AGENT)/node_modules/.installed: $(AGENT)/package.json $(AGENT)/package-lock.json
	cd $(AGENT) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(AGENT_JS): $(AGENT)/node_modules/.installed $(AGENT_SRC)
	cd $(AGENT) && npm run --silent build

# the agent's bytecode for the Frida version in .venv (hooks/agent_bundle.py): processes of a
# host run are created from it instead of compiling the agent's JavaScript; beside it, this
# machine's prologue plan (what the agent decides from libc's first instructions, handed to
# every process so that none decodes them again)
$(AGENT_BYTECODE): $(AGENT_JS) $(STAMP)
	rm -rf $(dir $@) && mkdir -p $(dir $@)
	$(PY) -m hooks.agent_bundle || echo "no agent bytecode: each run compiles the agent once"
	touch $@

agent: $(AGENT_JS) $(AGENT_BYTECODE)

# the kernel boundary's entry in C (hooks/boundary/enter.c); without a C compiler the runner
# uses the same entry in Python (enter.py), which costs a Python start-up per run
$(BOUNDARY_ENTER): hooks/boundary/enter.c
	@mkdir -p $(dir $@)
	@if command -v cc >/dev/null; then cc -O2 -Wall -Wextra -o $@ $<; \
	else echo "no C compiler: the boundary uses its Python entry (hooks/boundary/enter.py)"; fi

boundary: $(BOUNDARY_ENTER)

demo: setup
	$(VENV)/bin/clone demo

# the probe app (samples/probe): a tiny real Android app that shows its own identity
probe: setup
	$(PY) -m samples.probe.build out/probe.apk

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: venv agent
	$(VENV)/bin/mypy
	cd $(AGENT) && npm run --silent typecheck

pytest: setup
	$(VENV)/bin/pytest $(PYTEST_ARGS)

# the host-run suites again, every run instrumented by its home's shared supervisor
pytest-shared: setup
	CLONE_SUPERVISOR=shared CLONE_SUPERVISOR_IDLE_S=2 $(VENV)/bin/pytest tests/clone tests/hooks $(PYTEST_ARGS)

test: setup lint typecheck pytest

bench: setup
	$(PY) benchmarks/clone_build.py
	$(PY) benchmarks/hook_overhead.py
	$(PY) benchmarks/process_cost.py
	$(PY) benchmarks/peers.py

clean:
	rm -rf $(VENV) $(AGENT)/node_modules $(AGENT)/dist .pytest_cache .mypy_cache .ruff_cache
