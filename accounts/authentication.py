"""Token authentication whose tokens expire and can be revoked (accounts/services/tokens.py).

A request with a revoked (unknown) or expired token is refused with 401 and a
machine-readable `code`, `token_invalid` or `token_expired`, so that the phone
knows to ask the shopper to sign in again rather than to retry.
"""

from __future__ import annotations

from django.utils import timezone
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

from accounts.services.tokens import token_expires_at
from backend.joined_row import joined_row

KEY_MAX_LENGTH = Token._meta.get_field("key").max_length


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate(self, request):
        try:
            return super().authenticate(request)
        except AuthenticationFailed as failed:
            if failed.get_codes() == "token_expired":
                raise
            raise self._invalid() from None  # also a malformed `Authorization: Token …` header

    def authenticate_credentials(self, key: str):
        # Keys are short alphanumeric strings: anything else (a NUL, a megabyte)
        # is refused here rather than sent to the database.
        if len(key) > KEY_MAX_LENGTH or not (key.isascii() and key.isalnum()):
            raise self._invalid()
        # Every API request asks this: a statement built once, not a query compiled each time.
        token = joined_row(Token, key, related=("user",))
        if token is None or not token.user.is_active:
            raise self._invalid()
        if token_expires_at(token) <= timezone.now():
            raise AuthenticationFailed(
                "The token has expired; sign in again.", code="token_expired"
            )
        return (token.user, token)

    @staticmethod
    def _invalid() -> AuthenticationFailed:
        return AuthenticationFailed(
            "The token is not valid (revoked or unknown); sign in again.", code="token_invalid"
        )
