"""The appeals API: list and submit, read one, decide.

Thin views: input serializers check types, appeals.services judges and writes,
appeals.selectors reads and scopes. A regional manager's output carries the
visit's id, period (month), score and items, never its date or shopper.
"""

from __future__ import annotations

import django_filters
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from appeals.models import Appeal, AppealItem, Category, Decision
from appeals.roles import DecidesAppeals, SubmitsAppeals, WorksOnAppeals
from appeals.selectors import (
    appeal_detail,
    appeal_evidence_list,
    appeal_evidence_row,
    appeals_visible_to,
)
from appeals.services import (
    ARGUMENT_MAX_LENGTH,
    EVIDENCE_MAX_LENGTH,
    appeal_decide,
    appeal_evidence_add,
    appeal_submit,
)
from audits.api.evidence import (
    EvidenceFileQuery,
    EvidenceOutput,
    EvidenceUploadInput,
    ServesFiles,
    evidence_file_response,
    evidence_upload_response,
)
from audits.selectors.scope import visits_visible_to
from audits.services.evidence_files import EVIDENCE_FILES_MAX, PDF_TYPE
from backend.fields import IdFilter, JSONValueField
from backend.schema import ERRORS

SCORE = {"max_digits": 4, "decimal_places": 1, "allow_null": True}


def _flat_errors(errors, path: str = "") -> dict[str, list[str]]:
    """DRF's nested errors as `items[2].category` keys, the shape the services use."""
    flat: dict[str, list[str]] = {}
    if isinstance(errors, dict):
        for key, value in errors.items():
            if isinstance(key, int):
                here = f"{path}[{key}]"
            elif key == "non_field_errors" and path:
                here = path
            else:
                here = f"{path}.{key}" if path else key
            flat.update(_flat_errors(value, here))
    elif isinstance(errors, list) and any(isinstance(e, (dict, list)) for e in errors):
        for index, value in enumerate(errors):
            flat.update(_flat_errors(value, f"{path}[{index}]"))
    elif errors:
        flat[path] = [str(e) for e in errors]
    return flat


def _valid(serializer: serializers.Serializer) -> dict:
    if not serializer.is_valid():
        raise ValidationError(_flat_errors(serializer.errors))
    return serializer.validated_data


# --- output --------------------------------------------------------------------------


class AppealVisitOutput(serializers.Serializer):
    id = serializers.UUIDField()
    period = serializers.CharField(help_text='The month of the visit, e.g. "2026-10".')
    score = serializers.DecimalField(**SCORE, help_text="The visit's current score.")
    band = serializers.CharField(allow_null=True)
    status = serializers.CharField()
    visited_on = serializers.DateField(required=False, help_text="Absent for regional managers.")
    shopper = serializers.CharField(required=False, help_text="Absent for regional managers.")


class AppealAnswerOutput(serializers.Serializer):
    value = serializers.JSONField(allow_null=True)
    na = serializers.BooleanField()
    score = serializers.DecimalField(**SCORE)
    failed = serializers.BooleanField()


class AppealCorrectionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    old_value = serializers.JSONField(allow_null=True)
    old_na = serializers.BooleanField()
    old_score = serializers.DecimalField(**SCORE)
    new_value = serializers.JSONField(allow_null=True)
    new_na = serializers.BooleanField()
    new_score = serializers.DecimalField(**SCORE)
    old_visit_score = serializers.DecimalField(**SCORE)
    new_visit_score = serializers.DecimalField(**SCORE)
    corrected_at = serializers.DateTimeField()


class AppealItemOutput(serializers.Serializer):
    item_code = serializers.CharField()
    text_zh = serializers.CharField(allow_blank=True)
    text_en = serializers.CharField(allow_blank=True)
    answer_type = serializers.CharField(allow_blank=True)
    category = serializers.ChoiceField(choices=Category.choices)
    argument = serializers.CharField()
    evidence = serializers.CharField(allow_blank=True)
    outcome = serializers.ChoiceField(choices=AppealItem.Outcome.choices, allow_null=True)
    new_value = serializers.JSONField(allow_null=True)
    new_na = serializers.BooleanField()
    answer = AppealAnswerOutput(allow_null=True, help_text="The item's answer as it stands now.")
    correction = AppealCorrectionOutput(
        allow_null=True,
        help_text="The score revision an upheld item made (the old answer and scores are kept).",
    )


class AppealDecisionOutput(serializers.Serializer):
    reason = serializers.CharField()
    decided_by = serializers.CharField(allow_null=True)
    decided_at = serializers.DateTimeField()


class AppealStepOutput(serializers.Serializer):
    at = serializers.DateTimeField()
    step = serializers.CharField(help_text="submitted, amended, upheld, partially_upheld, rejected")
    by = serializers.CharField()
    item_code = serializers.CharField(required=False)
    old_visit_score = serializers.DecimalField(**SCORE, required=False)
    new_visit_score = serializers.DecimalField(**SCORE, required=False)
    reason = serializers.CharField(required=False)


class AppealOutput(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Appeal.Status.choices)
    branch = serializers.DictField()
    visit = AppealVisitOutput()
    submitted_by = serializers.CharField()
    created_at = serializers.DateTimeField()
    items = AppealItemOutput(many=True)
    decision = AppealDecisionOutput(allow_null=True)
    evidence_files = EvidenceOutput(
        many=True, help_text="Photos and PDFs the regional manager attached to the appeal."
    )
    trail = AppealStepOutput(many=True, help_text="Every step of the appeal, oldest first.")


# --- input ---------------------------------------------------------------------------


class AppealItemInput(serializers.Serializer):
    item_code = serializers.CharField(max_length=40)
    category = serializers.ChoiceField(choices=Category.choices)
    argument = serializers.CharField(max_length=ARGUMENT_MAX_LENGTH)
    evidence = serializers.CharField(
        max_length=EVIDENCE_MAX_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        help_text='A reference to the evidence, e.g. "CCTV 10:42, receipt no. 123".',
    )


class AppealInput(serializers.Serializer):
    visit = serializers.UUIDField(help_text="The visit's id, as the branch's visits list it.")
    items = AppealItemInput(many=True, min_length=1, max_length=100)


class ItemOutcomeInput(serializers.Serializer):
    item_code = serializers.CharField(max_length=40)
    outcome = serializers.ChoiceField(choices=AppealItem.Outcome.choices)
    na = serializers.BooleanField(default=False, help_text="Upheld: the item becomes N/A.")
    value = JSONValueField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Upheld: the corrected value (bool, integer, number or string by answer type).",
    )


class AppealDecisionInput(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Decision.choices)
    reason = serializers.CharField(max_length=5000)
    item_outcomes = ItemOutcomeInput(
        many=True, required=False, default=list, help_text="An item left out is rejected."
    )


# --- views ---------------------------------------------------------------------------


class AppealFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Appeal.Status.choices)
    visit = django_filters.UUIDFilter(field_name="visit_id")
    branch = IdFilter(field_name="branch_id")

    class Meta:
        model = Appeal
        fields = ["status", "visit", "branch"]


class AppealListApi(GenericAPIView):
    permission_classes = [WorksOnAppeals]
    queryset = Appeal.objects.none()  # for the schema; get_queryset() scopes by role
    filterset_class = AppealFilter
    serializer_class = AppealOutput

    def get_queryset(self):
        return appeals_visible_to(self.request.user)

    @extend_schema(
        summary="Appeals of the caller's branches, newest first, filtered and paginated",
        description=(
            "Regional managers see their regions' appeals and head office all. A regional "
            "manager's `visit` has its id, period (month) and score, never its date or shopper. "
            "Shoppers and reviewers: 403."
        ),
        responses={200: AppealOutput(many=True), **ERRORS(400, 401, 403)},
    )
    def get(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        rows = [appeal_detail(a, viewer=request.user) for a in page]
        return self.get_paginated_response(AppealOutput(rows, many=True).data)

    @extend_schema(
        summary="Appeal items of an approved visit (regional manager)",
        description=(
            "Within APPEAL_WINDOW_DAYS (14) days of the visit's approval; later is a 400 naming "
            "`visit`. Each item has a category, an argument and optional evidence; a bad one is "
            "a 400 naming it (`items[0].category`). A visit outside the caller's regions is a 400 "
            "naming `visit`, as an unknown one is. 409 when the visit is not approved "
            "(`not_approved`) or an item is already under appeal (`appeal_open`)."
        ),
        request=AppealInput,
        responses={201: AppealOutput, **ERRORS(400, 401, 403, 409)},
    )
    def post(self, request):
        data = _valid(AppealInput(data=request.data))
        visit = visits_visible_to(request.user).filter(pk=data["visit"]).first()
        if visit is None:
            # The same answer for a visit that does not exist and one outside the regions.
            raise ValidationError({"visit": ["No such visit in your regions."]})
        appeal = appeal_submit(visit=visit, by=request.user, items=data["items"])
        appeal = appeals_visible_to(request.user).get(pk=appeal.pk)
        return Response(
            AppealOutput(appeal_detail(appeal, viewer=request.user)).data,
            status=status.HTTP_201_CREATED,
        )


class AppealDetailApi(GenericAPIView):
    permission_classes = [WorksOnAppeals]
    queryset = Appeal.objects.none()  # for the schema (path parameter types)
    serializer_class = AppealOutput

    @extend_schema(
        summary="One appeal with its items, decision and trail",
        responses={200: AppealOutput, **ERRORS(401, 403, 404)},
    )
    def get(self, request, pk):
        appeal = get_object_or_404(appeals_visible_to(request.user), pk=pk)
        return Response(AppealOutput(appeal_detail(appeal, viewer=request.user)).data)


class AppealDecideApi(GenericAPIView):
    permission_classes = [DecidesAppeals]
    queryset = Appeal.objects.none()  # for the schema (path parameter types)
    serializer_class = AppealDecisionInput

    @extend_schema(
        summary="Uphold, partially uphold or reject an appeal (head office)",
        description=(
            "Upheld items take the corrected `value` or become N/A (`na: true`): the visit is "
            "re-scored and the change kept as a correction with the old and new scores, so "
            "rankings, comparison, drivers and cached scorecards follow. `upheld` upholds every "
            "item, `partially_upheld` at least one, `rejected` none (nothing on the visit "
            "changes). 409 when the appeal was already decided (`already_decided`)."
        ),
        request=AppealDecisionInput,
        responses={200: AppealOutput, **ERRORS(400, 401, 403, 404, 409)},
    )
    def post(self, request, pk):
        appeal = get_object_or_404(appeals_visible_to(request.user), pk=pk)
        data = _valid(AppealDecisionInput(data=request.data))
        appeal_decide(appeal=appeal, by=request.user, **data)
        appeal = appeals_visible_to(request.user).get(pk=appeal.pk)
        return Response(AppealOutput(appeal_detail(appeal, viewer=request.user)).data)


class AppealEvidenceListApi(GenericAPIView):
    """GET: anyone who reads the appeal; POST: a regional manager of its region."""

    queryset = Appeal.objects.none()  # for the schema (path parameter types)
    serializer_class = EvidenceOutput
    parser_classes = [MultiPartParser, FormParser]

    def get_permissions(self):
        if self.request.method == "POST":
            return [SubmitsAppeals()]
        return [WorksOnAppeals()]

    @extend_schema(
        summary="The evidence files of an appeal",
        description="Out of the caller's regions is 404.",
        responses={200: EvidenceOutput(many=True), **ERRORS(401, 403, 404)},
    )
    def get(self, request, pk):
        appeal = get_object_or_404(appeals_visible_to(request.user), pk=pk)
        rows = [appeal_evidence_row(e) for e in appeal_evidence_list(appeal)]
        return Response(EvidenceOutput(rows, many=True).data)

    @extend_schema(
        summary="Attach an evidence file to an appeal (regional manager)",
        description=(
            "Multipart, field `file`: a JPEG, PNG or WebP photo (e.g. a CCTV still; checked by "
            "its content and stored only as metadata-free re-encoded copies) or a PDF (a "
            "receipt, a letter; checked by its magic bytes), within `PHOTO_MAX_BYTES`. At most "
            f"{EVIDENCE_FILES_MAX} per appeal, while head office has not decided it (else 409 "
            "`already_decided`). A refused file is a 400 naming `file` with a machine `code` "
            "(`not_an_image`, `truncated`, `too_many`…), 413 (`too_large`) when too large. "
            "Out of the caller's regions is 404."
        ),
        request={"multipart/form-data": EvidenceUploadInput},
        responses={201: EvidenceOutput, **ERRORS(400, 401, 403, 404, 409, 413)},
    )
    def post(self, request, pk):
        appeal = get_object_or_404(appeals_visible_to(request.user), pk=pk)
        return evidence_upload_response(
            request,
            add=lambda upload: appeal_evidence_add(
                appeal=appeal, by=request.user, file=upload, size=upload.size, filename=upload.name
            ),
            row=appeal_evidence_row,
        )


class AppealEvidenceFileApi(ServesFiles, GenericAPIView):
    permission_classes = [WorksOnAppeals]
    queryset = Appeal.objects.none()  # for the schema (path parameter types)

    @extend_schema(
        summary="An evidence file of an appeal: a metadata-free JPEG or the PDF (a download)",
        description=(
            "A photo: `thumb` at most 320 px on its longest side, `full` 4000 (404 for a PDF's "
            "thumb). A PDF is served as an attachment. On S3 a 302 to a signed URL that expires "
            "within minutes. Out of the caller's regions is 404."
        ),
        parameters=[OpenApiParameter("size", enum=["thumb", "full"], default="full")],
        responses={
            (200, "image/jpeg"): OpenApiResponse(OpenApiTypes.BINARY, description="The JPEG."),
            (200, PDF_TYPE): OpenApiResponse(OpenApiTypes.BINARY, description="The PDF."),
            302: OpenApiResponse(description="To a short-lived signed URL (S3)."),
            **ERRORS(400, 401, 403, 404),
        },
    )
    def get(self, request, pk, evidence_id):
        query = EvidenceFileQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        appeal = get_object_or_404(appeals_visible_to(request.user), pk=pk)
        evidence = get_object_or_404(appeal_evidence_list(appeal), pk=evidence_id)
        ext = "pdf" if evidence.content_type == PDF_TYPE else "jpg"
        return evidence_file_response(
            file_name=evidence.file_name,
            thumb_name=evidence.thumb_name,
            content_type=evidence.content_type,
            size=query.validated_data["size"],
            download_name=f"appeal-{appeal.pk}-{evidence.pk}.{ext}",
        )
