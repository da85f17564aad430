"""GET /api/v1/assignments/, POST /api/v1/assignments/{id}/cancel/, and expiry of assignments."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.pagination import PageNumberPagination

from audits.models import Assignment, Photo, Review, Visit
from audits.services.assignments import assignments_expire
from tests.factories import AssignmentFactory, BranchFactory

URL = "/api/v1/assignments/"


def cancel_url(assignment) -> str:
    return f"{URL}{assignment.pk}/cancel/"


def ids(response) -> list[int]:
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["results"]]


def visit_for(assignment, *, status: str, missing_photos: int = 0) -> Visit:
    """A visit as the upload stores it, in the given status, with photos still to upload."""
    now = timezone.now()
    Assignment.objects.filter(pk=assignment.pk).update(status=Assignment.Status.SUBMITTED)
    visit = Visit.objects.create(
        assignment=assignment,
        shopper=assignment.shopper,
        branch=assignment.branch,
        checklist=assignment.checklist_version.checklist,
        checklist_version=assignment.checklist_version,
        started_at=now - dt.timedelta(hours=1),
        ended_at=now,
        visited_on=timezone.localdate(),
        status=status,
        body_hash="0" * 64,
    )
    for _ in range(missing_photos):
        Photo.objects.create(
            visit=visit, item_code="entrance", sha256=hashlib.sha256(uuid.uuid4().bytes).hexdigest()
        )
    return visit


@pytest.fixture
def alices(alice, east_branch):
    return AssignmentFactory(shopper=alice, branch=east_branch, scenario="Ask for a refund.")


@pytest.fixture
def bobs(bob, west_branch):
    return AssignmentFactory(shopper=bob, branch=west_branch)


# What a shopper's phone lists.


def test_a_shopper_lists_only_their_own_assignments(client_for, alice, alices, bobs):
    assert ids(client_for(alice).get(URL)) == [alices.pk]


def test_bob_does_not_see_alices_assignments(client_for, bob, alices, bobs):
    assert alices.pk not in ids(client_for(bob).get(URL))


def test_a_shopper_gets_what_the_phone_needs_to_do_the_visit(client_for, alice, east_branch):
    assignment = AssignmentFactory(
        shopper=alice,
        branch=east_branch,
        scenario="Ask for a refund.",
        time_from=dt.time(9, 30),
        time_to=dt.time(11, 0),
    )
    (row,) = client_for(alice).get(URL).json()["results"]
    assert row["branch"] == {
        "id": east_branch.pk,
        "code": "sh-jingan",
        "name_zh": "上海静安支行",
        "name_en": "Shanghai Jing'an",
        "address_zh": east_branch.address_zh,
        "address_en": east_branch.address_en,
        "location": {"lat": 31.2304, "lng": 121.4737},
        "region": "east",
    }
    assert row["scenario"] == "Ask for a refund."
    assert (row["window_from"], row["window_to"]) == (
        str(assignment.window_from),
        str(assignment.window_to),
    )
    assert (row["time_from"], row["time_to"]) == ("09:30:00", "11:00:00")
    assert row["checklist_version"] == assignment.checklist_version_id
    assert row["status"] == "open"
    assert row["visit"] is None


def test_a_branch_without_coordinates_has_no_location(client_for, alice, east):
    branch = BranchFactory(region=east, latitude=None, longitude=None)
    AssignmentFactory(shopper=alice, branch=branch)
    (row,) = client_for(alice).get(URL).json()["results"]
    assert row["branch"]["location"] is None


@pytest.mark.parametrize("status", ["closed", "expired", "cancelled"])
def test_a_shopper_does_not_see_assignments_that_are_done_with(client_for, alice, alices, status):
    Assignment.objects.filter(pk=alices.pk).update(status=status)
    assert ids(client_for(alice).get(URL)) == []


def test_a_shopper_sees_a_submitted_assignment_whose_visit_still_lacks_photos(
    client_for, alice, alices
):
    visit = visit_for(alices, status=Visit.Status.INCOMPLETE, missing_photos=2)
    (row,) = client_for(alice).get(URL).json()["results"]
    assert row["status"] == "submitted"
    assert row["visit"]["id"] == str(visit.id)
    assert row["visit"]["status"] == "incomplete"
    assert sorted(row["visit"]["missing_photos"]) == sorted(str(p.id) for p in visit.photos.all())


def test_a_shopper_sees_a_returned_visit_with_the_reviewers_notes(client_for, alice, alices, rita):
    visit = visit_for(alices, status=Visit.Status.RETURNED)
    Visit.objects.filter(pk=visit.pk).update(
        revision=2, review_note="Please check the waiting time."
    )
    Review.objects.create(
        visit=visit,
        reviewer=rita,
        decision=Review.Decision.RETURN,
        revision=2,
        note="Please check the waiting time.",
        question_notes={"wait": "Seconds, not minutes."},
    )
    (row,) = client_for(alice).get(URL).json()["results"]
    assert row["visit"] == {
        "id": str(visit.id),
        "status": "returned",
        "revision": 2,
        "review_note": "Please check the waiting time.",
        "question_notes": {"wait": "Seconds, not minutes."},
        "missing_photos": [],
    }


@pytest.mark.parametrize("status", ["submitted", "approved", "rejected"])
def test_a_shopper_does_not_see_a_visit_that_left_their_hands(client_for, alice, alices, status):
    visit_for(alices, status=status)
    assert ids(client_for(alice).get(URL)) == []


# What the office lists.


def test_head_office_sees_every_assignment_whatever_its_status(client_for, hank, alices, bobs):
    Assignment.objects.filter(pk=bobs.pk).update(status=Assignment.Status.CLOSED)
    assert sorted(ids(client_for(hank).get(URL))) == sorted([alices.pk, bobs.pk])


def test_a_reviewer_sees_every_assignment(client_for, rita, alices, bobs):
    assert sorted(ids(client_for(rita).get(URL))) == sorted([alices.pk, bobs.pk])


def test_a_regional_manager_sees_only_their_regions_assignments(client_for, erin, alices, bobs):
    assert ids(client_for(erin).get(URL)) == [alices.pk]


def test_wes_cannot_list_easts_assignments(client_for, wes, alices, bobs):
    assert ids(client_for(wes).get(URL)) == [bobs.pk]


def test_a_regional_manager_cannot_filter_into_another_region(client_for, wes, alices):
    assert ids(client_for(wes).get(URL, {"region": "east"})) == []


def test_a_regional_manager_learns_neither_who_visits_nor_when(client_for, erin, alices):
    (row,) = client_for(erin).get(URL).json()["results"]
    assert set(row) == {
        "id",
        "status",
        "branch",
        "checklist_version",
        "channel",
        "scenario",
        "visit",
    }


def test_a_regional_manager_sees_that_a_visit_happened_not_which_visit(client_for, erin, alices):
    visit_for(alices, status=Visit.Status.SUBMITTED)
    (row,) = client_for(erin).get(URL).json()["results"]
    assert row["visit"] == {"status": "submitted"}


def test_a_regional_managers_list_is_in_branch_order_not_in_window_order(
    client_for, erin, alice, bob, east_branch, pudong
):
    in_three_days = timezone.localdate() + dt.timedelta(days=3)
    later = AssignmentFactory(shopper=alice, branch=east_branch, window_from=in_three_days)
    sooner = AssignmentFactory(shopper=bob, branch=pudong, window_from=timezone.localdate())
    assert ids(client_for(erin).get(URL)) == [later.pk, sooner.pk]  # sh-jingan before sh-pudong


@pytest.mark.parametrize("shopper", ["alice", "bob", "nobody"])
def test_a_regional_manager_filtering_by_shopper_gets_an_empty_list_whatever_the_id(
    client_for, erin, alice, bob, alices, shopper
):
    shopper_id = {"alice": alice.pk, "bob": bob.pk, "nobody": 999999}[shopper]
    response = client_for(erin).get(URL, {"shopper": shopper_id})
    assert response.json() == {"count": 0, "next": None, "previous": None, "results": []}


def test_head_office_still_filters_by_shopper(client_for, hank, alice, alices, bobs):
    assert ids(client_for(hank).get(URL, {"shopper": alice.pk})) == [alices.pk]


def test_it_filters_by_status(client_for, hank, alices, bobs):
    Assignment.objects.filter(pk=bobs.pk).update(status=Assignment.Status.EXPIRED)
    assert ids(client_for(hank).get(URL, {"status": "expired"})) == [bobs.pk]


def test_it_filters_by_branch(client_for, hank, alices, bobs, west_branch):
    assert ids(client_for(hank).get(URL, {"branch": west_branch.pk})) == [bobs.pk]


def test_it_filters_by_shopper(client_for, hank, alices, bobs, alice):
    assert ids(client_for(hank).get(URL, {"shopper": alice.pk})) == [alices.pk]


def test_it_filters_by_region(client_for, hank, alices, bobs):
    assert ids(client_for(hank).get(URL, {"region": "west"})) == [bobs.pk]


def test_the_list_is_paginated(client_for, hank, alice, east_branch, monkeypatch):
    # The paginator reads PAGE_SIZE once, at import; patch the class instead of settings.
    monkeypatch.setattr(PageNumberPagination, "page_size", 2)
    for _ in range(3):
        AssignmentFactory(shopper=alice, branch=east_branch)
    data = client_for(hank).get(URL).json()
    assert (data["count"], len(data["results"])) == (3, 2)
    assert data["next"] is not None


def test_listing_needs_a_signed_in_caller(anon):
    assert anon.get(URL).status_code == 401


# Cancelling.


def test_head_office_cancels_an_open_assignment(client_for, hank, bobs):
    response = client_for(hank).post(cancel_url(bobs))
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "cancelled"
    bobs.refresh_from_db()
    assert bobs.status == Assignment.Status.CANCELLED


def test_a_regional_manager_cancels_one_in_their_region(client_for, erin, alices):
    assert client_for(erin).post(cancel_url(alices)).status_code == 200


def test_a_regional_manager_cannot_cancel_one_in_another_region(client_for, wes, alices):
    assert client_for(wes).post(cancel_url(alices)).status_code == 404
    alices.refresh_from_db()
    assert alices.status == Assignment.Status.OPEN


def test_a_cancelled_assignment_is_shown_to_its_regional_manager_without_shopper_or_window(
    client_for, erin, alices
):
    data = client_for(erin).post(cancel_url(alices)).json()
    assert data["status"] == "cancelled"
    hidden = {"shopper", "window_from", "window_to", "time_from", "time_to", "created_at"}
    assert not hidden & set(data)


@pytest.mark.parametrize("status", ["submitted", "closed", "expired", "cancelled"])
def test_only_an_open_assignment_can_be_cancelled(client_for, hank, alices, status):
    Assignment.objects.filter(pk=alices.pk).update(status=status)
    response = client_for(hank).post(cancel_url(alices))
    assert response.status_code == 409
    assert response.json()["status"] == status


@pytest.mark.parametrize("persona", ["alice", "rita"])
def test_shoppers_and_reviewers_may_not_cancel(client_for, request, persona, alices):
    assert client_for(request.getfixturevalue(persona)).post(cancel_url(alices)).status_code == 403


def test_cancelling_an_unknown_assignment_is_not_found(client_for, hank):
    assert client_for(hank).post(f"{URL}999999/cancel/").status_code == 404


# Expiry (run daily).


def test_an_open_assignment_expires_once_its_window_has_ended(alices):
    Assignment.objects.filter(pk=alices.pk).update(
        window_to=timezone.localdate() - dt.timedelta(days=1)
    )
    assert assignments_expire(today=timezone.localdate()) == 1
    alices.refresh_from_db()
    assert alices.status == Assignment.Status.EXPIRED


def test_an_assignment_whose_window_ends_today_stays_open(alices):
    Assignment.objects.filter(pk=alices.pk).update(window_to=timezone.localdate())
    assert assignments_expire(today=timezone.localdate()) == 0
    alices.refresh_from_db()
    assert alices.status == Assignment.Status.OPEN


@pytest.mark.parametrize("status", ["submitted", "closed", "cancelled"])
def test_only_open_assignments_expire(alices, status):
    Assignment.objects.filter(pk=alices.pk).update(
        status=status, window_to=timezone.localdate() - dt.timedelta(days=3)
    )
    assert assignments_expire(today=timezone.localdate()) == 0
    alices.refresh_from_db()
    assert alices.status == status


def test_the_expire_command_expires_against_the_given_date(alices, capsys):
    call_command("expire_assignments", "--today", str(alices.window_to + dt.timedelta(days=1)))
    alices.refresh_from_db()
    assert alices.status == Assignment.Status.EXPIRED
    assert "expired 1 assignment" in capsys.readouterr().out
