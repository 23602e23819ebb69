# Qingzhuang: `make run` starts the product on SQLite with a demo township; `make test` checks everything.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
VENDOR := qingzhuang/core/static/vendor
export DJANGO_SETTINGS_MODULE ?= config.settings.dev

.PHONY: run test install assets lint typecheck migrations-check pytest pytest-postgres e2e-deps clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[dev]"
	touch $@

install: $(BIN)/.installed

$(VENDOR)/.built: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)
	cp node_modules/htmx.org/dist/htmx.min.js node_modules/echarts/dist/echarts.min.js $(VENDOR)/
	touch $@

assets: $(VENDOR)/.built

run: install assets
	$(BIN)/qz migrate --noinput -v 0
	$(BIN)/qz demo --if-empty
	@echo "打开浏览器访问 http://127.0.0.1:8000/ ，演示账号：admin / qz-demo-2026（其他账号见上方列表）"
	$(BIN)/qz serve

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/mypy

migrations-check: install
	DJANGO_SETTINGS_MODULE=config.settings.test DATABASE_URL=sqlite://:memory: $(BIN)/python manage.py makemigrations --check --dry-run

pytest: install assets
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/pytest

pytest-postgres: install assets
	DJANGO_SETTINGS_MODULE=config.settings.test scripts/with_postgres.sh $(BIN)/pytest

test: lint typecheck migrations-check pytest pytest-postgres

clean:
	rm -rf $(VENV) node_modules $(VENDOR) var
