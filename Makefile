# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
export FLASK_APP := wsgi

.PHONY: run test install install-test translations chromium lint licenses migrate demo clean localstripe nginx cluster-test

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

$(VENV)/.installed-demo: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e ".[demo]"
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

# Links and label QR codes follow PORT, the shop's Stripe addresses follow STRIPE_PORT,
# unless the environment sets them.
run: export PUBLIC_BASE_URL ?= http://127.0.0.1:$(PORT)
run: export STRIPE_API_BASE ?= http://127.0.0.1:$(STRIPE_PORT)
run: export STRIPE_JS_URL ?= http://127.0.0.1:$(STRIPE_PORT)/js.stripe.com/v3/
run: translations demo localstripe
	$(BIN)/flask run --host 127.0.0.1 --port $(PORT)

# The demo's card payments go to localstripe (a fake Stripe) on port 8420; its
# webhooks come back to the shop, signed with the development secret.
STRIPE_PORT ?= 8420
localstripe: $(VENV)/.installed-demo
	@if ! curl -fs -o /dev/null http://127.0.0.1:$(STRIPE_PORT)/js.stripe.com/v3/; then \
	  mkdir -p instance; \
	  nohup $(BIN)/localstripe --port $(STRIPE_PORT) > instance/localstripe.log 2>&1 & \
	  for i in $$(seq 50); do curl -fs -o /dev/null http://127.0.0.1:$(STRIPE_PORT)/js.stripe.com/v3/ && break; sleep 0.2; done; \
	fi
	@curl -fs -o /dev/null -X POST http://127.0.0.1:$(STRIPE_PORT)/_config/webhooks/ocop \
	  -d url=http://127.0.0.1:$(PORT)/payments/stripe/webhook -d secret=whsec_localstripe_dev \
	  && echo "localstripe on :$(STRIPE_PORT), webhooks to :$(PORT)"

# Background jobs with a broker (CELERY_BROKER_URL, else REDIS_URL): the worker
# delivers the outbox, beat fires the periodic jobs. Without a broker neither is
# needed: the shop delivers in-process after each commit, cron runs the commands.
.PHONY: worker beat
worker: migrate
	$(BIN)/celery -A shop.worker worker --loglevel INFO

beat: install
	$(BIN)/celery -A shop.worker beat --loglevel INFO

# Debian's nginx for the edge-cache benchmark, its test and the two-node proof.
nginx:
	@command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq nginx >/dev/null; \
	  else echo "nginx missing: run 'sudo apt-get install -y nginx'"; fi; }

# The two-node proof on loopback (README "Deploy"): nginx over two gunicorn nodes on
# PostgreSQL and Redis, a Celery worker and two beats, moto's S3 server and an aiosmtpd
# sink; it checks what must survive a real deployment and stops everything it started.
cluster-test: install-test nginx
	$(BIN)/python deploy/cluster/prove.py

# Debian's Chromium for the browser tests; never a downloaded browser build.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium missing: run 'sudo apt-get install -y chromium'"; fi; }

# The suite runs in parallel, one pytest-xdist worker per core (PYTEST_JOBS=2 to choose);
# PYTEST_ARGS="-n 0" or PYTEST_ARGS="-p no:xdist" runs it in a single process.
PYTEST_JOBS ?= auto
test: install-test translations chromium nginx
	$(BIN)/pytest $(if $(findstring no:xdist,$(PYTEST_ARGS)),,-n $(PYTEST_JOBS)) $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

# Every dependency's licence against GPL-3.0-or-later (also run by tests/test_licenses.py).
licenses: install-test
	$(BIN)/python tools/check_licenses.py

clean:
	rm -rf $(VENV) instance/shop.db
