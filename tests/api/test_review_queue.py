"""GET /api/v1/review/queue/ — submitted visits waiting for a reviewer, doubtful ones first.

The queue is where the automatic checks (audits.services.checks) surface, so the
checks' stored verdict — rows, confidence, flag — is specified here too.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from audits.models import Photo, Visit, VisitCheck
from audits.services.checks import visit_checks_run
from checklists.models import AnswerType
from tests.factories import AssignmentFactory, ItemFactory, SectionFactory, VersionFactory
from tests.visit_bodies import receive_photos, visit_body

URL = "/api/v1/review/queue/"
FAR = {"lat": 31.2404, "lng": 121.4737, "accuracy_m": 12}  # about 1.1 km north of the branch


@pytest.fixture
def submit(client_for, alice, east_branch, django_capture_on_commit_callbacks):
    """Upload a visit for a new assignment of alice's and receive its photos; checks run on commit."""

    def make(*, assignment=None, taken_at=None, phash=None, **overrides) -> Visit:
        assignment = assignment or AssignmentFactory(shopper=alice, branch=east_branch)
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for(assignment.shopper).post(
                "/api/v1/visits/", visit_body(assignment, **overrides), format="json"
            )
            assert response.status_code == 201, response.json()
            visit = Visit.objects.get(pk=response.json()["id"])
            receive_photos(visit, taken_at=taken_at, phash=phash)
        visit.refresh_from_db()
        return visit

    return make


def queue(client_for, user, **params) -> dict:
    response = client_for(user).get(URL, params)
    assert response.status_code == 200, response.json()
    return response.json()


def checks_of(visit: Visit) -> dict[str, VisitCheck]:
    return {c.code: c for c in visit.checks.all()}


# --- the checks' verdict --------------------------------------------------------------


def test_checks_wait_until_every_photo_has_arrived(
    client_for, alice, east_branch, django_capture_on_commit_callbacks
):
    assignment = AssignmentFactory(shopper=alice, branch=east_branch)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(alice).post("/api/v1/visits/", visit_body(assignment), format="json")
    visit = Visit.objects.get(pk=response.json()["id"])
    assert visit.status == Visit.Status.INCOMPLETE
    assert (visit.checks.count(), visit.confidence) == (0, None)


def test_a_visit_passing_every_check_has_full_confidence_and_keeps_the_passed_checks(submit):
    visit = submit()
    assert (visit.status, visit.confidence, visit.flagged) == (Visit.Status.SUBMITTED, 100, False)
    assert set(checks_of(visit)) == {
        "location_missing",
        "location_far",
        "location_inaccurate",
        "visit_too_short",
        "visit_outside_window",
        "photo_time_outside_visit",
        "photo_reused",
    }
    assert all(c.passed and c.penalty == 0 for c in visit.checks.all())


def test_it_flags_a_visit_far_from_the_branch(submit):
    visit = submit(location=FAR)
    check = checks_of(visit)["location_far"]
    assert (check.passed, check.penalty) == (False, 40)
    assert check.evidence["distance_m"] == pytest.approx(1112, abs=5)
    assert check.evidence["branch_lat"] == pytest.approx(31.2304)
    assert (visit.confidence, visit.flagged) == (60, True)


def test_a_short_visit_alone_lowers_confidence_to_the_threshold_without_flagging(submit):
    started = timezone.now() - dt.timedelta(hours=1)
    visit = submit(
        started_at=started.isoformat(),
        ended_at=(started + dt.timedelta(seconds=60)).isoformat(),
        taken_at=started + dt.timedelta(seconds=30),
    )
    assert checks_of(visit)["visit_too_short"].passed is False
    assert (visit.confidence, visit.flagged) == (70, False)


def test_it_flags_a_visit_once_confidence_falls_below_the_threshold(submit, settings):
    settings.REVIEW_CONFIDENCE_THRESHOLD = 71
    started = timezone.now() - dt.timedelta(hours=1)
    visit = submit(
        started_at=started.isoformat(),
        ended_at=(started + dt.timedelta(seconds=60)).isoformat(),
        taken_at=started + dt.timedelta(seconds=30),
    )
    assert (visit.confidence, visit.flagged) == (70, True)


def test_a_missing_location_costs_a_little_and_skips_the_distance_checks(submit):
    visit = submit(location=None)
    found = checks_of(visit)
    assert (found["location_missing"].passed, found["location_missing"].penalty) == (False, 10)
    assert "location_far" not in found and "location_inaccurate" not in found
    assert (visit.confidence, visit.flagged) == (90, False)


def test_it_flags_an_inaccurate_location(submit):
    visit = submit(location={"lat": 31.2304, "lng": 121.4737, "accuracy_m": 500})
    check = checks_of(visit)["location_inaccurate"]
    assert (check.passed, check.penalty, check.evidence["accuracy_m"]) == (False, 15, 500)
    assert visit.confidence == 85


def test_it_flags_a_photo_taken_days_before_the_visit(submit):
    taken = timezone.now() - dt.timedelta(days=3)
    visit = submit(taken_at=taken)
    check = checks_of(visit)["photo_time_outside_visit"]
    photo = visit.photos.get()
    assert (check.passed, check.penalty) == (False, 30)
    assert check.evidence["outside"] == [{"photo": str(photo.id), "taken_at": taken.isoformat()}]


def test_it_flags_a_visit_outside_the_assignments_hours(submit, alice, east_branch):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    started = timezone.make_aware(dt.datetime.combine(yesterday, dt.time(8, 0)))
    assignment = AssignmentFactory(
        shopper=alice, branch=east_branch, time_from=dt.time(9), time_to=dt.time(17)
    )
    visit = submit(
        assignment=assignment,
        started_at=started.isoformat(),
        ended_at=(started + dt.timedelta(minutes=20)).isoformat(),
    )
    check = checks_of(visit)["visit_outside_window"]
    assert (check.passed, check.penalty) == (False, 25)
    assert "08:00" in check.message


def test_it_flags_a_visit_outside_the_assignments_dates(submit, alice, east_branch):
    today = timezone.localdate()
    assignment = AssignmentFactory(
        shopper=alice,
        branch=east_branch,
        window_from=today + dt.timedelta(days=1),
        window_to=today + dt.timedelta(days=5),
    )
    visit = submit(assignment=assignment)
    assert checks_of(visit)["visit_outside_window"].passed is False


def test_it_flags_a_photo_reused_from_another_visit(submit, bob, east_branch):
    first = submit(phash="c3a5000000000000")
    second = submit(
        assignment=AssignmentFactory(shopper=bob, branch=east_branch), phash="c3a5000000000003"
    )
    check = checks_of(second)["photo_reused"]
    assert (check.passed, check.penalty) == (False, 50)
    assert check.evidence["matches"] == [
        {
            "photo": str(second.photos.get().id),
            "other_visit": str(first.id),
            "other_photo": str(first.photos.get().id),
            "distance": 2,
        }
    ]
    assert (second.confidence, second.flagged) == (50, True)


def test_it_does_not_call_a_different_photo_reused(submit, bob, east_branch):
    submit(phash="c3a5000000000000")
    second = submit(
        assignment=AssignmentFactory(shopper=bob, branch=east_branch), phash="c3a500000000ffff"
    )
    assert checks_of(second)["photo_reused"].passed is True


def test_it_flags_straight_lined_scale_answers(
    client_for, alice, east_branch, django_capture_on_commit_callbacks
):
    version = VersionFactory()
    section = SectionFactory(version=version)
    for n in range(5):
        ItemFactory(section=section, code=f"s{n}", position=n, answer_type=AnswerType.SCALE5)
    assignment = AssignmentFactory(shopper=alice, branch=east_branch, checklist_version=version)
    body = visit_body(
        assignment, photos=[], answers=[{"question": f"s{n}", "value": 3} for n in range(5)]
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(alice).post("/api/v1/visits/", body, format="json")
    visit = Visit.objects.get(pk=response.json()["id"])
    check = checks_of(visit)["answers_identical"]
    assert (check.passed, check.penalty, check.evidence["values"]) == (False, 20, [3])
    assert visit.confidence == 80


def test_running_the_checks_again_replaces_their_rows(submit):
    visit = submit(location=FAR)
    Photo.objects.filter(visit=visit).update(phash="")  # e.g. a photo re-processed meanwhile
    visit_checks_run(visit=visit)
    visit.refresh_from_db()
    assert "photo_reused" not in checks_of(visit)
    assert visit.checks.filter(code="location_far").count() == 1
    assert visit.confidence == 60


def test_the_visit_detail_shows_the_checks_with_their_evidence(client_for, rita, submit):
    visit = submit(location=FAR)
    data = client_for(rita).get(f"/api/v1/visits/{visit.id}/").json()
    assert (data["confidence"], data["flagged"]) == (60, True)
    far = next(c for c in data["checks"] if c["code"] == "location_far")
    assert (far["passed"], far["penalty"], far["evidence"]["limit_m"]) == (False, 40, 300)


# --- the queue ------------------------------------------------------------------------


def test_it_lists_a_submitted_visit_with_its_branch_score_and_confidence(client_for, rita, submit):
    visit = submit()
    [row] = queue(client_for, rita)["results"]
    assert row["id"] == str(visit.id)
    assert row["branch"]["code"] == "sh-jingan"
    assert row["visited_on"] == visit.visited_on.isoformat()
    assert (row["score"], row["confidence"], row["flagged"], row["failed_checks"]) == (
        "78.9",
        100,
        False,
        [],
    )


def test_a_flagged_visit_appears_in_the_queue_with_its_failed_checks(client_for, rita, submit):
    visit = submit(location=FAR)
    [row] = queue(client_for, rita)["results"]
    assert (row["id"], row["flagged"], row["confidence"]) == (str(visit.id), True, 60)
    assert [c["code"] for c in row["failed_checks"]] == ["location_far"]
    assert "from the branch" in row["failed_checks"][0]["message"]


def test_it_puts_flagged_visits_first_lowest_confidence_first_then_the_oldest_submitted(
    client_for, rita, submit
):
    old_ok = submit()
    new_ok = submit()
    doubtful = submit(location=FAR)  # 60
    worse = submit(location=FAR, taken_at=timezone.now() - dt.timedelta(days=3))  # 30
    Visit.objects.filter(pk=old_ok.pk).update(submitted_at=timezone.now() - dt.timedelta(days=2))
    Visit.objects.filter(pk=new_ok.pk).update(submitted_at=timezone.now() - dt.timedelta(days=1))
    ids = [row["id"] for row in queue(client_for, rita)["results"]]
    assert ids == [str(worse.id), str(doubtful.id), str(old_ok.id), str(new_ok.id)]


def test_it_leaves_out_incomplete_and_reviewed_visits(client_for, rita, alice, east_branch, submit):
    waiting = submit()
    approved = submit()
    Visit.objects.filter(pk=approved.pk).update(status=Visit.Status.APPROVED)
    client_for(alice).post(
        "/api/v1/visits/",
        visit_body(AssignmentFactory(shopper=alice, branch=east_branch)),
        format="json",
    )  # its photo never arrives
    assert [row["id"] for row in queue(client_for, rita)["results"]] == [str(waiting.id)]


def test_it_shows_a_visit_whose_checks_have_not_run_yet(client_for, rita, alice, east_branch):
    assignment = AssignmentFactory(shopper=alice, branch=east_branch)
    response = client_for(alice).post("/api/v1/visits/", visit_body(assignment), format="json")
    visit = Visit.objects.get(pk=response.json()["id"])
    receive_photos(visit)  # on_commit never fires here: the checks have not run
    [row] = queue(client_for, rita)["results"]
    assert (row["id"], row["confidence"], row["flagged"]) == (str(visit.id), None, False)


def test_a_visit_whose_checks_were_lost_to_a_crash_shows_as_checks_pending(
    client_for, rita, alice, east_branch, django_capture_on_commit_callbacks
):
    assignment = AssignmentFactory(shopper=alice, branch=east_branch)
    with django_capture_on_commit_callbacks(execute=False):  # killed right after the commit
        response = client_for(alice).post("/api/v1/visits/", visit_body(assignment), format="json")
        receive_photos(Visit.objects.get(pk=response.json()["id"]))
    [row] = queue(client_for, rita)["results"]
    assert (row["checks_pending"], row["confidence"], row["flagged"]) == (True, None, False)


def test_a_checked_visit_is_not_pending(client_for, rita, submit):
    submit()
    [row] = queue(client_for, rita)["results"]
    assert row["checks_pending"] is False


def test_visits_with_checks_pending_come_after_the_flagged_and_before_the_checked(
    client_for, rita, alice, east_branch, submit
):
    checked = submit()
    flagged = submit(location=FAR)
    assignment = AssignmentFactory(shopper=alice, branch=east_branch)
    response = client_for(alice).post("/api/v1/visits/", visit_body(assignment), format="json")
    pending = Visit.objects.get(pk=response.json()["id"])
    receive_photos(pending)  # no commit here, so no drain: its checks wait
    Visit.objects.filter(pk=pending.pk).update(submitted_at=timezone.now() + dt.timedelta(hours=1))
    ids = [row["id"] for row in queue(client_for, rita)["results"]]
    assert ids == [str(flagged.id), str(pending.id), str(checked.id)]


def test_it_is_paginated(client_for, rita, submit, monkeypatch):
    monkeypatch.setattr("rest_framework.pagination.PageNumberPagination.page_size", 2)
    visits = [submit() for _ in range(3)]
    first = queue(client_for, rita)
    second = queue(client_for, rita, page=2)
    assert first["count"] == 3
    assert (len(first["results"]), len(second["results"])) == (2, 1)
    assert first["next"] is not None and second["next"] is None
    seen = {row["id"] for row in first["results"] + second["results"]}
    assert seen == {str(v.id) for v in visits}


def test_head_office_sees_the_queue(client_for, hank, submit):
    submit()
    assert len(queue(client_for, hank)["results"]) == 1


def test_a_shopper_may_not_see_the_queue(client_for, alice):
    assert client_for(alice).get(URL).status_code == 403


def test_a_regional_manager_may_not_see_the_queue(client_for, erin):
    assert client_for(erin).get(URL).status_code == 403


def test_an_anonymous_caller_must_sign_in(anon):
    assert anon.get(URL).status_code == 401
