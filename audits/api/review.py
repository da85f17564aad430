"""Review of submitted visits: the queue, the decision and reviewers' corrections."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from accounts.permissions import IsReviewer
from audits.api.visits import VisitOutput, visit_output
from audits.models import Review, Visit
from audits.selectors.review import (
    correction_item,
    review_queue,
    review_queue_item,
    visit_corrections,
)
from audits.selectors.scope import visits_visible_to
from audits.selectors.visits import visit_detail
from audits.services.review import (
    visit_answer_correct,
    visit_approval_withdraw,
    visit_review,
)
from backend.fields import JSONValueField, TextKeysDictField
from backend.schema import ERRORS
from checklists.api import CHANNEL_HELP
from checklists.models import Channel


class QueueBranchOutput(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name_zh = serializers.CharField()
    name_en = serializers.CharField()
    region = serializers.CharField()


class FailedCheckOutput(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    penalty = serializers.IntegerField()


class ReviewQueueApi(GenericAPIView):
    permission_classes = [IsReviewer]
    queryset = Visit.objects.none()  # for the schema; the queue comes from review_queue()

    class Output(serializers.Serializer):
        class Meta:
            ref_name = "ReviewQueueItem"

        id = serializers.UUIDField()
        branch = QueueBranchOutput()
        channel = serializers.ChoiceField(choices=Channel.choices, help_text=CHANNEL_HELP)
        visited_on = serializers.DateField()
        submitted_at = serializers.DateTimeField(allow_null=True)
        revision = serializers.IntegerField()
        score = serializers.DecimalField(max_digits=4, decimal_places=1, allow_null=True)
        confidence = serializers.IntegerField(
            allow_null=True, help_text="Null until the checks have run."
        )
        flagged = serializers.BooleanField()
        checks_pending = serializers.BooleanField(
            help_text="True while the automatic checks have not run (confidence null): the visit "
            "is not known to be fine, whatever `flagged` says.",
        )
        failed_checks = FailedCheckOutput(many=True)

    serializer_class = Output

    @extend_schema(
        summary="Submitted visits waiting for review",
        description=(
            "Flagged visits first (lowest confidence first), then visits whose checks are still "
            "pending (`checks_pending`), then the oldest submitted. Paginated."
        ),
        responses={200: Output(many=True), **ERRORS(400, 401, 403)},
    )
    def get(self, request):
        page = self.paginate_queryset(review_queue())
        return self.get_paginated_response(
            self.Output([review_queue_item(v) for v in page], many=True).data
        )


# Withdrawing an approval is decided where the approval was: same reviewers, same body.
# It is no Review.Decision of its own: the service records it as a rejection.
WITHDRAW_APPROVAL = "withdraw_approval"


class VisitReviewApi(GenericAPIView):
    permission_classes = [IsReviewer]
    queryset = Visit.objects.none()  # for the schema (path parameter types)

    class Input(serializers.Serializer):
        class Meta:
            ref_name = "VisitReview"

        decision = serializers.ChoiceField(
            choices=[*Review.Decision.choices, (WITHDRAW_APPROVAL, "Withdraw approval")]
        )
        note = serializers.CharField(
            required=False,
            allow_blank=True,
            default="",
            max_length=5000,
            help_text=(
                "Required to return (unless question notes say what to fix), to reject and to "
                "withdraw an approval (the reason, kept in the review trail)."
            ),
        )
        question_notes = TextKeysDictField(
            key_max_length=40,  # a question code, as in a visit's answers
            child=serializers.CharField(allow_blank=True, max_length=2000),
            required=False,
            default=dict,
            help_text="Notes to the shopper by question code; blank notes are ignored.",
        )

        def validate(self, attrs: dict) -> dict:
            # A withdrawal sends the shopper nothing: notes would be silently lost.
            if attrs["decision"] == WITHDRAW_APPROVAL and any(
                text.strip() for text in attrs["question_notes"].values()
            ):
                raise serializers.ValidationError(
                    {"question_notes": ["Not sent when an approval is withdrawn; give a note."]}
                )
            return attrs

    serializer_class = Input

    @extend_schema(
        summary="Approve, return or reject a submitted visit, or withdraw an approval",
        description=(
            "approve: the visit is approved and its assignment closed. return: the shopper corrects "
            "it (PUT /visits/{id}/) and it is submitted again. reject: the visit is rejected and its "
            "assignment closed. 409 `not_submitted` when the visit is not `submitted`.\n\n"
            "withdraw_approval: an `approved` visit (found fabricated, say) is rejected and leaves "
            "the reports at once; `note` says why and is recorded as a rejection in its reviews. "
            "Action plans the approval opened stay with their owners. 409 `not_approved` when the "
            "visit is not `approved`."
        ),
        request=Input,
        responses={200: VisitOutput, **ERRORS(400, 401, 403, 404, 409)},
    )
    def post(self, request, pk):
        visit = get_object_or_404(visits_visible_to(request.user), pk=pk)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        if data.validated_data["decision"] == WITHDRAW_APPROVAL:
            visit_approval_withdraw(
                visit=visit, reviewer=request.user, reason=data.validated_data["note"]
            )
        else:
            visit_review(visit=visit, reviewer=request.user, **data.validated_data)
        visit.refresh_from_db()
        return Response(visit_output(visit_detail(visit, viewer=request.user)))


class CorrectionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    question = serializers.CharField()
    old_value = serializers.JSONField(allow_null=True)
    old_na = serializers.BooleanField()
    old_score = serializers.DecimalField(max_digits=4, decimal_places=1, allow_null=True)
    new_value = serializers.JSONField(allow_null=True)
    new_na = serializers.BooleanField()
    new_score = serializers.DecimalField(max_digits=4, decimal_places=1, allow_null=True)
    old_visit_score = serializers.DecimalField(max_digits=4, decimal_places=1, allow_null=True)
    new_visit_score = serializers.DecimalField(max_digits=4, decimal_places=1, allow_null=True)
    reason = serializers.CharField()
    corrected_by = serializers.CharField()
    corrected_at = serializers.DateTimeField()


class VisitAnswerCorrectionApi(GenericAPIView):
    permission_classes = [IsReviewer]
    queryset = Visit.objects.none()  # for the schema (path parameter types)

    class Input(serializers.Serializer):
        class Meta:
            ref_name = "AnswerCorrection"

        value = JSONValueField(
            required=False,
            allow_null=True,
            default=None,
            help_text="bool, integer, number or string, by answer type; null when N/A.",
        )
        na = serializers.BooleanField(default=False)
        reason = serializers.CharField(
            max_length=2000, help_text="Why the answer is corrected; kept in the audit trail."
        )

    serializer_class = Input

    @extend_schema(
        summary="Correct one answer of a submitted visit (reviewer)",
        description=(
            "The value is checked as on upload; the visit is re-scored and the correction recorded "
            "with the old and new answer and scores. 409 when the visit is not `submitted`."
        ),
        request=Input,
        responses={201: CorrectionOutput, **ERRORS(400, 401, 403, 404, 409)},
    )
    def post(self, request, pk, question):
        visit = get_object_or_404(visits_visible_to(request.user), pk=pk)
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        correction = visit_answer_correct(
            visit=visit,
            reviewer=request.user,
            question=question,
            **data.validated_data,
        )
        return Response(
            CorrectionOutput(correction_item(correction)).data, status=status.HTTP_201_CREATED
        )


class VisitCorrectionListApi(GenericAPIView):
    permission_classes = [IsReviewer]
    queryset = Visit.objects.none()  # for the schema (path parameter types)
    serializer_class = CorrectionOutput
    pagination_class = None  # a visit has a handful of corrections

    @extend_schema(
        summary="The audit trail of a visit's answer corrections, oldest first",
        responses={200: CorrectionOutput(many=True), **ERRORS(401, 403, 404)},
    )
    def get(self, request, pk):
        visit = get_object_or_404(visits_visible_to(request.user), pk=pk)
        rows = [correction_item(c) for c in visit_corrections(visit=visit)]
        return Response(CorrectionOutput(rows, many=True).data)
