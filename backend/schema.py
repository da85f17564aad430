"""Shared pieces of the OpenAPI description."""

from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

ErrorOutput = inline_serializer(
    name="Error",
    fields={
        "detail": serializers.CharField(help_text="One line naming the first problem."),
        "errors": serializers.DictField(
            required=False, help_text="Every bad field, by name, with its problems."
        ),
        "code": serializers.CharField(required=False),
    },
)

_DESCRIPTIONS = {
    400: "Invalid input: `errors` names every bad field and the problem.",
    401: (
        "Not signed in (`code` `not_authenticated`: send `Authorization: Token <token>`), or the "
        "token expired (`token_expired`) or was revoked (`token_invalid`): sign in again."
    ),
    403: "Signed in, but this role may not do this.",
    404: "No such object, or not one the caller may see.",
    409: "Conflicts with what is stored (published version, stale revision, different body for the same id).",
    413: "Upload too large.",
    429: "Too many attempts; retry after the number of seconds in Retry-After.",
}


def ERRORS(*codes: int) -> dict:  # noqa: N802 — reads like a constant at the call site
    return {code: OpenApiResponse(ErrorOutput, description=_DESCRIPTIONS[code]) for code in codes}


def document_pages_past_the_end(result: dict, generator, request, public) -> dict:
    """drf-spectacular postprocessing hook: a paginated list answers 404 for a page past its last.

    The list views document their own errors; this one comes from the
    paginator they share (backend/pagination.py), so it is added here once.
    """
    for path in result.get("paths", {}).values():
        for operation in path.values():
            parameters = operation.get("parameters", [])
            if any(p.get("in") == "query" and p.get("name") == "page" for p in parameters):
                operation["responses"].setdefault(
                    "404",
                    {
                        "description": "No such page: past the last one.",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                        },
                    },
                )
    return result
