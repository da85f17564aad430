"""docker-compose.yml agrees with the code it runs.

The file is read with PyYAML (which resolves the x-app-env anchor and its `<<`
merge) and the ${VAR:-default} substitutions are resolved as compose does, so a
renamed setting, a missing production variable or a bucket name typed two ways
fails here rather than in a deployment.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
APP_SERVICES = ("web", "worker")
PRODUCTION_CRITICAL = {
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "AWS_STORAGE_BUCKET_NAME",
    "AWS_S3_ENDPOINT_URL",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DEBUG",
}
# What the test pretends the shell exports when compose reads the file.
SHELL_ENV = {"SECRET_KEY": "a-secret-key-for-the-compose-tests"}

_SUBSTITUTION = re.compile(r"\$(?:(\$)|\{(\w+)(?:(:?[-?])([^}]*))?\}|(\w+))")


def interpolate(value: str, env: dict[str, str]) -> str:
    """Resolve $$, $NAME, ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?error}."""

    def replace(match: re.Match) -> str:
        escaped, braced, operator, argument, bare = match.groups()
        if escaped:
            return "$"
        name = braced or bare
        value = env.get(name)
        unset = value is None if operator in ("-", "?") else not value
        if operator and unset:
            if operator.endswith("?"):
                raise ValueError(f"{name}: {argument}")
            return argument
        return value or ""

    return _SUBSTITUTION.sub(replace, value)


def resolved(node, env: dict[str, str]):
    if isinstance(node, str):
        return interpolate(node, env)
    if isinstance(node, list):
        return [resolved(item, env) for item in node]
    if isinstance(node, dict):
        return {key: resolved(item, env) for key, item in node.items()}
    return node


@pytest.fixture(scope="module")
def compose() -> dict:
    return resolved(yaml.safe_load(COMPOSE_FILE.read_text()), SHELL_ENV)


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


def environment(service: dict) -> dict[str, str]:
    env = service.get("environment", {})
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {name: str(value) for name, value in env.items()}


def names_the_code_reads() -> set[str]:
    settings = (ROOT / "backend" / "settings.py").read_text()
    names = set(re.findall(r'env_(?:str|bool|int|list|choice)\(\s*"(\w+)"', settings))
    entrypoint = (ROOT / "scripts" / "docker-entrypoint.sh").read_text()
    return names | set(re.findall(r"\$\{(\w+)", entrypoint))


def test_the_settings_scan_finds_the_settings():
    # Guards the regex: if it stopped matching, the next test would pass vacuously.
    assert PRODUCTION_CRITICAL - names_the_code_reads() == set()


@pytest.mark.parametrize("name", APP_SERVICES)
def test_every_variable_given_to_the_app_is_one_the_code_reads(services, name):
    unread = set(environment(services[name])) - names_the_code_reads()
    assert not unread, f"{name} sets variables nothing reads: {sorted(unread)}"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_the_app_gets_every_production_critical_variable(services, name):
    given = {key for key, value in environment(services[name]).items() if value}
    missing = PRODUCTION_CRITICAL - given
    assert not missing, f"{name} lacks {sorted(missing)}"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_the_app_runs_in_production_mode(services, name):
    env = environment(services[name])
    assert (env["DEBUG"], env["REQUIRE_SECRET_KEY"]) == ("false", "true")


def test_only_web_migrates(services):
    web, worker = environment(services["web"]), environment(services["worker"])
    assert (web.get("MIGRATE"), worker.get("MIGRATE")) == ("1", None)


def test_web_and_worker_have_the_same_settings_apart_from_migrate(services):
    web = environment(services["web"])
    web.pop("MIGRATE")
    assert web == environment(services["worker"])


def test_the_secret_key_must_come_from_the_shell():
    raw = yaml.safe_load(COMPOSE_FILE.read_text())["services"]["web"]["environment"]["SECRET_KEY"]
    with pytest.raises(ValueError, match="SECRET_KEY"):
        interpolate(raw, {})


def test_createbucket_creates_the_bucket_the_app_uses(services):
    script = " ".join(services["createbucket"]["command"])
    created = re.findall(r"mc mb\b[^\n]*?\blocal/([\w.-]+)", script)
    assert created == [environment(services["web"])["AWS_STORAGE_BUCKET_NAME"]]


def test_createbucket_leaves_the_bucket_private(services):
    script = " ".join(services["createbucket"]["command"])
    bucket = environment(services["web"])["AWS_STORAGE_BUCKET_NAME"]
    assert f"mc anonymous set none local/{bucket}" in script


def test_the_app_uses_the_minio_credentials(services):
    web, minio = environment(services["web"]), environment(services["minio"])
    assert (web["AWS_ACCESS_KEY_ID"], web["AWS_SECRET_ACCESS_KEY"]) == (
        minio["MINIO_ROOT_USER"],
        minio["MINIO_ROOT_PASSWORD"],
    )


def test_the_database_url_matches_the_db_service(services):
    url = urlsplit(environment(services["web"])["DATABASE_URL"])
    db = environment(services["db"])
    assert (unquote(url.username), unquote(url.password), url.hostname, url.path.lstrip("/")) == (
        db["POSTGRES_USER"],
        db["POSTGRES_PASSWORD"],
        "db",
        db["POSTGRES_DB"],
    )


def test_the_db_service_has_a_healthcheck(services):
    assert "pg_isready" in str(services["db"]["healthcheck"]["test"])


@pytest.mark.parametrize("name", APP_SERVICES)
def test_the_app_waits_for_its_dependencies(services, name):
    assert services[name]["depends_on"] == {
        "db": {"condition": "service_healthy"},
        "redis": {"condition": "service_started"},
        "createbucket": {"condition": "service_completed_successfully"},
    }


def test_web_and_worker_run_the_same_image_build(services):
    web, worker = services["web"], services["worker"]
    assert (web["build"], web["image"]) == (worker["build"], worker["image"])


def test_the_worker_starts_celery_with_the_backend_app(services):
    command = services["worker"]["command"]
    if isinstance(command, str):
        command = command.split()
    assert command[:4] == ["celery", "-A", "backend", "worker"]


def compose_command() -> list[str] | None:
    """`docker compose` (the plugin) where installed, else Debian's docker-compose."""
    if shutil.which("docker") is not None:
        result = subprocess.run(["docker", "compose", "version"], capture_output=True, timeout=30)
        if result.returncode == 0:
            return ["docker", "compose"]
    if shutil.which("docker-compose") is not None:
        return ["docker-compose"]
    return None


@pytest.mark.skipif(compose_command() is None, reason="neither docker compose nor docker-compose is installed")
def test_docker_compose_accepts_the_file():
    result = subprocess.run(
        [*compose_command(), "-f", str(COMPOSE_FILE), "config", "-q"],
        cwd=ROOT,
        env={**os.environ, **SHELL_ENV},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
