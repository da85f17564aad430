"""POST /api/v1/auth/token/ — the phone signs in; failed attempts are throttled."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token

from tests.factories import PASSWORD

URL = "/api/v1/auth/token/"


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.LOGIN_FAILURES_ALLOWED = 5
    settings.LOGIN_FAILURE_WINDOW_SECONDS = 900


def login(anon, username: str, password: str, address: str = "10.0.0.1"):
    return anon.post(URL, {"username": username, "password": password}, format="json", REMOTE_ADDR=address)


def fail(anon, username: str, times: int, address: str = "10.0.0.1") -> None:
    for _ in range(times):
        assert login(anon, username, "wrong", address).status_code == 400


def test_it_returns_the_users_token(anon, alice):
    response = login(anon, "alice", PASSWORD)
    assert response.status_code == 200, response.json()
    assert response.json() == {
        "token": Token.objects.get(user=alice).key, "role": "shopper", "username": "alice",
    }


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


def test_a_successful_login_clears_the_usernames_failures(anon, alice):
    fail(anon, "alice", 4, address="10.0.0.1")
    assert login(anon, "alice", PASSWORD, address="10.0.0.1").status_code == 200
    # Counted on from 4, a fifth failure would reach the limit; cleared, five more are allowed.
    fail(anon, "alice", 5, address="10.0.0.2")
    assert login(anon, "alice", "wrong", address="10.0.0.2").status_code == 429


def test_the_throttle_counts_per_username(anon, alice, bob):
    fail(anon, "alice", 5, address="10.0.0.1")
    assert login(anon, "bob", PASSWORD, address="10.0.0.2").status_code == 200


def test_a_throttled_username_stays_throttled_from_another_address(anon, alice):
    fail(anon, "alice", 5, address="10.0.0.1")
    assert login(anon, "alice", PASSWORD, address="10.0.0.3").status_code == 429


def test_the_throttle_also_counts_per_address(anon, alice, bob, settings):
    settings.LOGIN_FAILURES_PER_ADDRESS = 5
    fail(anon, "alice", 5, address="10.0.0.1")
    assert login(anon, "bob", PASSWORD, address="10.0.0.1").status_code == 429


def test_the_username_is_counted_whatever_its_case(anon, alice):
    fail(anon, "ALICE", 5, address="10.0.0.1")
    assert login(anon, "alice", PASSWORD, address="10.0.0.4").status_code == 429


def test_a_login_needs_both_fields(anon):
    response = anon.post(URL, {"username": "alice"}, format="json")
    assert response.status_code == 400
    assert "password" in response.json()["errors"]


def test_a_shared_address_is_not_locked_by_one_users_typos(anon, alice, bob):
    """Many phones share a mobile network's address: the address limit is higher."""
    fail(anon, "alice", 5, address="10.0.0.1")
    assert login(anon, "bob", PASSWORD, address="10.0.0.1").status_code == 200
