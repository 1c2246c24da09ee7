# Two commands: `make run` and `make test`. Everything else is what they need.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
CHROMIUM_PATH ?= /usr/bin/chromium

.PHONY: run test install env migrate catalogues seed serve lint check-deploy chromium bench clean \
	prod-local prod-local-stop smoke

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# A local .env with fresh random keys, made once (never committed).
.env:
	@$(PYTHON) -c "import base64,secrets;k=lambda:base64.b64encode(secrets.token_bytes(32)).decode();\
	s=open('.env.example').read();\
	s=s.replace('DJANGO_SECRET_KEY=\n','DJANGO_SECRET_KEY='+secrets.token_urlsafe(50)+'\n');\
	s=s.replace('VAULT_MASTER_KEYS=\n','VAULT_MASTER_KEYS=1:'+k()+'\n');\
	s=s.replace('IDENTITY_TAG_KEYS=\n','IDENTITY_TAG_KEYS=1:'+k()+'\n');\
	open('.env','w').write(s)"
	@echo "Wrote .env with fresh development keys."

env: .env

catalogues: $(STAMP)
	$(PY) -m sorority.core.catalogues

migrate: $(STAMP) .env
	$(PY) manage.py migrate --noinput -v0

seed: migrate catalogues
	$(PY) manage.py seed_demo

run: seed
	@echo "Serving http://127.0.0.1:8000 (HTTP and WebSockets). Ctrl-C to stop."
	$(PY) manage.py run_scheduler & trap "kill $$! 2>/dev/null" EXIT; \
	$(VENV)/bin/uvicorn config.asgi:application --host 127.0.0.1 --port 8000 \
		--no-access-log --ws websockets --ws-per-message-deflate false

chromium:
	@if [ ! -x "$(CHROMIUM_PATH)" ]; then \
		if [ "$$(id -u)" = "0" ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		else echo "Chromium is missing: install the Debian package 'chromium' (browser tests need it)."; exit 1; fi; \
	fi

lint: $(STAMP)
	$(VENV)/bin/ruff check .

test: $(STAMP) chromium catalogues lint
	$(VENV)/bin/pytest

check-deploy: $(STAMP)
	$(PY) -m pytest -q sorority/core/tests/test_deploy.py

# The production topology on this machine (caddy, gunicorn, uvicorn, worker, scheduler;
# PostgreSQL and Redis as already running): docs/operations.md, "make prod-local".
prod-local: $(STAMP)
	VENV=$(VENV) deploy/prod-local.sh start

prod-local-stop:
	deploy/prod-local.sh stop

smoke: $(STAMP)
	$(PY) deploy/smoke.py

bench: $(STAMP)
	@for f in bench/*.py; do echo "== $$f"; $(PY) $$f; done

clean:
	rm -rf $(VENV) var/db.sqlite3 var/static
