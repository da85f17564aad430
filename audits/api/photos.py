"""Photo upload (the shopper's phone) and photo download (everyone who may see the visit)."""

from __future__ import annotations

from django.http import FileResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from audits.imaging import PhotoRejected
from audits.models import Photo, Visit
from audits.selectors.scope import visits_visible_to
from audits.selectors.visits import photo_state
from audits.services.photos import (
    PhotoNotDeclared,
    photo_renditions_make,
    photo_renditions_ready,
    photo_upload,
)
from audits.storage import photo_path, private_storage, signed_url_or_none
from backend.schema import ERRORS

# Served copies may sit in the viewer's own browser cache for a while, never in a shared one.
CACHE_CONTROL = "private, max-age=300"


class PhotoUploadInput(serializers.Serializer):
    # Empty files pass here so that inspect_photo refuses them with its own code ("empty").
    file = serializers.FileField(allow_empty_file=True, use_url=False)
    question = serializers.CharField(
        max_length=40,
        required=False,
        allow_blank=True,
        default="",
        help_text="Must match the question declared in the manifest; fills it if none was declared.",
    )
    taken_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text="When the phone took the photo; used only if the file's EXIF has no capture time.",
    )


class PhotoOutput(serializers.Serializer):
    id = serializers.UUIDField()
    question = serializers.CharField(allow_null=True)
    received = serializers.BooleanField()
    content_type = serializers.CharField(allow_null=True)
    width = serializers.IntegerField(allow_null=True)
    height = serializers.IntegerField(allow_null=True)
    taken_at = serializers.DateTimeField(allow_null=True)


class VisitPhotosOutput(serializers.Serializer):
    id = serializers.UUIDField()
    status = serializers.ChoiceField(choices=Visit.Status.choices)
    photos = serializers.DictField(
        help_text="declared, received, missing (ids still to upload) and items, as in the visit."
    )


class PhotoUploadOutput(serializers.Serializer):
    photo = PhotoOutput()
    visit = VisitPhotosOutput()


class PhotoDownloadQuery(serializers.Serializer):
    size = serializers.ChoiceField(choices=["thumb", "print", "full"], default="full")


def _photo_output(photo: Photo) -> dict:
    return {
        "id": photo.id,
        "question": photo.item_code or None,
        "received": photo.received,
        "content_type": photo.content_type or None,
        "width": photo.width,
        "height": photo.height,
        "taken_at": photo.taken_at,
    }


class PhotoApi(APIView):
    parser_classes = [MultiPartParser, FormParser]

    def perform_content_negotiation(self, request, force=False):
        # The photo itself bypasses DRF's renderers; errors are always JSON,
        # even for an <img> whose Accept header lists only images.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        summary="Upload the bytes of a photo declared in the visit (shopper; idempotent by photo id)",
        description=(
            "201 when received; 200 when this photo was already received with the same bytes "
            "(a retry); 409 (`different_photo`) for different bytes. 404 with code "
            "`photo_not_declared` when the photo id is not in this visit's manifest. The bytes "
            "must hash to the declared sha256 (400 on `file`: the upload was damaged, retry) and "
            "be a JPEG, PNG, WebP or HEIC photo (400, or 413 when too large, with a machine `code`). "
            "`visit.photos.missing` lists the photos still to upload; the visit becomes "
            "`submitted` when none are missing."
        ),
        request={"multipart/form-data": PhotoUploadInput},
        responses={
            201: PhotoUploadOutput,
            200: PhotoUploadOutput,
            **ERRORS(400, 401, 403, 404, 409, 413),
        },
    )
    def put(self, request, visit_id, photo_id):
        visit = get_object_or_404(visits_visible_to(request.user), pk=visit_id)
        if visit.shopper_id != request.user.id:
            # Reviewers and managers may see the visit, but its evidence is the shopper's alone.
            self.permission_denied(
                request, message="Only the shopper who made this visit may upload its photos."
            )
        data = PhotoUploadInput(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        try:
            result = photo_upload(
                visit=visit,
                photo_id=photo_id,
                file=upload,
                size=upload.size,
                question=data.validated_data["question"],
                taken_at=data.validated_data["taken_at"],
            )
        except PhotoNotDeclared as problem:
            return Response(
                {"detail": problem.message, "code": "photo_not_declared"},
                status=status.HTTP_404_NOT_FOUND,
            )
        except PhotoRejected as problem:
            return Response(
                {
                    "detail": f"file: {problem.message}",
                    "errors": {"file": [problem.message]},
                    "code": problem.code,
                },
                status=(
                    status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
                    if problem.code == "too_large"
                    else status.HTTP_400_BAD_REQUEST
                ),
            )
        visit.refresh_from_db()
        body = {
            "photo": _photo_output(result.photo),
            "visit": {"id": visit.id, "status": visit.status, "photos": photo_state(visit)},
        }
        return Response(
            PhotoUploadOutput(body).data,
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        )

    @extend_schema(
        summary="A metadata-free copy of a received photo",
        description=(
            "For the visit's shopper, reviewers, head office and the regional managers of the "
            "branch's region. `thumb` is at most 320 px on its longest side, `print` 800, `full` "
            "4000; all are upright JPEGs without EXIF, GPS or other metadata (the original is "
            "never served). On local storage the JPEG is in the response; on S3 the response is "
            "a 302 to a signed URL that expires within minutes. 404 also when the photo has not "
            "been uploaded yet."
        ),
        parameters=[OpenApiParameter("size", enum=["thumb", "print", "full"], default="full")],
        responses={
            (200, "image/jpeg"): OpenApiResponse(OpenApiTypes.BINARY, description="The JPEG."),
            302: OpenApiResponse(description="To a short-lived signed URL of the JPEG (S3)."),
            **ERRORS(400, 401, 404),
        },
    )
    def get(self, request, visit_id, photo_id):
        query = PhotoDownloadQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        size = query.validated_data["size"]
        visit = get_object_or_404(visits_visible_to(request.user), pk=visit_id)
        photo = get_object_or_404(Photo, pk=photo_id, visit=visit)
        if not photo.received:
            return Response(
                {"detail": f"Photo {photo.id} has not been uploaded yet.", "code": "not_received"},
                status=status.HTTP_404_NOT_FOUND,
            )
        if not photo_renditions_ready(photo):
            # The copies are made right after the upload commits; a request
            # that arrives first is rare, so it makes them rather than failing.
            photo = photo_renditions_make(photo=photo)
        url = signed_url_or_none(_rendition_name(photo, size))
        if url is not None:
            response = HttpResponseRedirect(url)
            response["Cache-Control"] = (
                "no-store"  # the signed URL expires; never reuse the redirect
            )
            return response
        try:
            file = private_storage().open(_rendition_name(photo, size), "rb")
        except FileNotFoundError:
            # Copies lost from disk (or a name taken by a racing writer): make them again.
            photo = photo_renditions_make(photo=photo)
            file = private_storage().open(_rendition_name(photo, size), "rb")
        response = FileResponse(file, content_type="image/jpeg", filename=f"{photo.id}-{size}.jpg")
        response["Cache-Control"] = CACHE_CONTROL
        response["X-Content-Type-Options"] = "nosniff"
        return response


def _rendition_name(photo: Photo, size: str) -> str:
    if size == "thumb":
        return photo.thumb_name
    if size == "print":
        return photo.print_name
    return photo_path(photo.visit_id, photo.id, "full")
