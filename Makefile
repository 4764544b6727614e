# lifealm: `make report` writes today's briefing to site/, `make test` runs the test suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
RUNTIME_PACKAGES := libharfbuzz-subset0 fonts-noto-cjk fonts-liberation
TEST_PACKAGES := $(RUNTIME_PACKAGES) poppler-utils chromium
LOCALE_DIR := lifealm/i18n/locale
POT := $(LOCALE_DIR)/lifealm.pot

.DEFAULT_GOAL := help
.PHONY: i18n-extract i18n-update i18n-compile package-check help venv system-packages system-packages-test report test test-all lint typecheck check bench lock clean smoke-online

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/'

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	PYTHONWARNINGS=ignore $(BIN)/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

venv: $(STAMP) ## create .venv and install the locked dependencies and lifealm itself

system-packages: ## install the system packages the PDF needs (harfbuzz subsetting, a Japanese font)
	@scripts/system-packages.sh $(RUNTIME_PACKAGES)

system-packages-test: ## install the system packages the tests need as well (pdftotext, chromium)
	@scripts/system-packages.sh $(TEST_PACKAGES)

report: venv system-packages ## write today's briefing to site/ (creates the demo ledger if none is configured)
	@$(BIN)/lifealm demo --if-missing
	@$(BIN)/lifealm report

test: venv system-packages-test ## run the test suite (fast: under two minutes)
	$(BIN)/pytest

test-all: venv system-packages-test ## run every test, including the slow validation runs
	$(BIN)/pytest -m ''

lint: venv ## ruff
	$(BIN)/ruff check lifealm tests benchmarks templates

typecheck: venv ## mypy (strict) on the package
	$(BIN)/mypy

check: lint typecheck test ## lint, types and tests

package-check: venv system-packages ## build the wheel, install it in a fresh venv and render a report with it
	scripts/wheel-smoke.sh

i18n-extract: venv ## collect lifealm's translatable text (templates, lifealm/render, lifealm/charts) into the .pot
	$(BIN)/pybabel extract --mapping-file babel.cfg --keywords N_ --add-location file --sort-by-file --width 120 \
		--project lifealm --copyright-holder "lifealm" --output-file $(POT) .

i18n-update: i18n-extract ## merge the new .pot into each language's .po (then translate the new or fuzzy entries)
	$(BIN)/pybabel update --domain lifealm --input-file $(POT) --output-dir $(LOCALE_DIR) --width 120 \
		--ignore-obsolete --no-fuzzy-matching --update-header-comment

i18n-compile: venv ## compile each .po into the .mo that ships in the wheel (commit both; a test checks they agree)
	$(BIN)/pybabel compile --domain lifealm --directory $(LOCALE_DIR) --statistics

bench: venv system-packages ## run the benchmarks and print their figures
	$(BIN)/python -m benchmarks

smoke-online: venv ## ask the live price and FX sources one small question each (needs the internet; not a test)
	$(BIN)/python scripts/smoke_online.py

lock: ## re-resolve the newest dependencies into requirements.lock (then run `make check`)
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet -U pip setuptools && .lock-venv/bin/pip install --quiet -e '.[dev,update]'
	echo "# Exact versions lifealm is tested with (runtime and development). Regenerate: make lock" > requirements.lock
	.lock-venv/bin/pip freeze --all --exclude-editable >> requirements.lock
	rm -rf .lock-venv

clean: ## remove the venv, caches and generated output (never the ledger)
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis build dist *.egg-info .bench
	find site -mindepth 1 ! -name README.md -exec rm -rf {} +
