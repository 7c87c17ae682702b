# hoso: the two commands (`make run`, `make test`) and their helpers.
# Everything a fresh machine needs is installed from here.

PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
SYSTEM_TOOLS := pdfsig pdftotext pdffonts pdftoppm qpdf certutil openssl softhsm2-util chromium
SYSTEM_PACKAGES := poppler-utils qpdf libnss3-tools openssl softhsm2 chromium

.PHONY: run test test-slow lint typecheck unit integration e2e package previews screenshots bench bench-pipeline bench-batch bench-vietnamese mutation system-deps bench-deps clean

run: $(STAMP) system-deps
	$(PY) -m infra.local

test: $(STAMP) system-deps lint typecheck
	$(PY) -m pytest

# The slow scenarios `make test` has no room for (tests/integration/test_batch_crash.py:
# 200 items, a worker killed mid-batch; about 2 minutes on 2 cores).
test-slow: $(STAMP) system-deps
	HOSO_SLOW_TESTS=1 $(PY) -m pytest tests/integration/test_batch_crash.py

lint: $(STAMP)
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .

typecheck: $(STAMP)
	$(VENV)/bin/mypy

unit: $(STAMP)
	$(PY) -m pytest tests/unit

integration: $(STAMP) system-deps
	$(PY) -m pytest tests/integration

e2e: $(STAMP) system-deps
	$(PY) -m pytest tests/e2e

# The deployable Lambda package: chalice only takes app.py, chalicelib/ and vendor/,
# so our top-level packages are copied into vendor/ first.
package: $(STAMP)
	$(PY) -m infra.package

# docs/previews/<procedure>.png: each procedure's example submitted, signed and sealed on a
# throw-away local stack, page 1 of the final document (shown in the README).
previews: $(STAMP)
	$(PY) -m infra.previews

# The web app's screenshots in docs/screenshots/ (the README shows them), taken by Playwright
# in Debian's chromium on a fresh local stack. Never part of `make test`: tests never
# rewrite tracked files.
screenshots: $(STAMP) system-deps
	$(PY) -m infra.screenshots

# Benchmarks (speed and sizes are measured here, never asserted in tests; bench/RESULTS.md).
# `make bench` runs them all: `make bench-vietnamese` (damaged-Vietnamese detection on real
# Vietnamese text from Debian packages: bench/vietnamese_corpus.py, installed by
# bench-deps), render, preview, signing and verification times (bench/run.py), and record
# search on 10,000 indexed records (bench/search.py).
bench: $(STAMP) bench-vietnamese bench-pipeline
	$(PY) -m bench.run
	$(PY) -m bench.search

# a dang-phi receipt through the whole pipeline next to the bare work it contains, and the
# API function's cold start (issue 12)
bench-pipeline: $(STAMP)
	$(PY) -m bench.pipeline

# a batch of 10,000 receipts on `make run`'s stack next to the in-process pipeline (issue 12;
# about 70 minutes on two cores: ITEMS=2000 for a shorter run)
# WORKER_APART=1: the worker in a process of its own, for its memory alone
ITEMS ?= 10000
bench-batch: $(STAMP)
	$(PY) -m bench.batch --items $(ITEMS) $(if $(WORKER_APART),--worker-apart)

bench-vietnamese: $(STAMP) bench-deps
	$(PY) -m bench.vietnamese_corpus

# Mutation testing of the spine's failure logic (pyproject's [tool.mutmut]); slow (hours
# here: bench/RESULTS.md section 3), so not part of `make test`. Results stay in mutants/,
# and a run that was stopped carries on where it stopped (`make clean` starts afresh); then
# the survivors are re-checked, each in a fresh pytest process (bench/mutants.py: some of
# mutmut's "survived" were not), and those left are listed with their changes.
# MUTANTS="functions.publish.* cloud.table.*" runs those mutants only (mutmut's names, with
# wildcards; named ones run again even if checked), so that one file's run fits in a working
# session. bench/RESULTS.md records the survivors and why each is left alive.
MUTANTS ?=
# quoted, so that the wildcards reach mutmut, not the shell
QUOTED_MUTANTS := $(foreach name,$(MUTANTS),'$(name)')
mutation: $(STAMP) system-deps
	$(VENV)/bin/mutmut run --max-children 2 $(QUOTED_MUTANTS)
	$(PY) -m bench.mutants $(QUOTED_MUTANTS)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip<26.3"  # chalice 1.34 requires pip<26.3
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

# Debian packages used by the tests' independent checks (pdfsig, qpdf, pdftotext,
# NSS certutil). Installed only when a tool is missing.
system-deps:
	@missing=""; for t in $(SYSTEM_TOOLS); do command -v $$t >/dev/null || missing="$$missing $$t"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages for:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q $(SYSTEM_PACKAGES); \
	fi

# Debian packages whose Vietnamese text bench-vietnamese reads (the spelling dictionary, the
# manual pages, the New Maintainers' Guide). Installed only when a file is missing, and only
# for the benchmark (not for `make test`).
BENCH_FILES := /usr/share/hunspell/vi_VN.dic /usr/share/man/vi /usr/share/doc/maint-guide-vi/html
BENCH_PACKAGES := hunspell-vi manpages-vi maint-guide-vi
bench-deps:
	@missing=""; for f in $(BENCH_FILES); do test -e $$f || missing="$$missing $$f"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages for:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q $(BENCH_PACKAGES); \
	fi

clean:
	rm -rf $(VENV) .local vendor mutants .chalice/deployments .mypy_cache .ruff_cache .pytest_cache
