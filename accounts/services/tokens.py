"""API tokens of the phone app: issued at sign-in, expiring, revocable.

A token lives API_TOKEN_TTL_DAYS from the sign-in that issued it (DRF's
`Token.created`); signing in again while it is valid restarts its lifetime
with the same key, so a user's other signed-in phone keeps working. Revoking
deletes it: sign-out revokes the token it is sent with, the admin revokes a
user's tokens, and deactivating a user in the admin revokes them too.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token


def token_expires_at(token: Token) -> dt.datetime:
    return token.created + dt.timedelta(days=settings.API_TOKEN_TTL_DAYS)


@transaction.atomic
def token_issue(*, user) -> Token:
    """The user's token, valid for API_TOKEN_TTL_DAYS from now; a new key if the old one expired."""
    # get_or_create copes with two sign-ins racing to create the user's first token.
    token, created = Token.objects.get_or_create(user=user)
    if created:
        return token
    now = timezone.now()
    if token_expires_at(token) <= now:
        token.delete()
        return Token.objects.get_or_create(user=user)[0]
    token.created = now
    token.save(update_fields=["created"])
    return token


def token_revoke(*, token: Token) -> None:
    token.delete()


def tokens_revoke(*, user) -> int:
    """Revoke every API token of the user; return how many there were."""
    deleted, _ = Token.objects.filter(user=user).delete()
    return deleted
