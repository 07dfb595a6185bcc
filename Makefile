# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
export FLASK_APP := wsgi

.PHONY: run test install install-test translations chromium lint migrate demo clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

translations: install
	$(BIN)/pybabel -q compile -d shop/translations

migrate: install
	$(BIN)/flask db upgrade

demo: migrate
	$(BIN)/flask load-localities
	$(BIN)/flask seed-demo

run: translations demo
	$(BIN)/flask run --host 127.0.0.1 --port $(PORT)

# Debian's Chromium for the browser tests; never a downloaded browser build.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium missing: run 'sudo apt-get install -y chromium'"; fi; }

test: install-test translations chromium
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check shop tests config.py wsgi.py bench
	$(BIN)/ruff format --check shop tests config.py wsgi.py bench

clean:
	rm -rf $(VENV) instance/shop.db
