"""Password login with throttling of failures.

Only failures count: a shopper who mistypes twice and then signs in is not
slowed down, while guessing a password is capped per username and per address.
The counters live in the cache (Redis in production).
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.cache import cache
from rest_framework.authtoken.models import Token


class LoginThrottled(Exception):
    def __init__(self, retry_after: int):
        super().__init__("Too many failed logins.")
        self.retry_after = retry_after


class LoginFailed(Exception):
    pass


def _keys(username: str, address: str) -> list[str]:
    # Usernames are whatever a caller types: hashed, any of them is a safe cache key.
    user = hashlib.sha256(username.lower().encode()).hexdigest()
    return [f"login-fail:user:{user}", f"login-fail:addr:{address}"]


def login_throttle_check(*, username: str, address: str) -> None:
    user_key, address_key = _keys(username, address)
    if (
        cache.get(user_key, 0) >= settings.LOGIN_FAILURES_ALLOWED
        or cache.get(address_key, 0) >= settings.LOGIN_FAILURES_PER_ADDRESS
    ):
        raise LoginThrottled(settings.LOGIN_FAILURE_WINDOW_SECONDS)


def login_failure_record(*, username: str, address: str) -> None:
    for key in _keys(username, address):
        if cache.add(key, 1, timeout=settings.LOGIN_FAILURE_WINDOW_SECONDS):
            continue
        try:
            cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.add(key, 1, timeout=settings.LOGIN_FAILURE_WINDOW_SECONDS)


def token_login(*, request, username: str, password: str, address: str) -> Token:
    """Return the user's API token, or raise LoginFailed / LoginThrottled."""
    login_throttle_check(username=username, address=address)
    user = authenticate(request, username=username, password=password)
    if user is None or not user.is_active:
        login_failure_record(username=username, address=address)
        raise LoginFailed()
    cache.delete(_keys(username, address)[0])
    token, _ = Token.objects.get_or_create(user=user)
    return token
