"""PUT /api/v1/visits/{id}/ after a return — the shopper corrects the visit and it is reviewed again."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile

from audits.models import Assignment, Photo, Visit, VisitRevision
from audits.services.visits import photo_files_delete_handle
from audits.storage import photo_path, private_storage
from tests.factories import AssignmentFactory
from tests.visit_bodies import receive_photos, sha256, visit_body


@pytest.fixture
def assignment(alice, east_branch):
    return AssignmentFactory(shopper=alice, branch=east_branch)


@pytest.fixture
def body(assignment):
    return visit_body(assignment)


@pytest.fixture
def returned(client_for, alice, rita, body, django_capture_on_commit_callbacks):
    """alice's visit (scored 78.9), submitted and returned by rita with a question note."""
    with django_capture_on_commit_callbacks(execute=True):
        client_for(alice).post("/api/v1/visits/", body, format="json")
        visit = Visit.objects.get(pk=body["id"])
        receive_photos(visit)
    response = client_for(rita).post(
        f"/api/v1/visits/{visit.id}/review/",
        {
            "decision": "return",
            "question_notes": {"wait": "The video shows 8 seconds; check your timer."},
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    visit.refresh_from_db()
    return visit


def corrected(body: dict, *, revision: int, wait=8, **changes) -> dict:
    answers = [{**a, "value": wait} if a["question"] == "wait" else a for a in body["answers"]]
    return {**body, "answers": answers, "revision": revision, **changes}


def put(client_for, user, visit, data):
    return client_for(user).put(f"/api/v1/visits/{visit.id}/", data, format="json")


# --- the correction -----------------------------------------------------------------------


def test_the_shopper_sees_what_to_fix(client_for, alice, returned):
    data = client_for(alice).get(f"/api/v1/visits/{returned.id}/").json()
    assert data["status"] == "returned"
    assert data["review"]["question_notes"] == {
        "wait": "The video shows 8 seconds; check your timer."
    }


def test_a_corrected_visit_becomes_revision_2_and_is_rescored(client_for, alice, returned, body):
    response = put(client_for, alice, returned, corrected(body, revision=1))
    assert response.status_code == 200, response.json()
    data = response.json()
    assert (data["revision"], data["score"]) == (2, "87.8")
    assert next(a for a in data["answers"] if a["question"] == "wait")["value"] == 8


def test_the_earlier_revision_is_kept(client_for, alice, returned, body):
    put(client_for, alice, returned, corrected(body, revision=1))
    first, second = VisitRevision.objects.filter(visit=returned).order_by("revision")
    assert (first.revision, first.score, second.revision, second.score) == (
        1,
        Decimal("78.9"),
        2,
        Decimal("87.8"),
    )
    assert next(a for a in first.body["answers"] if a["question"] == "wait")["value"] == 25
    assert next(a for a in second.body["answers"] if a["question"] == "wait")["value"] == 8


def test_a_correction_keeping_its_photos_is_submitted_again_at_once(
    client_for, alice, returned, body
):
    response = put(client_for, alice, returned, corrected(body, revision=1))
    assert response.json()["status"] == "submitted"
    returned.refresh_from_db()
    assert returned.status == Visit.Status.SUBMITTED
    assert (returned.reviewed_at, returned.reviewed_by) == (None, None)


def test_a_correction_with_a_new_photo_waits_for_it_then_is_submitted(
    client_for, alice, returned, body
):
    photo = {"id": str(uuid.uuid4()), "sha256": sha256(b"retaken"), "question": "entrance"}
    response = put(
        client_for, alice, returned, corrected(body, revision=1, photos=[*body["photos"], photo])
    )
    assert response.json()["status"] == "incomplete"
    returned.refresh_from_db()
    assert returned.status == Visit.Status.INCOMPLETE
    receive_photos(returned)
    returned.refresh_from_db()
    assert returned.status == Visit.Status.SUBMITTED


def test_the_corrected_visit_is_checked_again(
    client_for, alice, returned, body, django_capture_on_commit_callbacks
):
    far = {"lat": 31.2404, "lng": 121.4737, "accuracy_m": 12}
    with django_capture_on_commit_callbacks(execute=True):
        put(client_for, alice, returned, corrected(body, revision=1, location=far))
    returned.refresh_from_db()
    assert (returned.confidence, returned.flagged) == (60, True)
    assert returned.checks.get(code="location_far").passed is False


def test_a_returned_corrected_visit_is_approved_and_closes_its_assignment(
    client_for,
    alice,
    rita,
    returned,
    body,
    assignment,
):
    put(client_for, alice, returned, corrected(body, revision=1))
    queue = client_for(rita).get("/api/v1/review/queue/").json()
    assert [row["id"] for row in queue["results"]] == [str(returned.id)]
    response = client_for(rita).post(
        f"/api/v1/visits/{returned.id}/review/", {"decision": "approve"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "approved"
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.CLOSED
    assert list(returned.reviews.values_list("decision", "revision")) == [
        ("return", 1),
        ("approve", 2),
    ]


def test_a_visit_can_be_returned_twice(client_for, alice, rita, returned, body):
    put(client_for, alice, returned, corrected(body, revision=1))
    client_for(rita).post(
        f"/api/v1/visits/{returned.id}/review/",
        {"decision": "return", "note": "Still wrong."},
        format="json",
    )
    response = put(client_for, alice, returned, corrected(body, revision=2, wait=9))
    assert response.status_code == 200, response.json()
    assert response.json()["revision"] == 3


# --- retries and conflicts -------------------------------------------------------------------


def test_a_retried_identical_correction_is_answered_with_the_stored_visit(
    client_for, alice, returned, body
):
    data = corrected(body, revision=1)
    first = put(client_for, alice, returned, data)
    again = put(client_for, alice, returned, data)
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json()["revision"] == 2
    assert VisitRevision.objects.filter(visit=returned).count() == 2


def test_a_stale_revision_is_a_conflict(client_for, alice, returned, body):
    put(client_for, alice, returned, corrected(body, revision=1))
    response = put(client_for, alice, returned, corrected(body, revision=1, wait=9))
    assert response.status_code == 409
    assert (response.json()["code"], response.json()["revision"]) == ("stale_revision", 2)


def test_a_visit_that_was_not_returned_cannot_be_corrected(
    client_for, alice, body, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client_for(alice).post("/api/v1/visits/", body, format="json")
        visit = Visit.objects.get(pk=body["id"])
        receive_photos(visit)
    response = put(client_for, alice, visit, corrected(body, revision=1))
    assert response.status_code == 409
    assert (response.json()["code"], response.json()["status"]) == ("not_returned", "submitted")


def test_a_body_for_another_visit_is_a_conflict(client_for, alice, returned, body):
    response = put(client_for, alice, returned, corrected(body, revision=1, id=str(uuid.uuid4())))
    assert response.status_code == 409
    assert response.json()["code"] == "wrong_visit"


def test_an_invalid_correction_is_refused_naming_the_field(client_for, alice, returned, body):
    response = put(client_for, alice, returned, corrected(body, revision=1, wait="soon"))
    assert response.status_code == 400
    assert any(key.endswith(".value") for key in response.json()["errors"])
    returned.refresh_from_db()
    assert (returned.status, returned.revision) == (Visit.Status.RETURNED, 1)


# --- who may correct ---------------------------------------------------------------------------


def test_another_shopper_cannot_correct_the_visit(client_for, bob, returned, body):
    assert put(client_for, bob, returned, corrected(body, revision=1)).status_code == 404


def test_a_reviewer_cannot_replace_the_shoppers_body(client_for, rita, returned, body):
    assert put(client_for, rita, returned, corrected(body, revision=1)).status_code == 403


def test_an_anonymous_caller_must_sign_in_to_correct(anon, returned, body):
    assert (
        anon.put(
            f"/api/v1/visits/{returned.id}/", corrected(body, revision=1), format="json"
        ).status_code
        == 401
    )


def test_a_correction_that_drops_a_received_photo_removes_it(client_for, alice, returned, body):
    replacement = {"id": str(uuid.uuid4()), "sha256": sha256(b"retaken"), "question": "entrance"}
    response = put(client_for, alice, returned, corrected(body, revision=1, photos=[replacement]))
    assert response.status_code == 200, response.json()
    assert [str(p.id) for p in returned.photos.all()] == [replacement["id"]]


def test_a_received_photo_cannot_be_redeclared_with_other_content(
    client_for, alice, returned, body
):
    changed = [{**body["photos"][0], "sha256": sha256(b"something else")}]
    response = put(client_for, alice, returned, corrected(body, revision=1, photos=changed))
    assert response.status_code == 409
    assert response.json()["code"] == "photo_already_received"


def test_a_correction_declaring_another_visits_photo_is_a_conflict_and_changes_nothing(
    client_for, alice, east_branch, returned, body
):
    other = visit_body(AssignmentFactory(shopper=alice, branch=east_branch))
    client_for(alice).post("/api/v1/visits/", other, format="json")
    taken = other["photos"][0]
    response = put(client_for, alice, returned, corrected(body, revision=1, photos=[taken]))
    assert (response.status_code, response.json()["code"]) == (409, "photo_in_use")
    assert taken["id"] in response.json()["detail"]
    returned.refresh_from_db()
    assert (returned.revision, returned.status) == (1, Visit.Status.RETURNED)
    assert [str(p.id) for p in returned.photos.all()] == [body["photos"][0]["id"]]


def test_a_correction_clears_the_previous_revisions_checks(client_for, alice, returned, body):
    Visit.objects.filter(pk=returned.pk).update(confidence=40, flagged=True)
    assert returned.checks.exists()
    put(client_for, alice, returned, corrected(body, revision=1))
    returned.refresh_from_db()
    assert (returned.checks.count(), returned.confidence, returned.flagged) == (0, None, False)


def test_the_files_of_a_dropped_photo_are_deleted_after_the_commit(
    client_for, alice, returned, body, django_capture_on_commit_callbacks
):
    photo = returned.photos.get()
    names = [
        photo_path(returned.id, photo.id, kind) for kind in ("original", "thumb", "print", "full")
    ]
    for name in names:
        private_storage().save(name, ContentFile(b"bytes"))
    Photo.objects.filter(pk=photo.pk).update(original_name=names[0])
    replacement = {"id": str(uuid.uuid4()), "sha256": sha256(b"retaken"), "question": "entrance"}

    with django_capture_on_commit_callbacks(execute=True):
        put(client_for, alice, returned, corrected(body, revision=1, photos=[replacement]))

    assert not any(private_storage().exists(name) for name in names)


def test_a_dropped_photo_declared_again_keeps_its_files(returned):
    photo = returned.photos.get()
    name = photo_path(returned.id, photo.id, "thumb")
    private_storage().save(name, ContentFile(b"bytes"))

    photo_files_delete_handle(key=str(photo.id), payload={"names": [name]})

    assert private_storage().exists(name)
