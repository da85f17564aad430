"""Action plans over the API: list, read, submit (regional manager), accept or send back (head office).

Thin views: input serializers check the shape, actions.services decide, and
actions.selectors.action_plan_detail says what the caller may see (no visit,
shopper or visit date for a regional manager: the month instead).
"""

from __future__ import annotations

import django_filters
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from actions.models import ActionPlan
from actions.roles import DecidesActionPlans, SeesActionPlans, SubmitsActionPlans
from actions.selectors import (
    action_plan_detail,
    action_plan_evidence_list,
    action_plan_evidence_row,
    action_plan_list,
    action_plans_visible_to,
    overdue_condition,
)
from actions.services import (
    OWNER_MAX,
    TEXT_MAX,
    action_plan_accept,
    action_plan_evidence_add,
    action_plan_send_back,
    action_plan_submit,
)
from audits.api.evidence import (
    EvidenceFileQuery,
    EvidenceOutput,
    EvidenceUploadInput,
    ServesFiles,
    evidence_file_response,
    evidence_upload_response,
)
from audits.services.evidence_files import EVIDENCE_FILES_MAX
from backend.fields import IdFilter
from backend.schema import ERRORS


class PlanBranchOutput(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name_zh = serializers.CharField()
    name_en = serializers.CharField()
    region = serializers.CharField(help_text="Region code.")


class PlanItemOutput(serializers.Serializer):
    code = serializers.CharField()
    text_zh = serializers.CharField()
    text_en = serializers.CharField()
    critical = serializers.BooleanField()
    failures = serializers.IntegerField(help_text="Failed answers to the item behind the plan.")


class PlanVisitOutput(serializers.Serializer):
    id = serializers.UUIDField()
    visited_on = serializers.DateField()
    score = serializers.DecimalField(max_digits=4, decimal_places=1, allow_null=True)


class ActionPlanOutput(serializers.Serializer):
    class Meta:
        ref_name = "ActionPlan"

    id = serializers.IntegerField()
    branch = PlanBranchOutput()
    checklist = serializers.CharField(help_text="Checklist code.")
    reason = serializers.ChoiceField(choices=ActionPlan.Reason.choices)
    period = serializers.CharField(help_text="The month the plan is about, YYYY-MM.")
    score = serializers.DecimalField(
        max_digits=4,
        decimal_places=1,
        allow_null=True,
        help_text="below_standard: the branch's period score when the plan was opened.",
    )
    expected_score = serializers.DecimalField(
        max_digits=4, decimal_places=1, allow_null=True, help_text="The standard then."
    )
    status = serializers.ChoiceField(choices=ActionPlan.Status.choices)
    did_not_fix = serializers.BooleanField(
        help_text="A visit after acceptance failed the plan's items again (status reopened)."
    )
    overdue = serializers.BooleanField(help_text="Due date passed, not accepted or verified.")
    items = PlanItemOutput(many=True)
    root_cause = serializers.CharField(allow_blank=True)
    actions = serializers.CharField(allow_blank=True)
    owner = serializers.CharField(allow_blank=True)
    due_date = serializers.DateField(allow_null=True)
    submitted_at = serializers.DateTimeField(allow_null=True)
    decision_note = serializers.CharField(allow_blank=True, help_text="Why it was sent back.")
    accepted_at = serializers.DateTimeField(allow_null=True)
    evidence = EvidenceOutput(many=True, help_text="Photos the regional manager attached.")
    # Head office only: a regional manager must never learn which visit, so who or when.
    visit = PlanVisitOutput(
        required=False,
        allow_null=True,
        help_text="Head office only: the visit whose critical failure opened the plan.",
    )
    checked_by_visit = PlanVisitOutput(
        required=False,
        allow_null=True,
        help_text="Head office only: the approved visit that verified or reopened the plan.",
    )
    created_at = serializers.DateTimeField(required=False, help_text="Head office only.")
    checked_at = serializers.DateTimeField(
        required=False, allow_null=True, help_text="Head office only."
    )

    def to_representation(self, instance):
        # A field the selector left out for this viewer stays out, rather than showing as null.
        data = super().to_representation(instance)
        return {key: value for key, value in data.items() if key in instance}


def _overdue_filter(queryset, name, value):
    if value is None:
        return queryset
    return queryset.filter(overdue_condition()) if value else queryset.exclude(overdue_condition())


class ActionPlanFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ActionPlan.Status.choices)
    branch = IdFilter(field_name="branch_id")
    overdue = django_filters.BooleanFilter(method=_overdue_filter)

    class Meta:
        model = ActionPlan
        fields = ["status", "branch", "overdue"]


_ERRORS_404 = "Out of the caller's regions is 404."


class ActionPlanListApi(GenericAPIView):
    permission_classes = [SeesActionPlans]
    queryset = ActionPlan.objects.none()  # for the schema; the list comes from action_plan_list
    filterset_class = ActionPlanFilter
    serializer_class = ActionPlanOutput

    @extend_schema(
        summary="Action plans of the branches the caller sees",
        description=(
            "Overdue first (due date passed, not accepted or verified), then by due date. "
            "`?overdue=true` lists only overdue plans. Regional managers see their regions' plans "
            "without the visit; reviewers and shoppers are refused (403). Paginated."
        ),
        responses={200: ActionPlanOutput(many=True), **ERRORS(400, 401, 403)},
    )
    def get(self, request):
        # The filter backend refuses a bad value with a 400 naming the parameter.
        plans = self.filter_queryset(action_plan_list(user=request.user))
        page = self.paginate_queryset(plans)
        rows = [action_plan_detail(plan, viewer=request.user) for plan in page]
        return self.get_paginated_response(ActionPlanOutput(rows, many=True).data)


def _plan(request, pk: int) -> ActionPlan:
    return get_object_or_404(action_plans_visible_to(request.user), pk=pk)


def _answer(request, plan: ActionPlan) -> Response:
    plan = action_plans_visible_to(request.user).prefetch_related("items").get(pk=plan.pk)
    return Response(ActionPlanOutput(action_plan_detail(plan, viewer=request.user)).data)


class ActionPlanDetailApi(GenericAPIView):
    permission_classes = [SeesActionPlans]
    queryset = ActionPlan.objects.none()  # for the schema (path parameter types)
    serializer_class = ActionPlanOutput

    @extend_schema(
        summary="One action plan",
        description=_ERRORS_404,
        responses={200: ActionPlanOutput, **ERRORS(401, 403, 404)},
    )
    def get(self, request, pk):
        return _answer(request, _plan(request, pk))


class ActionPlanSubmitApi(GenericAPIView):
    permission_classes = [SubmitsActionPlans]
    queryset = ActionPlan.objects.none()

    class Input(serializers.Serializer):
        class Meta:
            ref_name = "ActionPlanSubmit"

        root_cause = serializers.CharField(max_length=TEXT_MAX, help_text="Why it went wrong.")
        actions = serializers.CharField(max_length=TEXT_MAX, help_text="What will be done.")
        owner = serializers.CharField(max_length=OWNER_MAX, help_text="Who does it (a name).")
        due_date = serializers.DateField(help_text="By when; today or later.")

    serializer_class = Input

    @extend_schema(
        summary="Submit a plan: root cause, actions, owner and due date (regional manager)",
        description=(
            "The regional manager of the branch's region. The plan must be open, sent back or "
            "reopened (else 409). Every missing or bad field is named in the 400. " + _ERRORS_404
        ),
        request=Input,
        responses={200: ActionPlanOutput, **ERRORS(400, 401, 403, 404, 409)},
    )
    def post(self, request, pk):
        plan = _plan(request, pk)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        action_plan_submit(plan=plan, user=request.user, **data.validated_data)
        return _answer(request, plan)


class ActionPlanAcceptApi(GenericAPIView):
    permission_classes = [DecidesActionPlans]
    queryset = ActionPlan.objects.none()
    serializer_class = ActionPlanOutput

    @extend_schema(
        summary="Accept a submitted plan (head office)",
        description=(
            "The next approved visit of the branch then verifies it, or reopens it marked "
            "did_not_fix when its items fail again. 409 unless the plan is submitted."
        ),
        request=None,
        responses={200: ActionPlanOutput, **ERRORS(401, 403, 404, 409)},
    )
    def post(self, request, pk):
        plan = _plan(request, pk)
        action_plan_accept(plan=plan, user=request.user)
        return _answer(request, plan)


class ActionPlanSendBackApi(GenericAPIView):
    permission_classes = [DecidesActionPlans]
    queryset = ActionPlan.objects.none()

    class Input(serializers.Serializer):
        class Meta:
            ref_name = "ActionPlanSendBack"

        note = serializers.CharField(
            max_length=TEXT_MAX, help_text="What the regional manager must change."
        )

    serializer_class = Input

    @extend_schema(
        summary="Send a submitted plan back with a note (head office)",
        description="The regional manager submits it again. 409 unless the plan is submitted.",
        request=Input,
        responses={200: ActionPlanOutput, **ERRORS(400, 401, 403, 404, 409)},
    )
    def post(self, request, pk):
        plan = _plan(request, pk)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        action_plan_send_back(plan=plan, user=request.user, **data.validated_data)
        return _answer(request, plan)


class ActionPlanEvidenceListApi(GenericAPIView):
    """GET: anyone who sees the plan; POST: its regional manager (SubmitsActionPlans)."""

    queryset = ActionPlan.objects.none()  # for the schema (path parameter types)
    serializer_class = EvidenceOutput
    parser_classes = [MultiPartParser, FormParser]

    def get_permissions(self):
        if self.request.method == "POST":
            return [SubmitsActionPlans()]
        return [SeesActionPlans()]

    @extend_schema(
        summary="The evidence photos of a plan",
        description=_ERRORS_404,
        responses={200: EvidenceOutput(many=True), **ERRORS(401, 403, 404)},
    )
    def get(self, request, pk):
        plan = _plan(request, pk)
        rows = [action_plan_evidence_row(e) for e in action_plan_evidence_list(plan)]
        return Response(EvidenceOutput(rows, many=True).data)

    @extend_schema(
        summary="Attach an evidence photo to a plan (regional manager)",
        description=(
            "Multipart, field `file`: a JPEG, PNG or WebP photo within the visit photo's limits "
            "(`PHOTO_MAX_BYTES`, `PHOTO_MAX_PIXELS`), checked by its content and stored only as "
            "metadata-free re-encoded copies. At most "
            f"{EVIDENCE_FILES_MAX} per plan. The plan must be open, sent back or reopened "
            "(else 409 `wrong_status`). A refused file is a 400 naming `file` with a machine "
            "`code` (`not_an_image`, `unsupported_format`, `truncated`, `too_many`…), 413 "
            "(`too_large`) when too large. " + _ERRORS_404
        ),
        request={"multipart/form-data": EvidenceUploadInput},
        responses={201: EvidenceOutput, **ERRORS(400, 401, 403, 404, 409, 413)},
    )
    def post(self, request, pk):
        plan = _plan(request, pk)
        return evidence_upload_response(
            request,
            add=lambda upload: action_plan_evidence_add(
                plan=plan, user=request.user, file=upload, size=upload.size, filename=upload.name
            ),
            row=action_plan_evidence_row,
        )


class ActionPlanEvidenceFileApi(ServesFiles, GenericAPIView):
    permission_classes = [SeesActionPlans]
    queryset = ActionPlan.objects.none()  # for the schema (path parameter types)

    @extend_schema(
        summary="An evidence photo of a plan (a metadata-free JPEG)",
        description=(
            "`thumb` is at most 320 px on its longest side, `full` 4000. On local storage the "
            "JPEG is in the response; on S3 a 302 to a signed URL that expires within minutes. "
            + _ERRORS_404
        ),
        parameters=[OpenApiParameter("size", enum=["thumb", "full"], default="full")],
        responses={
            (200, "image/jpeg"): OpenApiResponse(OpenApiTypes.BINARY, description="The JPEG."),
            302: OpenApiResponse(description="To a short-lived signed URL (S3)."),
            **ERRORS(400, 401, 403, 404),
        },
    )
    def get(self, request, pk, evidence_id):
        query = EvidenceFileQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        plan = _plan(request, pk)
        evidence = get_object_or_404(action_plan_evidence_list(plan), pk=evidence_id)
        return evidence_file_response(
            file_name=evidence.file_name,
            thumb_name=evidence.thumb_name,
            content_type=evidence.content_type,
            size=query.validated_data["size"],
            download_name=f"plan-{plan.pk}-{evidence.pk}.jpg",
        )
