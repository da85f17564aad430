"""POST /api/v1/auth/logout/ — the phone signs out, revoking its token."""

from __future__ import annotations

from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

URL = "/api/v1/auth/logout/"


def test_signing_out_revokes_the_token_it_is_sent_with(client_for, alice):
    client = client_for(alice)
    response = client.post(URL)
    assert response.status_code == 204
    assert not Token.objects.filter(user=alice).exists()


def test_the_revoked_token_is_then_refused_with_token_invalid(client_for, alice):
    client = client_for(alice)
    client.post(URL)
    response = client.get("/api/v1/config/")
    assert response.status_code == 401
    assert response.json()["code"] == "token_invalid"


def test_signing_out_twice_is_401_the_second_time(client_for, alice):
    client = client_for(alice)
    client.post(URL)
    assert client.post(URL).status_code == 401


def test_signing_out_needs_a_token(anon, db):
    response = anon.post(URL)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_a_web_session_cannot_sign_out_a_token_here(alice):
    """The web signs out at /accounts/logout/; this endpoint only takes the phone's token."""
    Token.objects.create(user=alice)
    client = APIClient()
    client.force_login(alice)
    assert client.post(URL).status_code == 401
    assert Token.objects.filter(user=alice).exists()


def test_signing_out_leaves_other_users_signed_in(client_for, alice, bob):
    bobs_phone = client_for(bob)
    client_for(alice).post(URL)
    assert bobs_phone.get("/api/v1/config/").status_code == 200
