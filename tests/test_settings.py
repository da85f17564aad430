"""Settings under different environments.

Each environment is a fresh Python process that imports the settings, as the
platform does at start: a bad value must stop it with a message naming the
variable. Processes cost about a second each, so the passing environments are
run once per module and shared by the tests that read them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from backend.env import database_from_url

ROOT = Path(__file__).resolve().parent.parent

SHOW_SETTINGS = """
import json
from django.conf import settings
from django.core.files.storage import default_storage
try:
    url = default_storage.url("photos/p1.jpg")
except ValueError as exc:
    url = f"refused: {exc}"
print(json.dumps({
    "database": settings.DATABASES["default"],
    "storage": settings.STORAGES["default"],
    "storage_url": url,
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "cache": settings.CACHES["default"],
    "token_ttl_days": settings.API_TOKEN_TTL_DAYS,
}, default=str))
"""


def start(env: dict[str, str]) -> subprocess.CompletedProcess:
    """Import the settings in a new process whose environment is only `env` (and PATH)."""
    return subprocess.run(
        [sys.executable, "-c", SHOW_SETTINGS],
        cwd=ROOT,
        env={
            "PATH": os.environ.get("PATH", ""),
            "DJANGO_SETTINGS_MODULE": "backend.settings",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )


def settings_under(env: dict[str, str]) -> dict:
    result = start(env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def refusal(env: dict[str, str]) -> str:
    """The error a start under `env` fails with."""
    result = start(env)
    assert result.returncode != 0, result.stdout
    assert "django.core.exceptions.ImproperlyConfigured" in result.stderr, result.stderr
    return result.stderr.strip().splitlines()[-1]


# Start-up refusals: one process each.


def test_it_refuses_a_malformed_boolean(tmp_path):
    assert "DEBUG='ture' is not a boolean" in refusal({"VAR_DIR": str(tmp_path), "DEBUG": "ture"})


def test_it_refuses_a_malformed_integer(tmp_path):
    error = refusal({"VAR_DIR": str(tmp_path), "PHOTOS_PER_VISIT_MAX": "ten"})
    assert "PHOTOS_PER_VISIT_MAX='ten' is not a whole number" in error


def test_it_refuses_an_integer_below_its_minimum(tmp_path):
    error = refusal({"VAR_DIR": str(tmp_path), "AWS_QUERYSTRING_EXPIRE": "5"})
    assert "AWS_QUERYSTRING_EXPIRE=5 must be at least 10" in error


def test_it_refuses_an_unknown_database_scheme():
    error = refusal({"DATABASE_URL": "postgress://audit@db/audit"})
    assert "DATABASE_URL has an unsupported scheme 'postgress'" in error


def test_it_refuses_a_postgres_url_without_a_database_name():
    assert "DATABASE_URL must name a database" in refusal(
        {"DATABASE_URL": "postgres://audit@db:5432/"}
    )


def test_it_refuses_a_log_level_not_in_its_choices(tmp_path):
    error = refusal({"VAR_DIR": str(tmp_path), "LOG_LEVEL": "VERBOSE"})
    assert "LOG_LEVEL='VERBOSE' is not one of DEBUG, ERROR, INFO, WARNING" in error


def test_it_refuses_a_cache_url_that_is_not_redis(tmp_path):
    error = refusal({"VAR_DIR": str(tmp_path), "CACHE_URL": "memcached://cache:11211"})
    assert "CACHE_URL must be a redis:// URL" in error


def test_it_refuses_a_token_lifetime_below_one_day(tmp_path):
    error = refusal({"VAR_DIR": str(tmp_path), "API_TOKEN_TTL_DAYS": "0"})
    assert "API_TOKEN_TTL_DAYS=0 must be at least 1" in error


def test_it_refuses_to_start_in_production_without_a_secret_key(tmp_path):
    error = refusal({"VAR_DIR": str(tmp_path), "REQUIRE_SECRET_KEY": "true"})
    assert "SECRET_KEY must be set in production" in error


# DATABASE_URL parsing.

POSTGRES_URL = (
    "postgres://audit%40east:p%40ss%3Aw%2Frd%25@db.internal:6432/mystery_audit"
    "?sslmode=require&connect_timeout=5"
)


@pytest.fixture(scope="module")
def postgres():
    return settings_under({"DATABASE_URL": POSTGRES_URL})["database"]


def test_a_postgres_url_selects_the_postgresql_engine(postgres):
    assert postgres["ENGINE"] == "django.db.backends.postgresql"


def test_a_postgres_url_gives_the_unescaped_user(postgres):
    assert postgres["USER"] == "audit@east"


def test_a_postgres_url_gives_the_unescaped_password(postgres):
    assert postgres["PASSWORD"] == "p@ss:w/rd%"


def test_a_postgres_url_gives_the_host(postgres):
    assert postgres["HOST"] == "db.internal"


def test_a_postgres_url_gives_the_port(postgres):
    assert postgres["PORT"] == "6432"


def test_a_postgres_url_gives_the_database_name(postgres):
    assert postgres["NAME"] == "mystery_audit"


def test_a_postgres_url_passes_its_query_as_options(postgres):
    assert postgres["OPTIONS"] == {"sslmode": "require", "connect_timeout": "5"}


def test_a_postgresql_scheme_is_accepted_too():
    assert database_from_url("DATABASE_URL", "postgresql://db/audit")["NAME"] == "audit"


def test_an_absolute_sqlite_url_gives_the_absolute_path():
    database = database_from_url("DATABASE_URL", "sqlite:////srv/audit/db.sqlite3")
    assert (database["ENGINE"], database["NAME"]) == (
        "django.db.backends.sqlite3",
        "/srv/audit/db.sqlite3",
    )


def test_a_relative_sqlite_url_gives_a_relative_path():
    assert (
        database_from_url("DATABASE_URL", "sqlite:///var/audit.sqlite3")["NAME"]
        == "var/audit.sqlite3"
    )


# Storage and tasks.


@pytest.fixture(scope="module")
def production():
    """A bucket and a broker, as in docker-compose.yml."""
    return settings_under(
        {
            "DATABASE_URL": "postgres://audit@db/audit",
            "CELERY_BROKER_URL": "redis://redis:6379/0",
            "CACHE_URL": "redis://redis:6379/1",
            "API_TOKEN_TTL_DAYS": "7",
            "AWS_STORAGE_BUCKET_NAME": "audit-private",
            "AWS_S3_ENDPOINT_URL": "http://minio:9000",
            "AWS_ACCESS_KEY_ID": "key",
            "AWS_SECRET_ACCESS_KEY": "secret",
            "AWS_S3_REGION_NAME": "us-east-1",
        }
    )


def test_with_a_bucket_files_go_to_s3(production):
    assert production["storage"]["BACKEND"] == "storages.backends.s3.S3Storage"
    assert production["storage"]["OPTIONS"]["bucket_name"] == "audit-private"


def test_with_a_bucket_files_are_private(production):
    assert production["storage"]["OPTIONS"]["default_acl"] == "private"


def test_with_a_bucket_file_urls_are_signed_and_expire(production):
    assert production["storage"]["OPTIONS"]["querystring_auth"] is True
    url = production["storage_url"]
    assert url.startswith("http://minio:9000/audit-private/photos/p1.jpg?")
    assert "Signature=" in url
    assert "Expires=" in url or "X-Amz-Expires=" in url


@pytest.fixture(scope="module")
def embedded():
    """No environment at all: the embedded default (var/ under the project)."""
    return settings_under({})


def test_without_a_bucket_files_go_to_var_media(embedded):
    assert embedded["storage"] == {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(ROOT / "var" / "media"), "base_url": None},
    }


def test_without_a_bucket_files_have_no_url(embedded):
    assert embedded["storage_url"] == "refused: This file is not accessible via a URL."


def test_without_a_database_url_the_database_is_sqlite_in_var(embedded):
    assert embedded["database"]["NAME"] == str(ROOT / "var" / "db.sqlite3")


def test_without_a_broker_tasks_run_eagerly(embedded):
    assert embedded["eager"] is True


def test_without_a_cache_url_the_cache_is_the_database_every_process_shares(embedded):
    """Per-process memory would give each worker its own login-failure counts."""
    assert embedded["cache"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"


def test_a_cache_url_selects_redis(production):
    assert production["cache"] == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://redis:6379/1",
    }


def test_api_tokens_last_30_days_unless_set(embedded, production):
    assert embedded["token_ttl_days"] == 30
    assert production["token_ttl_days"] == 7


def test_with_a_broker_tasks_go_to_the_workers(production):
    assert production["eager"] is False


def test_it_refuses_a_database_url_with_a_port_that_is_not_a_number():
    from django.core.exceptions import ImproperlyConfigured

    from backend.env import database_from_url

    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL has a port"):
        database_from_url("DATABASE_URL", "postgres://u@h:abc/db")
