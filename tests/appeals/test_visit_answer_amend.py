"""audits.services.amendments.visit_answer_amend — changing an answer of an approved visit.

What an upheld appeal does to the visit: the value is judged as on upload, the
visit re-scored, and an AnswerCorrection keeps the old answer and scores.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from audits.models import AnswerCorrection, Visit
from audits.services.amendments import visit_answer_amend
from audits.services.review import visit_answer_correct
from backend.errors import Conflict
from tests.appeal_data import approved_visit
from tests.factories import AssignmentFactory
from tests.visit_bodies import receive_photos, visit_body


@pytest.fixture
def approved(alice, east_branch, rita):
    return approved_visit(shopper=alice, branch=east_branch, reviewer=rita)


def amend(visit, by, question="wait", **fields):
    return visit_answer_amend(
        visit=visit, by=by, question=question, reason=fields.pop("reason", "Appeal."), **fields
    )


def test_an_amendment_rescores_the_approved_visit_and_moves_its_updated_at(approved, hank):
    before = approved.updated_at

    amend(approved, hank, value=8)

    approved.refresh_from_db()
    assert (approved.score, approved.status) == (Decimal("87.8"), Visit.Status.APPROVED)
    assert approved.updated_at > before


def test_an_amendment_is_recorded_as_coming_from_an_appeal(approved, hank):
    correction = amend(approved, hank, value=8)

    assert (correction.source, correction.old_visit_score, correction.new_visit_score) == (
        AnswerCorrection.Source.APPEAL,
        Decimal("78.9"),
        Decimal("87.8"),
    )


def test_a_reviewers_correction_stays_recorded_as_coming_from_review(
    alice, east_branch, rita, client_for
):
    assignment = AssignmentFactory(shopper=alice, branch=east_branch)
    body = visit_body(assignment)
    client_for(alice).post("/api/v1/visits/", body, format="json")
    visit = Visit.objects.get(pk=body["id"])
    with transaction.atomic():
        receive_photos(visit)

    correction = visit_answer_correct(
        visit=visit, reviewer=rita, question="wait", value=8, reason="Video."
    )

    assert correction.source == AnswerCorrection.Source.REVIEW


@pytest.mark.parametrize("status", [Visit.Status.SUBMITTED, Visit.Status.RETURNED])
def test_only_an_approved_visit_is_amended(approved, hank, status):
    Visit.objects.filter(pk=approved.pk).update(status=status)

    with pytest.raises(Conflict) as conflict:
        amend(approved, hank, value=8)

    assert conflict.value.code == "not_approved"


@pytest.mark.parametrize(
    ("question", "fields", "field"),
    [
        ("wait", {"value": "soon"}, "value"),
        ("wait", {"value": None}, "value"),
        ("greet", {"na": True}, "na"),
        ("entrance", {"value": "x"}, "question"),
        ("no-such-item", {"value": 1}, "question"),
        ("wait", {"value": 8, "reason": "  "}, "reason"),
        ("wait", {"value": 25}, "value"),
    ],
    ids=["bad-value", "no-value", "na-not-allowed", "photo", "unknown", "no-reason", "unchanged"],
)
def test_a_bad_amendment_is_refused_naming_the_field_and_changes_nothing(
    approved, hank, question, fields, field
):
    with pytest.raises(ValidationError) as problem:
        amend(approved, hank, question, **fields)

    assert list(problem.value.message_dict) == [field]
    approved.refresh_from_db()
    assert approved.score == Decimal("78.9")
    assert not AnswerCorrection.objects.exists()
