"""Errors raised by services, and how the API shows them.

Services raise Django's ValidationError (400, with the field names as keys) or
Conflict (409); they never import DRF. The API's exception handler turns both
into DRF responses so every error body has the same shape:
``{"detail": "...", "errors": {"field": ["problem", ...]}}``.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class Conflict(Exception):
    """The request is well formed but clashes with what is already stored (409)."""

    def __init__(self, message: str, *, code: str = "conflict", extra: dict | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.extra = extra or {}


def validation_errors(error: DjangoValidationError) -> dict:
    if hasattr(error, "error_dict"):
        return {field: [m for e in errs for m in e.messages] for field, errs in error.error_dict.items()}
    return {"non_field_errors": error.messages}


def exception_handler(exc, context):
    if isinstance(exc, Conflict):
        body = {"detail": exc.message, "code": exc.code, **exc.extra}
        return Response(body, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        errors = validation_errors(exc)
        return Response(
            {"detail": _summary(errors), "errors": errors}, status=status.HTTP_400_BAD_REQUEST
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.ValidationError):
        errors = response.data if isinstance(response.data, dict) else {"non_field_errors": response.data}
        response.data = {"detail": _summary(errors), "errors": errors}
    return response


def _summary(errors: dict) -> str:
    """A one-line summary naming the first bad field, for logs and simple clients."""
    for field, problems in errors.items():
        first = problems
        while isinstance(first, (list, dict)) and first:
            first = first[0] if isinstance(first, list) else next(iter(first.values()))
        return f"{field}: {first}" if field != "non_field_errors" else str(first)
    return "Invalid input."
