#!/usr/bin/env bash
# `make prod-local` / `make prod-local-stop`: the production topology on this machine,
# without Docker. caddy (https://localhost:8443, its own local CA) in front of gunicorn
# (HTTP) and uvicorn (/ws/ only), plus the task worker and the scheduler, all in the
# background with pid files and logs under var/prod-local/. PostgreSQL and Redis are
# the ones already running on 127.0.0.1 (database sorority_prodlocal, Redis db 11).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
RUN=$ROOT/var/prod-local
VENV=${VENV:-$ROOT/.venv}
PY=$VENV/bin/python
HTTPS_PORT=${PROD_LOCAL_HTTPS_PORT:-8443}
HTTP_PORT=${PROD_LOCAL_HTTP_PORT:-8080}
WEB_PORT=${PROD_LOCAL_WEB_PORT:-8101}
WS_PORT=${PROD_LOCAL_WS_PORT:-8102}
ADMIN_PORT=${PROD_LOCAL_ADMIN_PORT:-2119}
HEALTH=${PROD_LOCAL_HEALTH_PATH:-/healthz}
SERVICES=(caddy web ws worker scheduler)

write_env() {
  # Fresh keys once per checkout; the rest is rewritten on every start.
  if [ ! -f "$RUN/keys.env" ]; then
    "$PY" - >"$RUN/keys.env" <<'PY'
import base64, secrets
k = lambda: base64.b64encode(secrets.token_bytes(32)).decode()
print(f"DJANGO_SECRET_KEY={secrets.token_urlsafe(50)}")
print(f"VAULT_MASTER_KEYS=1:{k()}")
print(f"IDENTITY_TAG_KEYS=1:{k()}")
PY
    chmod 600 "$RUN/keys.env"
  fi
  cat "$RUN/keys.env" - >"$RUN/env" <<ENV
DJANGO_DEBUG=false
SORORITY_DEMO=false
DJANGO_ALLOWED_HOSTS=localhost,127.0.0.1
DJANGO_CSRF_TRUSTED_ORIGINS=https://localhost:$HTTPS_PORT
DJANGO_SECURE_SSL_REDIRECT=true
DATABASE_URL=${PROD_LOCAL_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/sorority_prodlocal}
REDIS_URL=${PROD_LOCAL_REDIS_URL:-redis://127.0.0.1:6379/11}
TASKS_BACKEND=django_tasks_db.DatabaseBackend
EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend
EMAIL_FILE_PATH=$RUN/mail
MEDIA_ROOT=$RUN/media
VAULT_ROOT=$RUN/vault
DJANGO_STATIC_ROOT=$RUN/static
MODERATOR_ALLOW_TOTP=true
ALLAUTH_TRUSTED_PROXY_COUNT=1
LOG_LEVEL=WARNING
GUNICORN_BIND=127.0.0.1:$WEB_PORT
GUNICORN_WORKERS=${PROD_LOCAL_WEB_WORKERS:-2}
GUNICORN_THREADS=4
SORORITY_SITE_ADDRESS=localhost:$HTTPS_PORT
SORORITY_TLS=internal
SORORITY_WEB_UPSTREAM=127.0.0.1:$WEB_PORT
SORORITY_WS_UPSTREAM=127.0.0.1:$WS_PORT
SORORITY_STATIC_ROOT=$RUN/static
SORORITY_HTTP_PORT=$HTTP_PORT
SORORITY_HTTPS_PORT=$HTTPS_PORT
SORORITY_CADDY_ADMIN=localhost:$ADMIN_PORT
SORORITY_CADDY_OPTION=skip_install_trust
XDG_DATA_HOME=$RUN/caddy-data
XDG_CONFIG_HOME=$RUN/caddy-config
ENV
}

load_env() { set -a; . "$RUN/env"; set +a; }

ensure_caddy() {
  command -v caddy >/dev/null && return
  if [ "$(id -u)" = "0" ]; then
    echo "Installing caddy (Debian package)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq caddy >/dev/null
    # The package starts its own service where systemd runs; ours is started below.
    if command -v systemctl >/dev/null && systemctl is-active --quiet caddy 2>/dev/null; then
      systemctl disable --now caddy >/dev/null 2>&1 || true
    fi
  else
    echo "caddy is missing: install the Debian package 'caddy'."; exit 1
  fi
}

ensure_database() {
  "$PY" - "$DATABASE_URL" <<'PY'
import sys
from urllib.parse import urlparse
import psycopg
url = urlparse(sys.argv[1])
name = url.path.lstrip("/")
with psycopg.connect(sys.argv[1].rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
    if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
        conn.execute(f'CREATE DATABASE "{name}"')
        print(f"Created database {name}")
PY
}

alive() { [ -f "$RUN/$1.pid" ] && kill -0 "$(cat "$RUN/$1.pid")" 2>/dev/null; }

launch() {  # name, command...: in its own process group, logs to var/prod-local/NAME.log
  local name=$1; shift
  if alive "$name"; then echo "  $name already running (pid $(cat "$RUN/$name.pid"))"; return; fi
  setsid "$@" >>"$RUN/$name.log" 2>&1 </dev/null &
  echo $! >"$RUN/$name.pid"
  echo "  $name: pid $!"
}

wait_for() {  # label, command...: up to 60 s
  local label=$1; shift
  for _ in $(seq 1 120); do
    if "$@" >/dev/null 2>&1; then echo "  $label: healthy"; return 0; fi
    sleep 0.5
  done
  echo "  $label: NOT healthy after 60 s; see $RUN/*.log"; return 1
}

start() {
  mkdir -p "$RUN/mail" "$RUN/media" "$RUN/vault" "$RUN/static"
  ensure_caddy
  write_env
  load_env
  ensure_database
  echo "== migrate, collectstatic, seed (demo community and moderator)"
  "$PY" manage.py migrate --noinput -v0
  "$PY" -m sorority.core.catalogues >/dev/null
  "$PY" manage.py collectstatic --noinput -v0
  "$PY" manage.py seed_demo --output "$RUN/demo-accounts.json" >/dev/null
  echo "== start"
  launch web "$VENV/bin/gunicorn" -c deploy/gunicorn.conf.py config.wsgi:application
  launch ws "$VENV/bin/uvicorn" config.asgi:application --host 127.0.0.1 --port "$WS_PORT" \
    --no-access-log --ws websockets --ws-per-message-deflate false \
    --proxy-headers --forwarded-allow-ips 127.0.0.1
  launch worker "$PY" manage.py db_worker
  launch scheduler "$PY" manage.py run_scheduler
  launch caddy caddy run --config deploy/Caddyfile --adapter caddyfile
  wait_for "web $HEALTH" "$PY" deploy/healthcheck.py "http://127.0.0.1:$WEB_PORT$HEALTH"
  wait_for "ws $HEALTH" "$PY" deploy/healthcheck.py "http://127.0.0.1:$WS_PORT$HEALTH"
  wait_for worker "$PY" deploy/healthcheck.py --process db_worker
  wait_for scheduler "$PY" deploy/healthcheck.py --process run_scheduler
  wait_for "caddy https://localhost:$HTTPS_PORT$HEALTH" \
    curl -fsS --cacert "$XDG_DATA_HOME/caddy/pki/authorities/local/root.crt" \
    "https://localhost:$HTTPS_PORT$HEALTH"
  echo "Serving https://localhost:$HTTPS_PORT (caddy's local CA: $XDG_DATA_HOME/caddy/pki/authorities/local/root.crt)."
  echo "Smoke journey: $PY deploy/smoke.py   Stop: make prod-local-stop"
}

stop() {
  for name in "${SERVICES[@]}"; do
    [ -f "$RUN/$name.pid" ] || continue
    pid=$(cat "$RUN/$name.pid")
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
      kill -KILL -- "-$pid" 2>/dev/null || true
      echo "  $name stopped (pid $pid)"
    fi
    rm -f "$RUN/$name.pid"
  done
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop"; exit 2 ;;
esac
