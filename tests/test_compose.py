"""docker-compose.yml, .env.example and deploy/nginx.conf agree with the code they run.

The file is read with PyYAML (which resolves the x-app-env anchor and its `<<`
merge) and the ${VAR:-default} substitutions are resolved as compose does, so a
renamed setting, a missing production variable or a bucket name typed two ways
fails here rather than in a deployment. .env.example must name every variable
the settings read, and each one it sets must reach the app.
"""

from __future__ import annotations

import json
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
ENV_EXAMPLE = ROOT / ".env.example"
NGINX_CONF = ROOT / "deploy" / "nginx.conf"
APP_SERVICES = ("web", "worker", "beat")
ALL_SERVICES = ("proxy", "web", "worker", "beat", "db", "redis", "minio")
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
    assert (env["DEBUG"], env["PRODUCTION"]) == ("false", "true")


def test_only_web_migrates(services):
    assert {name: environment(services[name]).get("MIGRATE") for name in APP_SERVICES} == {
        "web": "1",
        "worker": None,
        "beat": None,
    }


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
        "redis": {"condition": "service_healthy"},
        "createbucket": {"condition": "service_completed_successfully"},
    }


@pytest.mark.parametrize("name", ["worker", "beat"])
def test_every_app_service_runs_the_same_image_build(services, name):
    web, other = services["web"], services[name]
    assert (web["build"], web["image"]) == (other["build"], other["image"])


@pytest.mark.parametrize("name", ["worker", "beat"])
def test_the_worker_and_the_beat_start_celery_with_the_backend_app(services, name):
    command = services[name]["command"]
    if isinstance(command, str):
        command = command.split()
    assert command[:4] == ["celery", "-A", "backend", name]


def test_the_beat_has_the_workers_settings(services):
    assert environment(services["beat"]) == environment(services["worker"])


def test_exactly_one_beat_runs(services):
    assert services["beat"]["deploy"]["replicas"] == 1


def test_the_beat_schedules_the_outbox_drain(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "outbox.tasks.outbox_drain_task" in tasks


def test_every_task_the_beat_schedules_is_a_registered_task(settings):
    from backend.celery import app

    app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled - set(app.tasks) == set()


def test_the_beat_keeps_the_report_tables_ready(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "reports.tasks.report_tables_warm_task" in tasks


def compose_command() -> list[str] | None:
    """`docker compose` (the plugin) where installed, else Debian's docker-compose."""
    if shutil.which("docker") is not None:
        result = subprocess.run(["docker", "compose", "version"], capture_output=True, timeout=30)
        if result.returncode == 0:
            return ["docker", "compose"]
    if shutil.which("docker-compose") is not None:
        return ["docker-compose"]
    return None


@pytest.mark.skipif(
    compose_command() is None, reason="neither docker compose nor docker-compose is installed"
)
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


# Health checks, the proxy, volumes.


@pytest.mark.parametrize("name", ALL_SERVICES)
def test_every_long_running_service_has_a_healthcheck(services, name):
    assert services[name]["healthcheck"]["test"]


def test_the_web_healthcheck_asks_the_health_endpoint(services):
    assert "http://127.0.0.1:8000/healthz" in str(services["web"]["healthcheck"]["test"])


def test_the_worker_healthcheck_pings_its_own_celery_node(services):
    test = str(services["worker"]["healthcheck"]["test"])
    assert "inspect ping" in test and "celery@$HOSTNAME" in test


def test_the_proxy_is_the_only_way_into_the_app(services):
    assert "ports" not in services["web"]
    assert [p.split(":")[-1] for p in services["proxy"]["ports"]] == ["80"]
    assert services["proxy"]["depends_on"] == {"web": {"condition": "service_healthy"}}


def test_the_proxy_runs_the_project_nginx_conf(services):
    assert "./deploy/nginx.conf:/etc/nginx/conf.d/default.conf:ro" in services["proxy"]["volumes"]


def test_the_app_trusts_the_proxy_ssl_header_because_the_proxy_always_sets_it(services):
    assert environment(services["web"])["TRUST_PROXY_SSL_HEADER"] == "true"
    assert re.search(r"proxy_set_header\s+X-Forwarded-Proto\s", NGINX_CONF.read_text())


def nginx_bytes(size: str) -> int:
    number, unit = re.fullmatch(r"(\d+)([kKmMgG]?)", size).groups()
    return int(number) * {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[unit.lower()]


def test_the_proxy_caps_request_bodies_just_above_the_photo_limit():
    from django.conf import settings

    sizes = re.findall(r"^\s*client_max_body_size\s+(\S+);", NGINX_CONF.read_text(), re.M)
    assert len(sizes) == 1
    cap = nginx_bytes(sizes[0])
    assert settings.PHOTO_MAX_BYTES < cap <= settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def test_the_proxy_refuses_a_too_large_body_in_the_apis_error_shape():
    conf = NGINX_CONF.read_text()
    assert "error_page 413 = @too_large;" in conf
    body = re.search(r"location @too_large \{[^}]*return 413 '([^']*)';", conf).group(1)
    assert json.loads(body)["code"] == "too_large"


def test_the_proxy_passes_the_phones_request_id_or_makes_one():
    conf = NGINX_CONF.read_text()
    assert re.search(r"map \$http_x_request_id \$(\w+) \{[^}]*\"\"\s+\$request_id;", conf)
    assert re.search(r"proxy_set_header\s+X-Request-ID\s+\$audit_request_id;", conf)


def test_the_database_and_the_bucket_keep_their_data_in_named_volumes(compose, services):
    assert set(compose["volumes"]) == {"pgdata", "miniodata"}
    assert "pgdata:/var/lib/postgresql/data" in services["db"]["volumes"]
    assert "miniodata:/data" in services["minio"]["volumes"]


def test_redis_keeps_nothing(services):
    assert "volumes" not in services["redis"]
    assert services["redis"]["command"] == ["redis-server", "--save", "", "--appendonly", "no"]


# .env.example


def env_example() -> dict[str, tuple[str, bool]]:
    """NAME -> (value, active); `#NAME=value` lines are documented but left to compose."""
    found = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        match = re.match(r"^(#?)([A-Z][A-Z0-9_]*)=(.*)$", line)
        if match:
            commented, name, value = match.groups()
            found[name] = (value, not commented)
    return found


def names_compose_reads() -> set[str]:
    return set(re.findall(r"\$\{(\w+)", COMPOSE_FILE.read_text()))


def test_the_env_example_names_every_variable_the_settings_read():
    missing = names_the_code_reads() - {"MIGRATE"} - set(env_example())
    assert not missing, f".env.example lacks {sorted(missing)}"


def test_every_variable_in_the_env_example_is_read_by_the_code_or_compose():
    unread = set(env_example()) - names_the_code_reads() - names_compose_reads()
    assert not unread, f".env.example names variables nothing reads: {sorted(unread)}"


def app_env_passed_through() -> set[str]:
    """The app variables compose takes from .env: `NAME: ${NAME…}` in x-app-env."""
    raw = yaml.safe_load(COMPOSE_FILE.read_text())["x-app-env"]
    return {
        name
        for name, value in raw.items()
        if f"${{{name}:" in str(value) or f"${{{name}}}" in str(value)
    }


def test_every_app_variable_the_env_example_sets_reaches_the_app_in_compose():
    active = {name for name, (_, on) in env_example().items() if on}
    ignored = (active & names_the_code_reads()) - app_env_passed_through()
    assert not ignored, f"compose would ignore {sorted(ignored)} from .env"


def test_every_compose_variable_the_env_example_sets_is_used_by_compose():
    active = {name for name, (_, on) in env_example().items() if on}
    ignored = (active - names_the_code_reads()) - names_compose_reads()
    assert not ignored, f"compose ignores {sorted(ignored)} from .env"


def test_every_variable_compose_sets_itself_is_commented_out_in_the_env_example():
    wired = set(yaml.safe_load(COMPOSE_FILE.read_text())["x-app-env"]) - app_env_passed_through()
    active = {name for name, (_, on) in env_example().items() if on}
    assert not wired & active, (
        f"set by compose, so .env would not change them: {sorted(wired & active)}"
    )


def test_the_env_example_leaves_the_secret_key_to_fill_in():
    assert env_example()["SECRET_KEY"] == ("", True)


def compose_app_env(shell: dict[str, str]) -> dict[str, str]:
    """What compose gives the web container when .env (or the shell) holds `shell`."""
    return environment(resolved(yaml.safe_load(COMPOSE_FILE.read_text()), shell)["services"]["web"])


def test_with_the_env_example_the_app_runs_in_production_mode():
    shell = {name: value for name, (value, on) in env_example().items() if on}
    env = compose_app_env({**shell, **SHELL_ENV})
    assert (env["PRODUCTION"], env["DEBUG"], env["TRUST_PROXY_SSL_HEADER"]) == (
        "true",
        "false",
        "true",
    )
