"""Typed readers for environment variables.

Every setting the platform reads comes through these helpers so that a typo in
a deployment ("DEBUG=ture", "DATABASE_URL=postgress://…") stops the process at
start with a message naming the variable, instead of surfacing later as odd
behaviour.

An empty value counts as unset and gives the default: docker-compose passes
`NAME: ${NAME:-}` as an empty string when .env does not set NAME.
"""

from __future__ import annotations

import os
from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _raw(name: str) -> str | None:
    """The variable's value, or None when it is unset or empty."""
    return os.environ.get(name) or None


def env_str(name: str, default: str = "") -> str:
    raw = _raw(name)
    return default if raw is None else raw


def env_bool(name: str, default: bool = False) -> bool:
    raw = _raw(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: use true or false.")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = _raw(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value} must be at least {minimum}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = _raw(name)
    if raw is None:
        return default
    return [part.strip() for part in raw.split(",") if part.strip()]


def env_choice(name: str, default: str, choices: set[str]) -> str:
    raw = _raw(name)
    value = default if raw is None else raw
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={value!r} is not one of {', '.join(sorted(choices))}.")
    return value


def database_from_url(name: str, url: str) -> dict:
    """Turn DATABASE_URL into a Django DATABASES entry.

    Only the two engines the platform supports are accepted: an unknown scheme
    is a deployment mistake, not something to guess about.
    """
    parts = urlsplit(url)
    options = dict(parse_qsl(parts.query))
    try:
        port = parts.port
    except ValueError:
        raise ImproperlyConfigured(f"{name} has a port that is not a number.") from None
    if parts.scheme in {"postgres", "postgresql"}:
        if not parts.path.strip("/"):
            raise ImproperlyConfigured(f"{name} must name a database: postgres://user@host/dbname")
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(port or ""),
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": options,
        }
    if parts.scheme == "sqlite":
        path = unquote(parts.path)
        if path.startswith("//"):
            path = path[1:]  # sqlite:////abs/path
        elif path.startswith("/"):
            path = path[1:]  # sqlite:///relative/path
        if not path:
            raise ImproperlyConfigured(f"{name} must name a file: sqlite:///var/db.sqlite3")
        return sqlite_database(path)
    raise ImproperlyConfigured(
        f"{name} has an unsupported scheme {parts.scheme!r}: use postgres:// or sqlite:///"
    )


def sqlite_database(path: str) -> dict:
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": path,
        # IMMEDIATE transactions plus a busy timeout let concurrent uploads queue
        # for the write lock instead of failing with "database is locked".
        "OPTIONS": {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        },
    }
