"""POST /api/v1/visits/{id}/answers/{question}/correction/ and GET /api/v1/visits/{id}/corrections/.

A reviewer corrects one answer of a submitted visit with a reason; the visit is
re-scored and the correction kept as an audit trail.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from audits.models import Answer, AnswerCorrection, Visit
from tests.factories import AssignmentFactory
from tests.visit_bodies import receive_photos, visit_body


def url(visit, question: str) -> str:
    return f"/api/v1/visits/{visit.id}/answers/{question}/correction/"


def trail_url(visit) -> str:
    return f"/api/v1/visits/{visit.id}/corrections/"


@pytest.fixture
def upload(client_for, alice, east_branch):
    def make(*, unanswered: tuple[str, ...] = ()) -> Visit:
        assignment = AssignmentFactory(shopper=alice, branch=east_branch)
        body = visit_body(assignment)
        body["answers"] = [a for a in body["answers"] if a["question"] not in unanswered]
        response = client_for(alice).post("/api/v1/visits/", body, format="json")
        assert response.status_code == 201, response.json()
        return Visit.objects.get(pk=response.json()["id"])

    return make


@pytest.fixture
def visit(upload, django_capture_on_commit_callbacks):
    """alice's submitted visit, scored 78.9: core 78.3 (greet 100, attitude 75, wait 60), env 80."""
    with django_capture_on_commit_callbacks(execute=True):
        visit = upload()
        receive_photos(visit)
    visit.refresh_from_db()
    assert (visit.status, visit.score) == (Visit.Status.SUBMITTED, Decimal("78.9"))
    return visit


def correct(client_for, user, visit, question, **body):
    return client_for(user).post(url(visit, question), body, format="json")


# --- re-scoring -------------------------------------------------------------------------


def test_a_correction_rescores_the_whole_visit(client_for, rita, visit):
    response = correct(
        client_for, rita, visit, "wait", value=8, reason="The video shows 8 seconds."
    )
    assert response.status_code == 201, response.json()
    visit.refresh_from_db()
    # wait 60 → 100: core (100 + 75 + 100) / 3 = 91.7; visit (2 × 91.67 + 80) / 3 = 87.8
    assert visit.score == Decimal("87.8")
    assert visit.scores.get(kind="section", key="core").score == Decimal("91.7")
    answer = visit.answers.get(item_code="wait")
    assert (answer.value, answer.score, answer.failed) == (8, Decimal("100.0"), False)


def test_a_correction_can_make_a_critical_item_fail(client_for, rita, alice, visit):
    correct(
        client_for, rita, visit, "greet", value=False, reason="Nobody greeted; see the recording."
    )
    data = client_for(rita).get(f"/api/v1/visits/{visit.id}/").json()
    # The failed critical item caps its section at 50; core is already below it:
    # (0 + 75 + 60) / 3 = 45, and the visit (2 × 45 + 80) / 3
    assert (data["score"], data["band"], data["critical_failures"]) == ("56.7", "below", ["greet"])
    assert data["sections"]["core"] == "45.0"


def test_a_question_can_be_corrected_to_not_applicable(client_for, rita, visit):
    response = correct(
        client_for, rita, visit, "attitude", value=None, na=True, reason="No staff member served."
    )
    assert response.status_code == 201, response.json()
    visit.refresh_from_db()
    # attitude leaves the average: core (100 + 60) / 2 = 80; visit (160 + 80) / 3
    assert visit.score == Decimal("80.0")
    assert visit.answers.get(item_code="attitude").na is True


def test_a_correction_answers_an_unanswered_question(
    client_for, rita, upload, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        visit = upload(unanswered=("remark",))
        receive_photos(visit)
    response = correct(
        client_for,
        rita,
        visit,
        "remark",
        value="Friendly but slow.",
        reason="From the shopper's email.",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["old_value"] is None
    assert Answer.objects.get(visit=visit, item_code="remark").value == "Friendly but slow."


# --- the audit trail ---------------------------------------------------------------------


def test_the_correction_records_old_and_new_answer_and_scores(client_for, rita, visit):
    data = correct(
        client_for, rita, visit, "wait", value=8, reason="The video shows 8 seconds."
    ).json()
    assert {k: data[k] for k in ("question", "old_value", "new_value", "old_na", "new_na")} == {
        "question": "wait",
        "old_value": 25,
        "new_value": 8,
        "old_na": False,
        "new_na": False,
    }
    assert (data["old_score"], data["new_score"]) == ("60.0", "100.0")
    assert (data["old_visit_score"], data["new_visit_score"]) == ("78.9", "87.8")
    assert (data["reason"], data["corrected_by"]) == ("The video shows 8 seconds.", "rita")


def test_the_corrections_list_is_the_audit_trail_oldest_first(client_for, rita, hank, visit):
    correct(client_for, rita, visit, "wait", value=8, reason="Video: 8 seconds.")
    correct(client_for, hank, visit, "clean", value=5, reason="Photo shows litter.")
    response = client_for(hank).get(trail_url(visit))
    assert response.status_code == 200, response.json()
    rows = response.json()
    assert [(r["question"], r["corrected_by"]) for r in rows] == [
        ("wait", "rita"),
        ("clean", "hank"),
    ]
    assert rows[1]["old_visit_score"] == "87.8"
    assert rows[0]["corrected_at"] is not None


def test_the_corrections_list_is_empty_for_an_uncorrected_visit(client_for, rita, visit):
    assert client_for(rita).get(trail_url(visit)).json() == []


# --- validation -----------------------------------------------------------------------------


def test_a_bad_value_is_refused_naming_value(client_for, rita, visit):
    response = correct(client_for, rita, visit, "attitude", value=9, reason="Typo.")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["value"]
    assert "1 to 5" in response.json()["errors"]["value"][0]
    assert AnswerCorrection.objects.count() == 0


def test_a_value_of_the_wrong_type_is_refused(client_for, rita, visit):
    response = correct(client_for, rita, visit, "resolved", value="maybe", reason="Typo.")
    assert response.status_code == 400
    assert "value" in response.json()["errors"]


def test_a_missing_value_is_refused_unless_not_applicable(client_for, rita, visit):
    response = correct(client_for, rita, visit, "wait", reason="Unknown.")
    assert response.status_code == 400
    assert "value" in response.json()["errors"]


def test_not_applicable_is_refused_where_the_question_does_not_allow_it(client_for, rita, visit):
    response = correct(client_for, rita, visit, "greet", na=True, reason="No one there.")
    assert response.status_code == 400
    assert "na" in response.json()["errors"]


def test_a_not_applicable_answer_takes_no_value(client_for, rita, visit):
    response = correct(client_for, rita, visit, "attitude", value=3, na=True, reason="No staff.")
    assert response.status_code == 400
    assert "value" in response.json()["errors"]


def test_a_reason_is_required(client_for, rita, visit):
    response = correct(client_for, rita, visit, "wait", value=8, reason=" ")
    assert response.status_code == 400
    assert "reason" in response.json()["errors"]
    visit.refresh_from_db()
    assert visit.score == Decimal("78.9")


def test_correcting_to_the_same_answer_is_refused(client_for, rita, visit):
    response = correct(client_for, rita, visit, "wait", value=25, reason="Checked.")
    assert response.status_code == 400
    assert "value" in response.json()["errors"]


def test_an_unknown_question_is_refused_naming_question(client_for, rita, visit):
    response = correct(client_for, rita, visit, "nope", value=1, reason="?")
    assert response.status_code == 400
    assert "question" in response.json()["errors"]


def test_a_photo_question_has_no_value_to_correct(client_for, rita, visit):
    response = correct(client_for, rita, visit, "entrance", value="x", reason="?")
    assert response.status_code == 400
    assert "question" in response.json()["errors"]


# --- state and permissions ------------------------------------------------------------------


def test_an_approved_visit_can_no_longer_be_corrected(client_for, rita, visit):
    client_for(rita).post(
        f"/api/v1/visits/{visit.id}/review/", {"decision": "approve"}, format="json"
    )
    response = correct(client_for, rita, visit, "wait", value=8, reason="Late finding.")
    assert response.status_code == 409
    assert response.json()["status"] == "approved"


def test_an_incomplete_visit_cannot_be_corrected(client_for, rita, upload):
    response = correct(client_for, rita, upload(), "wait", value=8, reason="Early.")
    assert response.status_code == 409
    assert response.json()["status"] == "incomplete"


def test_a_shopper_may_not_correct_answers(client_for, alice, visit):
    assert (
        correct(client_for, alice, visit, "wait", value=8, reason="I misread.").status_code == 403
    )


def test_a_regional_manager_may_not_correct_answers(client_for, erin, visit):
    assert (
        correct(client_for, erin, visit, "wait", value=8, reason="Looks wrong.").status_code == 403
    )


def test_an_anonymous_caller_must_sign_in_to_correct(anon, visit):
    assert (
        anon.post(url(visit, "wait"), {"value": 8, "reason": "x"}, format="json").status_code == 401
    )


def test_a_shopper_may_not_read_the_corrections(client_for, alice, visit):
    assert client_for(alice).get(trail_url(visit)).status_code == 403


def test_a_regional_manager_may_not_read_the_corrections(client_for, erin, visit):
    assert client_for(erin).get(trail_url(visit)).status_code == 403


# --- text the databases cannot store ----------------------------------------------------


@pytest.mark.parametrize("field", ["value", "reason"])
@pytest.mark.parametrize("text", ["Rude\x00", "Rude\ud800"], ids=["nul", "surrogate"])
def test_text_that_cannot_be_stored_is_refused_naming_the_field(
    client_for, rita, visit, field, text
):
    body = json.dumps({"value": "Polite.", "reason": "The recording says otherwise.", field: text})
    response = client_for(rita).post(url(visit, "remark"), body, content_type="application/json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]
    assert not AnswerCorrection.objects.exists()


def test_a_corrected_text_answer_past_2000_characters_is_refused(client_for, rita, visit):
    reason = "Transcribed in full."
    response = correct(client_for, rita, visit, "remark", value="x" * 2001, reason=reason)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["value"]
