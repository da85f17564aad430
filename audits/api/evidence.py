"""Serving an evidence file (action plans, appeals) once the owner's view has checked scope."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from rest_framework import serializers, status
from rest_framework.response import Response

from audits.api.photos import CACHE_CONTROL
from audits.services.evidence_files import PDF_TYPE, EvidenceRejected
from audits.storage import private_storage, signed_url_or_none


class EvidenceUploadInput(serializers.Serializer):
    # Empty files pass here so that the service refuses them with its own code ("empty").
    file = serializers.FileField(allow_empty_file=True, use_url=False)


class EvidenceFileQuery(serializers.Serializer):
    size = serializers.ChoiceField(
        choices=["thumb", "full"], default="full", help_text="thumb: photos only, 320 px."
    )


class EvidenceOutput(serializers.Serializer):
    id = serializers.UUIDField()
    filename = serializers.CharField(allow_blank=True, help_text="As uploaded.")
    content_type = serializers.CharField(
        help_text="Of the served file: image/jpeg (a metadata-free copy) or application/pdf."
    )
    size_bytes = serializers.IntegerField(help_text="Of the upload.")
    width = serializers.IntegerField(allow_null=True)
    height = serializers.IntegerField(allow_null=True)
    uploaded_by = serializers.CharField()
    uploaded_at = serializers.DateTimeField()
    url = serializers.CharField(help_text="The file (`?size=thumb` for a photo's thumbnail).")
    thumb_url = serializers.CharField(allow_null=True, help_text="Null for a PDF.")


def evidence_rejected_response(problem: EvidenceRejected) -> Response:
    """The API's answer to a refused file: 400 naming the field, 413 when too large (as photos)."""
    return Response(
        {
            "detail": "; ".join(f"{k}: {v[0]}" for k, v in problem.message_dict.items()),
            "errors": problem.message_dict,
            "code": problem.api_code,
        },
        status=(
            status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
            if problem.api_code == "too_large"
            else status.HTTP_400_BAD_REQUEST
        ),
    )


def evidence_upload_response(request, *, add: Callable, row: Callable[[Any], dict]) -> Response:
    """Read the multipart `file`, hand it to `add(upload)` (the owner's service), answer with `row`.

    201 with the stored file; a refused file as evidence_rejected_response says.
    """
    data = EvidenceUploadInput(data=request.data)
    data.is_valid(raise_exception=True)
    upload = data.validated_data["file"]
    try:
        evidence = add(upload)
    except EvidenceRejected as problem:
        return evidence_rejected_response(problem)
    return Response(EvidenceOutput(row(evidence)).data, status=status.HTTP_201_CREATED)


class ServesFiles:
    """For a view whose answer is a file: errors stay JSON whatever the Accept (an <img>'s)."""

    def perform_content_negotiation(self, request, force=False):
        # The file bypasses DRF's renderers, so negotiation must not refuse the request.
        return super().perform_content_negotiation(request, force=True)


def evidence_file_response(
    *, file_name: str, thumb_name: str, content_type: str, size: str, download_name: str
) -> HttpResponse:
    """The file itself: streamed from local disk, or a 302 to a short-lived signed S3 URL.

    A PDF is always a download (Content-Disposition: attachment), never shown inline
    on this origin: it is the manager's file as uploaded, scripts and all.
    """
    name = thumb_name if size == "thumb" and thumb_name else file_name
    if size == "thumb" and not thumb_name:
        raise Http404("A PDF has no thumbnail.")
    url = signed_url_or_none(name)
    if url is not None:
        response = HttpResponseRedirect(url)
        response["Cache-Control"] = "no-store"  # the signed URL expires; never reuse the redirect
        return response
    try:
        file = private_storage().open(name, "rb")
    except FileNotFoundError:
        raise Http404("The file is missing from storage.") from None
    response = FileResponse(
        file,
        content_type=content_type,
        as_attachment=content_type == PDF_TYPE,
        filename=download_name,
    )
    response["Cache-Control"] = CACHE_CONTROL
    response["X-Content-Type-Options"] = "nosniff"
    return response
