#!/usr/bin/env python3
"""Health probe for compose and `make prod-local`: `healthcheck.py URL` or `--process NAME`.

`URL` (e.g. http://127.0.0.1:8001/healthz) is fetched with the site's first allowed
host and `X-Forwarded-Proto: https`, as the reverse proxy would send it, so that the
HTTPS redirect and the host check answer as in production. Exit 0 on a 200 answer.
`--process NAME` is for the worker and scheduler (no HTTP port): exit 0 when a
process whose command line contains NAME runs. Standard library only.
"""

import os
import sys
import urllib.error
import urllib.request
from pathlib import Path


def probe_url(url: str) -> bool:
    hosts = [h.strip() for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",")]
    host = next((h for h in hosts if h and "*" not in h and not h.startswith(".")), "")
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})  # noqa: S310
    if host:
        request.add_header("Host", host)
    try:
        with urllib.request.urlopen(request, timeout=3) as response:  # noqa: S310
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def probe_process(name: str) -> bool:
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or entry.name == str(os.getpid()):
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if name in cmdline and "healthcheck.py" not in cmdline:
            return True
    return False


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "--process":
        return 0 if probe_process(argv[1]) else 1
    if len(argv) == 1:
        return 0 if probe_url(argv[0]) else 1
    print("usage: healthcheck.py URL | --process NAME", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
