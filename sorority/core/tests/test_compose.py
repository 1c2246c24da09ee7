"""The deployment recipes, checked offline (no Docker engine or systemd runs in CI).

`deploy/compose.yaml` is validated against the Compose Specification's JSON schema
(vendored as `deploy/compose-spec.schema.json`, from check-jsonschema's bundled copy)
and against the project's rules; the Caddyfile's body limit must be the application's
upload limit; the systemd units keep their hardening.
"""

import json
import re
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest
import yaml
from django.conf import settings

DEPLOY = Path(__file__).resolve().parents[3] / "deploy"
APP_SERVICES = {"web", "ws", "worker", "scheduler", "migrate"}
GATED = {"web", "ws", "worker", "scheduler"}
SECRETS = {
    "DJANGO_SECRET_KEY",
    "VAULT_MASTER_KEYS",
    "IDENTITY_TAG_KEYS",
    "EMAIL_HOST_PASSWORD",
}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def test_compose_file_is_valid_against_the_compose_specification(compose):
    schema = json.loads((DEPLOY / "compose-spec.schema.json").read_text())
    validator = jsonschema.Draft202012Validator(schema)
    errors = [
        f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(compose)
    ]
    assert errors == []


def test_the_schema_check_catches_a_broken_file(compose):
    """The schema really constrains: a misspelt key and a bad type are refused."""
    schema = json.loads((DEPLOY / "compose-spec.schema.json").read_text())
    validator = jsonschema.Draft202012Validator(schema)
    broken = json.loads(json.dumps(compose))
    broken["services"]["web"]["helthcheck"] = broken["services"]["web"].pop(
        "healthcheck"
    )
    broken["services"]["redis"]["restart"] = ["always"]
    assert len(list(validator.iter_errors(broken))) >= 2


def test_the_topology_is_complete(compose):
    assert {"caddy", "postgres", "redis", *APP_SERVICES} <= set(compose["services"])


def test_every_service_has_a_health_check(compose):
    for name, service in compose["services"].items():
        check = service.get("healthcheck")
        assert check, name
        assert not check.get("disable"), name
        assert check.get("test"), name


def test_web_and_ws_are_checked_on_healthz(compose):
    for name in ("web", "ws"):
        assert any(
            "/healthz" in part
            for part in compose["services"][name]["healthcheck"]["test"]
        )


def test_only_the_proxy_publishes_a_port(compose):
    for name, service in compose["services"].items():
        if name != "caddy":
            assert not service.get("ports"), f"{name} publishes a port"
            assert not service.get("network_mode"), name


def test_migrate_gates_the_application_processes(compose):
    assert compose["services"]["migrate"].get("restart") == "no"
    for name in GATED:
        depends = compose["services"][name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully", name


def test_secrets_come_from_the_env_file_not_the_compose_file(compose):
    for name in APP_SERVICES:
        service = compose["services"][name]
        assert service.get("env_file"), name
        assert not SECRETS & set(service.get("environment", {})), name


def test_named_volumes_are_declared(compose):
    declared = set(compose.get("volumes", {}))
    for name, service in compose["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if not source.startswith((".", "/")):
                assert source in declared, f"{name}: {source}"
    assert {"postgres", "vault", "media", "static"} <= declared


def test_caddy_body_limit_is_the_upload_limit():
    text = (DEPLOY / "Caddyfile").read_text()
    size = re.search(r"max_size\s+(\d+)MiB", text)
    assert size, "no request_body max_size in the Caddyfile"
    assert int(size.group(1)) * 1024 * 1024 == settings.FILE_UPLOAD_MAX_MEMORY_SIZE


def test_caddy_routes_websockets_and_serves_static_files():
    text = (DEPLOY / "Caddyfile").read_text()
    assert re.search(
        r"handle /ws/\*\s*{\s*reverse_proxy \{\$SORORITY_WS_UPSTREAM", text
    )
    assert "encode zstd gzip" in text
    assert "immutable" in text
    assert not re.search(r"^\s*log\b", text, re.MULTILINE), "access logs hold positions"


@pytest.mark.skipif(shutil.which("caddy") is None, reason="caddy is not installed")
def test_caddyfile_is_accepted_by_caddy(tmp_path):
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [
            shutil.which("caddy") or "caddy",
            "adapt",
            "--config",
            str(DEPLOY / "Caddyfile"),
            "--adapter",
            "caddyfile",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr
    assert "reverse_proxy" in result.stdout


UNITS = [
    "sorority-web",
    "sorority-ws",
    "sorority-worker",
    "sorority-scheduler",
    "sorority-migrate",
]


@pytest.mark.parametrize("unit", UNITS)
def test_systemd_units_are_hardened(unit):
    lines = (DEPLOY / "systemd" / f"{unit}.service").read_text().splitlines()
    options = dict(
        line.split("=", 1) for line in lines if "=" in line and not line.startswith("#")
    )
    assert options["User"] == "sorority"
    assert options["ProtectSystem"] == "strict"
    assert options["NoNewPrivileges"] == "yes"
    assert options["PrivateTmp"] == "yes"
    assert options["EnvironmentFile"].startswith("/etc/sorority/")
    if unit != "sorority-migrate":
        assert "sorority-migrate.service" in options["Requires"]


def _compose_cli() -> tuple[list[str] | None, bool]:
    """`docker compose` (v2) when its plugin is there, else Debian's `docker-compose` (v1)."""
    docker = shutil.which("docker")
    if docker:
        probe = subprocess.run(  # noqa: S603 - fixed arguments
            [docker, "compose", "version"], capture_output=True, timeout=30, check=False
        )
        if probe.returncode == 0:
            return [docker, "compose"], True
    legacy = shutil.which("docker-compose")
    return ([legacy], False) if legacy else (None, False)


@pytest.mark.skipif(_compose_cli()[0] is None, reason="no docker compose CLI installed")
def test_the_compose_cli_accepts_the_file_offline(tmp_path):
    """A second validator where one is installed: `config -q` needs no Docker engine."""
    command, v2 = _compose_cli()
    text = (DEPLOY / "compose.yaml").read_text()
    if not v2:  # docker-compose 1.29 predates the top-level `name`
        text = re.sub(r"^name: .*\n", "", text, flags=re.MULTILINE)
    (tmp_path / "compose.yaml").write_text(text)
    (tmp_path / "sorority.env").write_text("")
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [*command, "-f", str(tmp_path / "compose.yaml"), "config", "-q"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=tmp_path,
        env={
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": str(tmp_path),
            "POSTGRES_PASSWORD": "x",
            "SORORITY_SITE_ADDRESS": "sorority.example.org",
            "SORORITY_TLS": "admin@example.org",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
