"""Authorization: Token <token> on any endpoint — tokens expire and can be revoked.

A refused token is 401 in the API's error shape with a `code` the phone acts
on: `token_expired` or `token_invalid` mean "ask the shopper to sign in again".
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

URL = "/api/v1/config/"


@pytest.fixture(autouse=True)
def _ttl(settings):
    settings.API_TOKEN_TTL_DAYS = 30


def with_token(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def token(alice):
    return Token.objects.create(user=alice)


def test_a_token_within_its_lifetime_signs_the_request_in(token):
    Token.objects.filter(pk=token.pk).update(created=timezone.now() - dt.timedelta(days=29))
    assert with_token(token.key).get(URL).status_code == 200


def test_an_expired_token_is_401_token_expired(token):
    Token.objects.filter(pk=token.pk).update(
        created=timezone.now() - dt.timedelta(days=30, seconds=1)
    )
    response = with_token(token.key).get(URL)
    assert response.status_code == 401
    assert response.json()["code"] == "token_expired"
    assert response.json()["detail"]


def test_the_lifetime_is_the_api_token_ttl_days_setting(token, settings):
    settings.API_TOKEN_TTL_DAYS = 1
    Token.objects.filter(pk=token.pk).update(created=timezone.now() - dt.timedelta(days=2))
    assert with_token(token.key).get(URL).json()["code"] == "token_expired"


def test_a_revoked_token_is_401_token_invalid(token):
    key = token.key
    token.delete()
    response = with_token(key).get(URL)
    assert response.status_code == 401
    assert response.json()["code"] == "token_invalid"


def test_the_token_of_a_deactivated_user_is_401_token_invalid(token, alice):
    alice.is_active = False
    alice.save()
    assert with_token(token.key).get(URL).json()["code"] == "token_invalid"


@pytest.mark.parametrize(
    "header", ["Token", "Token a b", "Token \x00" + "a" * 39, "Token " + "a" * 5000]
)
def test_a_malformed_token_header_is_401_token_invalid(db, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get(URL)
    assert response.status_code == 401
    assert response.json()["code"] == "token_invalid"


def test_no_token_at_all_is_401_not_authenticated(anon, db):
    response = anon.get(URL)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
