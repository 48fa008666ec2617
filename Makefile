# Égide — the two front-door commands are `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
PG_STAMP := $(VENV)/.postgresql
CHROMIUM_STAMP := $(VENV)/.chromium
TESSERACT_STAMP := $(VENV)/.tesseract
OIDC_STAMP := tests/oidc/node_modules/.installed

.PHONY: install install-test run test lint typecheck unit bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $(STAMP)

# The test tools, and the local-LLM extra for the llama.cpp integration tests: llama-cpp-python
# compiles from source the first time (about 9 minutes); pip's wheel cache serves it afterwards.
$(TEST_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -e '.[dev,local-llm]'
	touch $(TEST_STAMP)

# The PostgreSQL server for the integration tests (they start their own throw-away cluster):
# installed from Debian when missing and running as root, otherwise a French notice.
$(PG_STAMP): tools/ensure_postgresql.sh | $(STAMP)
	bash tools/ensure_postgresql.sh
	touch $(PG_STAMP)

# Debian's Chromium for the browser tests (tests/e2e, driven by Playwright): installed when
# missing and running as root, otherwise a French notice.
$(CHROMIUM_STAMP): tools/ensure_chromium.sh | $(STAMP)
	bash tools/ensure_chromium.sh
	touch $(CHROMIUM_STAMP)

# Debian's Tesseract and its French data, for reading scanned PDFs and photos of letters (OCR)
# and for their tests: installed when missing and running as root, otherwise a French notice.
$(TESSERACT_STAMP): tools/ensure_tesseract.sh | $(STAMP)
	bash tools/ensure_tesseract.sh
	touch $(TESSERACT_STAMP)

# A real OpenID Connect provider for the sign-in tests (node-oidc-provider, from the npm
# registry, versions pinned by package-lock.json).
$(OIDC_STAMP): tests/oidc/package-lock.json
	cd tests/oidc && npm ci --no-audit --no-fund --loglevel=error
	touch $(OIDC_STAMP)

install: $(STAMP)

install-test: $(TEST_STAMP) $(PG_STAMP) $(CHROMIUM_STAMP) $(TESSERACT_STAMP) $(OIDC_STAMP)

run: install
	$(BIN)/egide serve

lint: install-test
	$(BIN)/ruff check egide tests benchmarks tools
	$(BIN)/ruff format --check egide tests benchmarks tools

typecheck: install-test
	$(BIN)/mypy

unit: install-test
	$(BIN)/pytest -q

test: lint typecheck unit

bench: install-test
	$(BIN)/python benchmarks/guard.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache tests/oidc/node_modules
