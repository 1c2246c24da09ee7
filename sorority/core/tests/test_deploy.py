"""Production configuration: deploy checks pass, missing secrets refuse to start."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
PRODUCTION_ENV = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "x7!k2#pQz9vL0mW3nR8tY1uB4cE6gH5jD-2aF_sK9lZ0xC3vN7mQ",
    "DJANGO_ALLOWED_HOSTS": "sorority.example.org",
    "VAULT_MASTER_KEYS": "1:dmF1bHQtbWFzdGVyLWtleS1mb3ItdGVzdHMtb25seSE=",
    "IDENTITY_TAG_KEYS": "1:aWRlbnRpdHktdGFnLWtleS1mb3ItdGVzdHMtb25seSE=",
    "DJANGO_SECURE_SSL_REDIRECT": "true",
}


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "VAULT_", "IDENTITY_"))}
    return subprocess.run(  # noqa: S603 - fixed arguments, our own manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_passes_with_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "missing", ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "VAULT_MASTER_KEYS", "IDENTITY_TAG_KEYS"]
)
def test_production_refuses_to_start_without_a_secret(missing, tmp_path):
    env = {**PRODUCTION_ENV, missing: ""}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert missing in result.stderr
