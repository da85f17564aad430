"""POST /api/v1/auth/token/ — the phone signs in; failed attempts are throttled.

The throttle (accounts/login.py): strictly per (username, address) pair; loosely
per username and per address, where past the limit only pairs that have
already failed are refused, so nobody can lock a shopper out of their phone.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework.authtoken.models import Token

from tests.factories import PASSWORD

URL = "/api/v1/auth/token/"


@pytest.fixture(autouse=True)
def _limits(settings):
    # The throttle is under test, not the hasher: a fast one keeps hundreds of sign-ins quick.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.LOGIN_FAILURES_ALLOWED = 5
    settings.LOGIN_FAILURES_PER_USERNAME = 50
    settings.LOGIN_FAILURES_PER_ADDRESS = 50
    settings.LOGIN_FAILURE_WINDOW_SECONDS = 900
    settings.API_TOKEN_TTL_DAYS = 30


def login(anon, username: str, password: str, address: str = "10.0.0.1"):
    return anon.post(
        URL, {"username": username, "password": password}, format="json", REMOTE_ADDR=address
    )


def fail(anon, username: str, times: int, address: str = "10.0.0.1") -> None:
    for _ in range(times):
        assert login(anon, username, "wrong", address).status_code == 400


def test_it_returns_the_users_token(anon, alice):
    response = login(anon, "alice", PASSWORD)
    assert response.status_code == 200, response.json()
    token = Token.objects.get(user=alice)
    assert response.json() == {
        "token": token.key,
        "expires_at": response.json()["expires_at"],
        "role": "shopper",
        "username": "alice",
    }


def test_it_says_when_the_token_expires(anon, alice):
    before = timezone.now()
    expires_at = parse_datetime(login(anon, "alice", PASSWORD).json()["expires_at"])
    assert expires_at.tzinfo is not None  # ISO 8601 with its offset
    assert before + dt.timedelta(days=30) <= expires_at <= timezone.now() + dt.timedelta(days=30)


def test_signing_in_again_keeps_the_token_and_restarts_its_lifetime(anon, alice):
    first = login(anon, "alice", PASSWORD).json()
    Token.objects.filter(user=alice).update(created=timezone.now() - dt.timedelta(days=20))
    again = login(anon, "alice", PASSWORD).json()
    assert again["token"] == first["token"]
    assert parse_datetime(again["expires_at"]) >= parse_datetime(first["expires_at"])


def test_signing_in_after_the_token_expired_gives_a_new_token(anon, alice):
    first = login(anon, "alice", PASSWORD).json()
    Token.objects.filter(user=alice).update(created=timezone.now() - dt.timedelta(days=31))
    again = login(anon, "alice", PASSWORD).json()
    assert again["token"] != first["token"]
    assert parse_datetime(again["expires_at"]) > timezone.now() + dt.timedelta(days=29)


def test_the_token_signs_the_phone_in(anon, alice):
    token = login(anon, "alice", PASSWORD).json()["token"]
    anon.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert anon.get("/api/v1/config/").status_code == 200


def test_a_wrong_password_is_400(anon, alice):
    response = login(anon, "alice", "wrong")
    assert response.status_code == 400
    assert "token" not in response.json()


def test_an_unknown_username_is_400_like_a_wrong_password(anon, alice):
    assert login(anon, "nobody", "wrong").json() == login(anon, "alice", "wrong").json()


def test_an_inactive_user_cannot_sign_in(anon, alice):
    alice.is_active = False
    alice.save()
    assert login(anon, "alice", PASSWORD).status_code == 400


def test_the_sixth_failure_in_the_window_is_429_with_retry_after(anon, alice):
    fail(anon, "alice", 5)
    response = login(anon, "alice", "wrong")
    assert response.status_code == 429
    assert response["Retry-After"] == "900"


def test_past_the_limit_even_the_right_password_is_refused(anon, alice):
    fail(anon, "alice", 5)
    assert login(anon, "alice", PASSWORD).status_code == 429


def test_a_login_after_failures_below_the_limit_succeeds(anon, alice):
    fail(anon, "alice", 4)
    assert login(anon, "alice", PASSWORD).status_code == 200


def test_a_successful_login_clears_the_failures_from_its_address(anon, alice):
    fail(anon, "alice", 4, address="10.0.0.1")
    assert login(anon, "alice", PASSWORD, address="10.0.0.1").status_code == 200
    # Counted on from 4, the next failure would reach the limit; cleared, four more are allowed.
    fail(anon, "alice", 4, address="10.0.0.1")
    assert login(anon, "alice", PASSWORD, address="10.0.0.1").status_code == 200


def test_the_throttle_counts_per_username(anon, alice, bob):
    fail(anon, "alice", 5, address="10.0.0.1")
    assert login(anon, "bob", PASSWORD, address="10.0.0.2").status_code == 200


def test_guesses_from_one_address_do_not_lock_the_username_out_of_another(anon, alice):
    fail(anon, "alice", 5, address="10.0.0.1")
    assert login(anon, "alice", "wrong", address="10.0.0.1").status_code == 429
    assert login(anon, "alice", PASSWORD, address="10.0.0.3").status_code == 200


def test_past_the_username_limit_an_address_that_failed_for_it_is_refused(anon, alice, settings):
    settings.LOGIN_FAILURES_PER_USERNAME = 10
    for address in ["10.1.0.1", "10.1.0.2", "10.1.0.3", "10.1.0.4", "10.1.0.5"]:
        fail(anon, "alice", 2, address=address)
    assert login(anon, "alice", PASSWORD, address="10.1.0.1").status_code == 429


def test_past_the_username_limit_its_owner_still_signs_in_from_a_clean_address(
    anon, alice, settings
):
    """Someone hammering alice's username from elsewhere does not lock her phone out."""
    settings.LOGIN_FAILURES_PER_USERNAME = 10
    for address in ["10.1.0.1", "10.1.0.2", "10.1.0.3", "10.1.0.4", "10.1.0.5"]:
        fail(anon, "alice", 2, address=address)
    assert login(anon, "alice", PASSWORD, address="10.2.0.9").status_code == 200


def test_past_the_username_limit_a_new_address_gets_one_guess(anon, alice, settings):
    settings.LOGIN_FAILURES_PER_USERNAME = 10
    for address in ["10.1.0.1", "10.1.0.2", "10.1.0.3", "10.1.0.4", "10.1.0.5"]:
        fail(anon, "alice", 2, address=address)
    assert login(anon, "alice", "wrong", address="10.2.0.9").status_code == 400
    assert login(anon, "alice", PASSWORD, address="10.2.0.9").status_code == 429


def test_past_the_address_limit_a_username_that_failed_there_is_refused(anon, alice, bob, settings):
    settings.LOGIN_FAILURES_PER_ADDRESS = 5
    fail(anon, "alice", 3, address="10.0.0.1")
    fail(anon, "bob", 2, address="10.0.0.1")
    assert login(anon, "alice", PASSWORD, address="10.0.0.1").status_code == 429


def test_past_the_address_limit_a_username_with_no_failures_there_still_signs_in(
    anon, alice, settings
):
    """Many phones share a mobile network's address: an attacker on it does not lock them out."""
    settings.LOGIN_FAILURES_PER_ADDRESS = 5
    for name in ["carol", "dave", "erin", "frank", "grace"]:
        fail(anon, name, 1, address="10.0.0.1")
    assert login(anon, "alice", PASSWORD, address="10.0.0.1").status_code == 200


def test_past_the_address_limit_a_new_username_gets_one_guess(anon, alice, bob, settings):
    settings.LOGIN_FAILURES_PER_ADDRESS = 5
    for name in ["carol", "dave", "erin", "frank", "grace"]:
        fail(anon, name, 1, address="10.0.0.1")
    assert login(anon, "bob", "wrong", address="10.0.0.1").status_code == 400
    assert login(anon, "bob", PASSWORD, address="10.0.0.1").status_code == 429


def test_the_username_is_counted_whatever_its_case(anon, alice):
    fail(anon, "ALICE", 5, address="10.0.0.1")
    assert login(anon, "alice", PASSWORD, address="10.0.0.1").status_code == 429


def test_a_login_needs_both_fields(anon):
    response = anon.post(URL, {"username": "alice"}, format="json")
    assert response.status_code == 400
    assert "password" in response.json()["errors"]


def test_a_shared_address_is_not_locked_by_one_users_typos(anon, alice, bob):
    """Many phones share a mobile network's address: the address limit is higher."""
    fail(anon, "alice", 5, address="10.0.0.1")
    assert login(anon, "bob", PASSWORD, address="10.0.0.1").status_code == 200


@pytest.mark.parametrize("field", ["username", "password"])
@pytest.mark.parametrize("text", ["alice\x00", "alice\ud800"], ids=["nul", "surrogate"])
def test_a_username_or_password_that_cannot_be_stored_is_a_400_naming_it(anon, alice, field, text):
    body = {"username": "alice", "password": PASSWORD, field: text}
    response = anon.post(URL, json.dumps(body), content_type="application/json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]


def test_json_nested_deeper_than_32_levels_is_a_400_before_anything_runs(anon, db):
    response = anon.post(URL, "[" * 1000 + "]" * 1000, content_type="application/json")
    assert response.status_code == 400
    assert "nested" in response.json()["detail"]


def test_json_nested_33_levels_is_refused_and_32_is_parsed(anon, db):
    assert anon.post(URL, "[" * 33 + "]" * 33, content_type="application/json").status_code == 400
    response = anon.post(URL, "[" * 32 + "]" * 32, content_type="application/json")
    assert response.status_code == 400
    # Parsed, then refused for having no username and password.
    assert "nested" not in response.json()["detail"]
