"""Date-time answers: when a call started, when a letter was sent or answered.

The answer is a local date and time ("2026-10-02T14:30", seconds optional), is
recorded and never scored, and, since it dates the visit, never reaches a
regional manager. The day and the minute used here are ones nothing else in a
response could print.
"""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import reverse

from audits.models import Answer, Visit
from audits.services.review import visit_review
from checklists.models import AnswerType, ChecklistVersion
from tests.factories import AssignmentFactory, ItemFactory, small_checklist
from tests.visit_bodies import receive_photos, visit_body

VISITS_URL = "/api/v1/visits/"
CALLED = "2031-07-19T16:47"


@pytest.fixture
def version(db) -> ChecklistVersion:
    """small_checklist with one more item: when the shopper called (a date-time)."""
    version = small_checklist()
    ItemFactory(
        section=version.sections.get(code="env"),
        code="called",
        position=9,
        answer_type=AnswerType.DATETIME,
        text_en="Date and time the call started",
        text_zh="通话开始的日期和时间",
    )
    return version


@pytest.fixture
def assignment(version, alice, east_branch):
    return AssignmentFactory(shopper=alice, branch=east_branch, checklist_version=version)


def with_called(assignment, value) -> dict:
    body = visit_body(assignment)
    body["answers"].append({"question": "called", "value": value})
    return body


@pytest.fixture
def approved(client_for, alice, rita, assignment) -> Visit:
    response = client_for(alice).post(VISITS_URL, with_called(assignment, CALLED), format="json")
    assert response.status_code == 201, response.json()
    visit = Visit.objects.get(pk=response.json()["id"])
    with transaction.atomic():
        receive_photos(visit)
    visit_review(visit=visit, reviewer=rita, decision="approve")
    return visit


@pytest.mark.parametrize("value", ["2026-10-02T14:30", "2026-10-02T14:30:05"])
def test_a_local_date_and_time_is_stored_as_sent(client_for, alice, assignment, value):
    response = client_for(alice).post(VISITS_URL, with_called(assignment, value), format="json")
    assert response.status_code == 201, response.json()
    assert Answer.objects.get(item_code="called").value == value


@pytest.mark.parametrize(
    "value", ["2026-10-02 14:30", "2026-10-02", "2026-10-02T14:30+08:00", "2026-02-30T10:00", 5]
)
def test_anything_else_is_refused_with_a_400_naming_the_answer_and_its_item(
    client_for, alice, assignment, value
):
    response = client_for(alice).post(VISITS_URL, with_called(assignment, value), format="json")
    assert response.status_code == 400
    (problem,) = response.json()["errors"]["answers[6].value"]
    assert problem.startswith("called: must be a local date and time")
    assert not Visit.objects.exists()


def test_a_date_time_answer_is_recorded_but_not_scored(client_for, alice, assignment):
    with_time = client_for(alice).post(VISITS_URL, with_called(assignment, CALLED), format="json")
    answer = Answer.objects.get(item_code="called")
    assert (answer.score, answer.failed, answer.gain) == (None, False, None)
    assert with_time.json()["score"] == "78.9"  # small_checklist's score without the item


def test_a_reviewer_reads_the_date_time_answer(client_for, rita, approved):
    detail = client_for(rita).get(f"{VISITS_URL}{approved.pk}/").json()
    assert {a["question"]: a["value"] for a in detail["answers"]}["called"] == CALLED


def test_a_regional_manager_never_reads_a_date_time_answer(client_for, erin, approved):
    """Not through the API's visits, nor on any page that shows a manager a visit."""
    manager = client_for(erin)
    responses = [
        manager.get(VISITS_URL),
        manager.get(f"{VISITS_URL}{approved.pk}/"),
    ]
    manager.force_login(erin)
    responses += [
        manager.get(reverse("branch-page", args=[approved.branch_id])),
        manager.get(reverse("scorecard-page", args=[approved.branch_id])),
        manager.get(reverse("appeal-new-page"), {"visit": str(approved.pk)}),
    ]
    assert [r.status_code for r in responses] == [200] * len(responses)
    detail = responses[1].json()
    assert "called" not in {a["question"] for a in detail["answers"]}
    assert "greet" in {a["question"] for a in detail["answers"]}
    for response in responses:
        text = response.content.decode()
        assert "2031-07-19" not in text and "16:47" not in text, response.request["PATH_INFO"]
