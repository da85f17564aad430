"""Assignments: head office and regional managers plan visits; the phone lists what is due."""

from __future__ import annotations

import django_filters
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import ManagesAssignments
from accounts.roles import shows_shopper_identity
from audits.api.organisation import BranchLocationOutput
from audits.models import Assignment, Visit
from audits.selectors.assignments import assignment_detail, assignments_listed_for
from audits.selectors.scope import assignments_visible_to
from audits.services.assignments import (
    BULK_MAX,
    AssignmentSpec,
    assignment_cancel,
    assignment_create,
    assignments_create,
)
from backend.fields import IdField, IdFilter
from backend.schema import ERRORS
from checklists.models import Channel


class AssignmentInput(serializers.Serializer):
    branch = IdField(help_text="Branch id; must be in a region the caller manages.")
    checklist_version = IdField(help_text="A published checklist version.")
    shopper = IdField(help_text="User id of an active shopper.")
    scenario = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    window_from = serializers.DateField(help_text="First day of the visit window; today or later.")
    window_to = serializers.DateField(help_text="Last day of the visit window, inclusive.")
    time_from = serializers.TimeField(required=False, allow_null=True, default=None)
    time_to = serializers.TimeField(required=False, allow_null=True, default=None)


class AssignmentBulkInput(serializers.Serializer):
    assignments = AssignmentInput(many=True, min_length=1, max_length=BULK_MAX)


class AssignmentBranchOutput(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name_zh = serializers.CharField()
    name_en = serializers.CharField()
    address_zh = serializers.CharField(allow_blank=True)
    address_en = serializers.CharField(allow_blank=True)
    location = BranchLocationOutput(allow_null=True)
    region = serializers.CharField(help_text="Region code.")


class AssignmentShopperOutput(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()


class AssignmentVisitOutput(serializers.Serializer):
    """The visit made for a submitted assignment: what the phone still has to do with it.

    Regional managers get the status only, never the visit's id.
    """

    id = serializers.UUIDField(required=False)
    status = serializers.ChoiceField(choices=Visit.Status.choices)
    revision = serializers.IntegerField(
        required=False, help_text="Send this as `revision` when correcting a returned visit."
    )
    review_note = serializers.CharField(
        required=False, allow_blank=True, help_text="The reviewer's note when returned."
    )
    question_notes = serializers.DictField(
        required=False,
        child=serializers.CharField(),
        help_text="Notes by question code, when returned.",
    )
    missing_photos = serializers.ListField(
        required=False, child=serializers.UUIDField(), help_text="Photo ids still to upload."
    )


ABSENT_FOR_MANAGERS = "Absent for regional managers, who learn neither who visits nor when."


class AssignmentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Assignment.Status.choices)
    branch = AssignmentBranchOutput()
    checklist_version = serializers.IntegerField()
    channel = serializers.ChoiceField(
        choices=Channel.choices,
        help_text="The checklist's channel: `branch`, `phone` (a mystery call) or `written`.",
    )
    shopper = AssignmentShopperOutput(required=False, help_text=ABSENT_FOR_MANAGERS)
    scenario = serializers.CharField(allow_blank=True)
    window_from = serializers.DateField(required=False, help_text=ABSENT_FOR_MANAGERS)
    window_to = serializers.DateField(required=False, help_text=ABSENT_FOR_MANAGERS)
    time_from = serializers.TimeField(
        allow_null=True, required=False, help_text=ABSENT_FOR_MANAGERS
    )
    time_to = serializers.TimeField(allow_null=True, required=False, help_text=ABSENT_FOR_MANAGERS)
    visit = AssignmentVisitOutput(allow_null=True)
    created_at = serializers.DateTimeField(required=False, help_text=ABSENT_FOR_MANAGERS)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        # What assignment_detail leaves out stays out: DRF would give a nullable field null.
        return {key: value for key, value in data.items() if key in instance}


class AssignmentBulkOutput(serializers.Serializer):
    assignments = AssignmentOutput(many=True)


class AssignmentFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Assignment.Status.choices)
    branch = IdFilter(field_name="branch_id")
    shopper = IdFilter(field_name="shopper_id")
    region = django_filters.CharFilter(field_name="branch__region__code")

    class Meta:
        model = Assignment
        fields = ["status", "branch", "shopper", "region"]


def _flat_errors(errors, path: str = "") -> dict[str, list[str]]:
    """DRF's nested errors as `assignments[2].branch` keys, the shape the service uses."""
    flat: dict[str, list[str]] = {}
    if isinstance(errors, dict):
        for key, value in errors.items():
            if isinstance(key, int):  # a ListSerializer keys its rows' errors by index
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


class AssignmentListApi(GenericAPIView):
    permission_classes = [ManagesAssignments]
    queryset = Assignment.objects.none()  # for the schema; get_queryset scopes by caller
    filterset_class = AssignmentFilter
    serializer_class = AssignmentOutput

    def get_queryset(self):
        queryset = assignments_listed_for(self.request.user)
        if "shopper" in self.request.query_params and not shows_shopper_identity(self.request.user):
            # Regional managers may not select by shopper: always empty, whatever the id,
            # so the answer confirms no shopper's assignments.
            return queryset.none()
        return queryset

    @extend_schema(
        summary="Assignments the caller may see, filtered and paginated",
        description=(
            "A shopper sees only what the phone can act on: open assignments, and submitted ones "
            "whose visit is `incomplete` (photos missing) or `returned` (with the review notes). "
            "Regional managers see their regions', without shopper, window, times or "
            "`created_at`, ordered by branch; `shopper=` gives them an empty list. Reviewers "
            "and head office see all."
        ),
        responses={200: AssignmentOutput(many=True), **ERRORS(400, 401)},
    )
    def get(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(
            AssignmentOutput(
                [assignment_detail(a, viewer=request.user) for a in page], many=True
            ).data
        )

    @extend_schema(
        summary="Create one assignment (head office, regional managers)",
        description=(
            "400 names the field: `branch` (not in your regions, inactive, excluded for this "
            "shopper, or the same shopper there within the rotation period), `checklist_version` "
            "(not published), `shopper`, `window_from`/`window_to` (in the past or reversed), `time_to`. "
            "For a regional manager a refused shopper (not an active shopper, excluded, rotation) "
            "is one same message on `shopper`, given only when the rest of the request is right "
            "(in a batch: on `assignments`, without the row); the 201 has no shopper or window."
        ),
        request=AssignmentInput,
        responses={201: AssignmentOutput, **ERRORS(400, 401, 403)},
    )
    def post(self, request):
        data = AssignmentInput(data=request.data)
        data.is_valid(raise_exception=True)
        assignment = assignment_create(created_by=request.user, **data.validated_data)
        assignment = assignments_listed_for(request.user).get(pk=assignment.pk)
        return Response(
            AssignmentOutput(assignment_detail(assignment, viewer=request.user)).data,
            status=status.HTTP_201_CREATED,
        )


class AssignmentBulkCreateApi(APIView):
    permission_classes = [ManagesAssignments]

    @extend_schema(
        summary="Create many assignments, all or nothing (head office, regional managers)",
        description=(
            f"Up to {BULK_MAX} rows. Every row is checked as a single create is, and rows of the "
            "batch against each other for the rotation rule. Errors are keyed by row, e.g. "
            "`assignments[2].branch`; when any row fails, none is created."
        ),
        request=AssignmentBulkInput,
        responses={201: AssignmentBulkOutput, **ERRORS(400, 401, 403)},
    )
    def post(self, request):
        data = AssignmentBulkInput(data=request.data)
        if not data.is_valid():
            raise serializers.ValidationError(_flat_errors(data.errors))
        created = assignments_create(
            created_by=request.user,
            specs=[AssignmentSpec(**row) for row in data.validated_data["assignments"]],
        )
        stored = assignments_listed_for(request.user).in_bulk([a.pk for a in created])
        rows = [assignment_detail(stored[a.pk], viewer=request.user) for a in created]
        return Response(
            AssignmentBulkOutput({"assignments": rows}).data, status=status.HTTP_201_CREATED
        )


class AssignmentCancelApi(APIView):
    permission_classes = [ManagesAssignments]

    @extend_schema(
        summary="Cancel an open assignment (head office, the region's managers)",
        description="409 when the assignment is no longer open (submitted, closed, expired or cancelled).",
        request=None,
        responses={200: AssignmentOutput, **ERRORS(401, 403, 404, 409)},
    )
    def post(self, request, pk: int):
        assignment = get_object_or_404(assignments_visible_to(request.user), pk=pk)
        assignment = assignment_cancel(assignment=assignment, cancelled_by=request.user)
        assignment = assignments_listed_for(request.user).get(pk=assignment.pk)
        return Response(AssignmentOutput(assignment_detail(assignment, viewer=request.user)).data)
