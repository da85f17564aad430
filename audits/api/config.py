"""The limits the phone app must respect, with the server's clock."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.views import APIView

from audits import imaging
from backend.etag import conditional_response
from backend.schema import ERRORS


def phone_config() -> dict:
    return {
        "photo_max_bytes": settings.PHOTO_MAX_BYTES,
        "photo_max_pixels": settings.PHOTO_MAX_PIXELS,
        # The types the upload accepts, from the one list the upload checks against:
        # HEIC is there only when pillow_heif imported.
        "photo_types": list(imaging.ACCEPTED_FORMATS.values()),
        "photos_per_visit_max": settings.PHOTOS_PER_VISIT_MAX,
        "api_version": settings.SPECTACULAR_SETTINGS["VERSION"],
    }


class ConfigOutput(serializers.Serializer):
    photo_max_bytes = serializers.IntegerField()
    photo_max_pixels = serializers.IntegerField(help_text="Width × height.")
    photo_types = serializers.ListField(child=serializers.CharField())
    photos_per_visit_max = serializers.IntegerField()
    api_version = serializers.CharField()


class ConfigApi(APIView):
    @extend_schema(
        operation_id="config_retrieve",
        summary="Limits the phone app must respect",
        description=(
            "Send the ETag back in `If-None-Match` to get 304 when nothing changed. The server's "
            "clock is in the `X-Server-Time` header (ISO 8601), on 200 and 304 alike, so the body "
            "stays cacheable while the phone corrects its clock skew."
        ),
        parameters=[
            OpenApiParameter("If-None-Match", str, OpenApiParameter.HEADER, required=False)
        ],
        responses={
            200: ConfigOutput,
            304: OpenApiResponse(description="Not modified."),
            **ERRORS(401),
        },
    )
    def get(self, request):
        data = ConfigOutput(phone_config()).data
        # server_time changes every call: in the body it would defeat the ETag.
        return conditional_response(
            request, data, headers={"X-Server-Time": timezone.now().isoformat()}
        )
