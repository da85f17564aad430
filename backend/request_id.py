"""A request id on every response and every log line of the request.

A phone on a bad connection retries the same upload several times; with the
X-Request-ID it (or the reverse proxy) sends, all the log lines of those
attempts can be found together. The id is taken from the request when it is a
plausible token (at most 64 letters, digits, `-` or `_`: it goes into logs and
headers as is, so nothing else is trusted), otherwise a new one is made. It is
echoed in the response's X-Request-ID header.

The id lives in a context variable for the duration of the request, and
RequestIdFilter copies it onto every log record, whichever logger wrote it.
A Celery task sent during the request carries the id in a message header, and
the worker's log lines of that task carry it too (backend/celery.py connects
the signal handlers below).
"""

from __future__ import annotations

import contextvars
import logging
import re
import uuid

HEADER = "X-Request-ID"
_VALID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_current: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)


def current_request_id() -> str | None:
    """The id of the request being handled in this thread, if any."""
    return _current.get()


def request_id_from(header: str | None) -> str:
    """The caller's id when it is a plausible token, otherwise a new one."""
    if header and _VALID.fullmatch(header):
        return header
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """First in MIDDLEWARE, so that every other layer, and its log lines, see the id."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_from(request.headers.get(HEADER))
        request.request_id = request_id
        token = _current.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response[HEADER] = request_id
        return response


class RequestIdFilter(logging.Filter):
    """Give every record a `request_id` ("-" outside a request).

    Django logs a 4xx/5xx response ("Not Found: …") after the middleware chain
    has returned, when the context variable is already reset; those records
    carry the request itself, which carries the id.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        request_id = _current.get()
        if request_id is None:
            request_id = getattr(getattr(record, "request", None), "request_id", None)
        record.request_id = request_id or "-"
        return True


# Celery: the request's id travels with the tasks it sends.
TASK_HEADER = "request_id"
_task_tokens: dict[str, contextvars.Token] = {}


def task_publish_add_request_id(headers=None, **kwargs) -> None:
    """before_task_publish: put the current request's id in the message's headers."""
    request_id = _current.get()
    if request_id and headers is not None:
        headers.setdefault(TASK_HEADER, request_id)


def task_prerun_set_request_id(task_id=None, task=None, **kwargs) -> None:
    """task_prerun: a task from a worker's queue logs under the id of the request that sent it.

    An eager task (the embedded default) runs inside the request and has its id already.
    """
    request = getattr(task, "request", None)
    request_id = getattr(request, TASK_HEADER, None) or (
        getattr(request, "headers", None) or {}
    ).get(TASK_HEADER)
    if request_id and _VALID.fullmatch(str(request_id)) and task_id:
        _task_tokens[task_id] = _current.set(str(request_id))


def task_postrun_reset_request_id(task_id=None, **kwargs) -> None:
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        _current.reset(token)
