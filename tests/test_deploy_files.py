"""docker-compose.yml stays a correct description of production: web, worker, one beat,
PostgreSQL and Redis. A host with Docker Compose also validates it with `config`."""

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_it_has_the_five_services_of_production():
    services = compose()["services"]
    assert {"web", "worker", "beat", "postgres", "redis"} <= set(services)
    assert services["worker"]["command"].startswith("celery -A config worker")
    assert services["beat"]["command"].startswith("celery -A config beat")
    assert services["postgres"]["image"].startswith("postgres:15")


def test_the_app_services_get_their_settings_from_the_environment():
    services = compose()["services"]
    for name in ("web", "worker", "beat"):
        env = services[name]["environment"]
        assert env["DATABASE_URL"].startswith("postgres://")
        assert env["REDIS_URL"].startswith("redis://")
        assert "SECRET_KEY" in env


def test_the_dockerfile_serves_with_gunicorn():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert '"gunicorn", "config.wsgi"' in dockerfile
    assert "npm ci" in dockerfile  # front-end packages from the npm registry, no CDN


def _compose_command() -> list[str] | None:
    """Docker Compose as v1 (docker-compose) or as the docker CLI's plugin, if either is
    here (a docker CLI without the plugin does not count)."""
    if path := shutil.which("docker-compose"):
        return [path]
    docker = shutil.which("docker")
    if docker is None:
        return None
    probe = subprocess.run(
        [docker, "compose", "version"], capture_output=True, text=True, timeout=30, check=False
    )
    return [docker, "compose"] if probe.returncode == 0 else None


def test_compose_validates_it():
    command = _compose_command()
    if command is None:
        pytest.skip("no Docker Compose on this machine")
    result = subprocess.run(
        [*command, "config", "-q"],
        cwd=ROOT,
        env={"SECRET_KEY": "x", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
