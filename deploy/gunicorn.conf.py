"""gunicorn settings for the HTTP process (`gunicorn -c deploy/gunicorn.conf.py config.wsgi`).

Everything can be overridden from the environment; see `.env.example`. gthread workers:
a few processes with threads each, enough for one page's short database queries.
Access logs stay off: a request line may hold a position (`?lat=&lng=`) or a token
(docs/security.md, "Logs").
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")
worker_class = "gthread"
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Recycling workers (GUNICORN_MAX_REQUESTS > 0) is off by default: a fresh worker's
# first search loads the gazetteer and search structures (3 s on an idle machine, 14 s
# on a busy one), a stall that recycling would bring back again and again.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "0"))
max_requests_jitter = 500 if max_requests else 0
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "warning")
# Only the reverse proxy talks to gunicorn; it sets X-Forwarded-Proto/-For.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
proc_name = "sorority-web"
