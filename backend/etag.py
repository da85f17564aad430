"""Conditional GET for JSON bodies that phones cache (checklists, config)."""

from __future__ import annotations

import hashlib
import json

from rest_framework import status
from rest_framework.response import Response


def etag_for(data) -> str:
    body = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str).encode()
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _matches(header: str, etag: str) -> bool:
    candidates = [c.strip().removeprefix("W/") for c in header.split(",")]
    return "*" in candidates or etag in candidates


def conditional_response(request, data, *, headers: dict | None = None) -> Response:
    """200 with an ETag, or 304 when the caller already holds this exact body."""
    etag = etag_for(data)
    all_headers = {
        "ETag": etag,
        "Cache-Control": "private, no-cache",
        "Vary": "Accept-Language, Authorization, Cookie",
        **(headers or {}),
    }
    if _matches(request.META.get("HTTP_IF_NONE_MATCH", ""), etag):
        return Response(status=status.HTTP_304_NOT_MODIFIED, headers=all_headers)
    return Response(data, headers=all_headers)
