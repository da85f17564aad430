"""Production settings: HTTPS on by PRODUCTION=true, and `check --deploy` clean.

`manage.py check --deploy --fail-level WARNING` runs in a fresh process with
the environments the README documents: the one docker compose gives the app
when .env is .env.example (with a SECRET_KEY filled in), and the one for a
deployment without compose. Without PRODUCTION the platform serves plain http,
as `make run` does on 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_compose import compose_app_env, env_example

ROOT = Path(__file__).resolve().parent.parent

# README.md, "Production": the settings for a deployment without compose.
WITHOUT_COMPOSE = {
    "DEBUG": "false",
    "PRODUCTION": "true",
    "ALLOWED_HOSTS": "audit.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://audit.example.com",
    "TRUST_PROXY_SSL_HEADER": "true",
    "SECURE_HSTS_PRELOAD": "true",
    "DATABASE_URL": "postgres://audit@db.internal:5432/audit",
    "CELERY_BROKER_URL": "redis://redis.internal:6379/0",
    "CACHE_URL": "redis://redis.internal:6379/1",
    "AWS_STORAGE_BUCKET_NAME": "audit-private",
}

SHOW_SECURITY = """
import json
from django.conf import settings
print(json.dumps({name: getattr(settings, name, None) for name in (
    "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD", "SECURE_PROXY_SSL_HEADER",
    "LOG_FORMAT",
)}))
"""


def a_secret_key() -> str:
    return secrets.token_urlsafe(50)


def run(args: list[str], env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    """`python <args>` in a new process whose environment is only `env` (and PATH)."""
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={
            "PATH": os.environ.get("PATH", ""),
            "DJANGO_SETTINGS_MODULE": "backend.settings",
            "VAR_DIR": str(tmp_path),
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )


def check_deploy(env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    return run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env, tmp_path)


def security_under(env: dict[str, str], tmp_path: Path) -> dict:
    result = run(["-c", SHOW_SECURITY], env, tmp_path)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def compose_env_from_env_example() -> dict[str, str]:
    shell = {name: value for name, (value, active) in env_example().items() if active}
    shell["SECRET_KEY"] = a_secret_key()
    return compose_app_env(shell)


def test_check_deploy_is_clean_with_the_env_example_under_compose(tmp_path):
    result = check_deploy(compose_env_from_env_example(), tmp_path)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout


def test_check_deploy_is_clean_with_the_documented_settings_without_compose(tmp_path):
    result = check_deploy({**WITHOUT_COMPOSE, "SECRET_KEY": a_secret_key()}, tmp_path)
    assert result.returncode == 0, result.stderr + result.stdout


def test_check_deploy_still_finds_problems_without_production(tmp_path):
    # Guards the two tests above: the command does fail on the embedded default.
    result = check_deploy({"SECRET_KEY": a_secret_key()}, tmp_path)
    assert result.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stderr


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    env = {"PRODUCTION": "true", "SECRET_KEY": a_secret_key()}
    return security_under(env, tmp_path_factory.mktemp("production"))


@pytest.fixture(scope="module")
def embedded(tmp_path_factory):
    return security_under({}, tmp_path_factory.mktemp("embedded"))


def test_production_redirects_http_to_https(production):
    assert production["SECURE_SSL_REDIRECT"] is True


def test_production_cookies_are_secure(production):
    assert (production["SESSION_COOKIE_SECURE"], production["CSRF_COOKIE_SECURE"]) == (True, True)


def test_production_sends_hsts_for_a_year_with_subdomains(production):
    assert (production["SECURE_HSTS_SECONDS"], production["SECURE_HSTS_INCLUDE_SUBDOMAINS"]) == (
        365 * 24 * 3600,
        True,
    )


def test_hsts_preload_is_an_explicit_choice(production):
    assert production["SECURE_HSTS_PRELOAD"] is False


def test_the_proxy_ssl_header_is_trusted_only_when_asked(production, tmp_path):
    assert production["SECURE_PROXY_SSL_HEADER"] is None
    trusted = security_under(
        {"PRODUCTION": "true", "SECRET_KEY": a_secret_key(), "TRUST_PROXY_SSL_HEADER": "true"},
        tmp_path,
    )
    assert trusted["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_production_logs_json_lines(production):
    assert production["LOG_FORMAT"] == "json"


def test_each_secure_default_can_be_turned_off_alone(tmp_path):
    settings = security_under(
        {"PRODUCTION": "true", "SECRET_KEY": a_secret_key(), "SECURE_SSL_REDIRECT": "false"},
        tmp_path,
    )
    assert (settings["SECURE_SSL_REDIRECT"], settings["SESSION_COOKIE_SECURE"]) == (False, True)


def test_the_embedded_default_serves_plain_http_as_make_run_does(embedded):
    assert embedded == {
        "SECURE_SSL_REDIRECT": False,
        "SESSION_COOKIE_SECURE": False,
        "CSRF_COOKIE_SECURE": False,
        "SECURE_HSTS_SECONDS": 0,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": False,
        "SECURE_HSTS_PRELOAD": False,
        "SECURE_PROXY_SSL_HEADER": None,
        "LOG_FORMAT": "text",
    }


def test_production_refuses_debug(tmp_path):
    result = run(["-c", SHOW_SECURITY], {"PRODUCTION": "true", "DEBUG": "true"}, tmp_path)
    assert result.returncode != 0
    assert "DEBUG must be false when PRODUCTION=true" in result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = run(["-c", SHOW_SECURITY], {"PRODUCTION": "true"}, tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY must be set in production" in result.stderr
