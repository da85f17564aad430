"""Password login with throttling of failures.

Only failures count, each for LOGIN_FAILURE_WINDOW_SECONDS. The rule stops
guessing without letting an attacker lock real users out of their phones:

- Per (username, address) pair, strictly: after LOGIN_FAILURES_ALLOWED (5)
  failures that username is refused from that address, even with the right
  password. This caps guessing from one place.
- Per username from every address (LOGIN_FAILURES_PER_USERNAME, 50), and per
  address for every username (LOGIN_FAILURES_PER_ADDRESS, 50), loosely: past
  either, a pair that has failed even once is refused, but a pair with no
  failure still gets its try. So the shopper who types the right password on
  their own phone gets in while someone elsewhere hammers their username, or
  while an attacker shares their mobile network's address; past those limits
  the attacker gets one guess per new address, or per new username.

The counters live in the cache, which every process shares: Redis when
CACHE_URL is set, otherwise the database (never per-process memory, which
would give each worker its own count). A failure takes a numbered slot with
cache.add(), which is atomic on every backend, where incr() on the database
cache is a read and a write that racing workers would both make.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.cache import cache
from rest_framework.authtoken.models import Token

from accounts.services.tokens import token_issue


class LoginThrottled(Exception):
    def __init__(self, retry_after: int):
        super().__init__("Too many failed logins.")
        self.retry_after = retry_after


class LoginFailed(Exception):
    pass


def _slots(username: str, address: str) -> dict[str, list[str]]:
    """The cache keys of each counter's failures, one slot per failure up to its limit."""

    def key(kind: str, value: str) -> str:
        # Usernames are whatever a caller types: hashed, any of them is a safe cache key.
        return f"login-fail:{kind}:{hashlib.sha256(value.encode()).hexdigest()}"

    name = username.lower()
    counters = {
        "pair": (key("pair", f"{name}\n{address}"), settings.LOGIN_FAILURES_ALLOWED),
        "username": (key("user", name), settings.LOGIN_FAILURES_PER_USERNAME),
        "address": (key("addr", address), settings.LOGIN_FAILURES_PER_ADDRESS),
    }
    return {kind: [f"{base}:{n}" for n in range(limit)] for kind, (base, limit) in counters.items()}


def _taken(slots: dict[str, list[str]]) -> dict[str, set[str]]:
    found = cache.get_many([slot for kind_slots in slots.values() for slot in kind_slots])
    return {
        kind: {slot for slot in kind_slots if slot in found} for kind, kind_slots in slots.items()
    }


def login_throttle_check(*, username: str, address: str) -> None:
    slots = _slots(username, address)
    taken = _taken(slots)
    pair_failures = len(taken["pair"])
    # Every slot taken is the limit reached (there is one slot per failure allowed).
    over_username = len(taken["username"]) >= len(slots["username"])
    over_address = len(taken["address"]) >= len(slots["address"])
    if pair_failures >= len(slots["pair"]) or (pair_failures and (over_username or over_address)):
        raise LoginThrottled(settings.LOGIN_FAILURE_WINDOW_SECONDS)


def login_failure_record(*, username: str, address: str) -> None:
    slots = _slots(username, address)
    taken = _taken(slots)
    for kind, kind_slots in slots.items():
        for slot in kind_slots:
            # add() fails when a racing failure took this slot first: try the next one.
            if slot not in taken[kind] and cache.add(
                slot, 1, timeout=settings.LOGIN_FAILURE_WINDOW_SECONDS
            ):
                break


def token_login(*, request, username: str, password: str, address: str) -> Token:
    """Return the user's API token, or raise LoginFailed / LoginThrottled."""
    login_throttle_check(username=username, address=address)
    user = authenticate(request, username=username, password=password)
    if user is None or not user.is_active:
        login_failure_record(username=username, address=address)
        raise LoginFailed()
    # A right password clears this pair's failures only: the username's and the
    # address's counts are what hold back an attacker elsewhere.
    cache.delete_many(_slots(username, address)["pair"])
    return token_issue(user=user)
