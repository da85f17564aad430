"""Errors raised by services, and how the API shows them.

Services raise Django's ValidationError (400, with the field names as keys) or
Conflict (409); they never import DRF. The API's exception handler turns both
into DRF responses so every error body has the same shape:
``{"detail": "...", "errors": {"field": ["problem", ...]}}``.
"""

from __future__ import annotations

import logging
import sys

from botocore.exceptions import BotoCoreError, ClientError
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404, JsonResponse
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"
# The database refused or dropped the connection (or, on SQLite, stayed locked
# past the timeout): the request was fine and may be retried as it is.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
DATABASE_RETRY_AFTER_SECONDS = 30
UNAUTHENTICATED = (exceptions.NotAuthenticated, exceptions.AuthenticationFailed)
STORAGE_RETRY_AFTER_SECONDS = 30


class Conflict(Exception):
    """The request is well formed but clashes with what is already stored (409)."""

    def __init__(self, message: str, *, code: str = "conflict", extra: dict | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.extra = extra or {}


def validation_errors(error: DjangoValidationError) -> dict:
    if hasattr(error, "error_dict"):
        return {
            field: [m for e in errs for m in e.messages] for field, errs in error.error_dict.items()
        }
    return {"non_field_errors": error.messages}


def _database_unavailable_body() -> dict:
    return {"detail": "The database is unavailable; retry later.", "code": "database_unavailable"}


def storage_unavailable(exc: BaseException | None) -> bool:
    """S3 could not be reached or failed on its side (not: refused our request).

    BotoCoreError covers connection refused, timeouts and broken reads; a
    ClientError with a 5xx (503 SlowDown, 500 InternalError) is S3 itself failing.
    A 403 or 404 is our mistake and stays a 500.
    """
    if isinstance(exc, BotoCoreError):
        return True
    if isinstance(exc, ClientError):
        return exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) >= 500
    return False


def _storage_unavailable_body() -> dict:
    return {"detail": "File storage is unavailable; retry later.", "code": "storage_unavailable"}


def exception_handler(exc, context):
    if isinstance(exc, DATABASE_UNAVAILABLE):
        logger.error("Database unavailable", exc_info=exc)
        return Response(
            _database_unavailable_body(),
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)},
        )
    if storage_unavailable(exc):
        logger.error("File storage unavailable", exc_info=exc)
        return Response(
            _storage_unavailable_body(),
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": str(STORAGE_RETRY_AFTER_SECONDS)},
        )
    if isinstance(exc, Conflict):
        body = {"detail": exc.message, "code": exc.code, **exc.extra}
        return Response(body, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        errors = validation_errors(exc)
        body = {"detail": _summary(errors), "errors": errors}
        # A machine code where the client must act differently (sha256_mismatch: send again).
        if getattr(exc, "api_code", None):
            body["code"] = exc.api_code
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.ValidationError):
        errors = (
            response.data
            if isinstance(response.data, dict)
            else {"non_field_errors": response.data}
        )
        response.data = {"detail": _summary(errors), "errors": errors}
    elif response is not None and isinstance(exc, UNAUTHENTICATED):
        # The phone tells "sign in again" (token_expired, token_invalid) from "send a token"
        # (not_authenticated) by this code, not by the wording of `detail`.
        codes = exc.get_codes()
        response.data["code"] = codes if isinstance(codes, str) else exc.default_code
    elif response is not None and isinstance(exc, exceptions.Throttled):
        response.data["code"] = "throttled"  # as the login throttle says it
    return response


# Django's own 404 and 500 pages, for what never reaches a DRF view (a URL that
# matches no route, such as a malformed id) or what DRF does not handle. Under
# /api/ they answer in the API's JSON shape; elsewhere Django's default views render
# the site's own pages, front/templates/400.html, 403.html, 404.html and 500.html
# (the 500 page with no context: it must not need the database or the user).


def bad_request(request, exception):
    # E.g. more query parameters than Django accepts (a SuspiciousOperation).
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": "Bad request."}, status=status.HTTP_400_BAD_REQUEST)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception):
    if request.path.startswith(API_PREFIX):
        body = {"detail": "You do not have permission to perform this action."}
        return JsonResponse(body, status=status.HTTP_403_FORBIDDEN)
    return defaults.permission_denied(request, exception)


def not_found(request, exception):
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": "Not found."}, status=status.HTTP_404_NOT_FOUND)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if not request.path.startswith(API_PREFIX):
        return defaults.server_error(request)
    # Django calls this handler while handling the exception, so it is still current.
    exc = sys.exc_info()[1]
    if isinstance(exc, DATABASE_UNAVAILABLE):
        response = JsonResponse(
            _database_unavailable_body(), status=status.HTTP_503_SERVICE_UNAVAILABLE
        )
        response["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
        return response
    if storage_unavailable(exc):
        response = JsonResponse(
            _storage_unavailable_body(), status=status.HTTP_503_SERVICE_UNAVAILABLE
        )
        response["Retry-After"] = str(STORAGE_RETRY_AFTER_SECONDS)
        return response
    body = {"detail": "Server error.", "code": "server_error"}
    return JsonResponse(body, status=status.HTTP_500_INTERNAL_SERVER_ERROR)


def _summary(errors: dict) -> str:
    """A one-line summary naming the first bad field, for logs and simple clients."""
    found = _first_problem(errors, "")
    if found is None:
        return "Invalid input."
    field, problem = found
    return problem if field in ("", "non_field_errors") else f"{field}: {problem}"


def _first_problem(errors, path: str) -> tuple[str, str] | None:
    """The path (`answers[5].value`) and text of the first problem in DRF's nested errors.

    A list of rows has an empty entry for each good row: they are skipped, so the
    summary names the bad row rather than `answers: {}`.
    """
    if isinstance(errors, dict):
        for key, value in errors.items():
            if key == "non_field_errors" and path:
                here = path  # a nested object's own problem is the object's
            elif isinstance(key, int):
                here = f"{path}[{key}]"  # a list's errors keyed by the index of the bad row
            else:
                here = f"{path}.{key}" if path else str(key)
            found = _first_problem(value, here)
            if found is not None:
                return found
        return None
    if isinstance(errors, list):
        if errors and not any(isinstance(e, (dict, list)) for e in errors):
            return path, str(errors[0])
        for index, value in enumerate(errors):
            found = _first_problem(value, f"{path}[{index}]")
            if found is not None:
                return found
        return None
    return path, str(errors)
