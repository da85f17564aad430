"""Channels: a checklist is shopped in the branch, by a mystery call or in writing.

Only a branch visit has a place to be at, so only a branch visit is checked for
its location and its length; the upload takes a visit without a location from
every channel, as it always has from the branch (where the check then flags it).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from audits.models import Answer, Visit, VisitCheck
from checklists.models import Channel, ChecklistVersion
from tests.factories import AssignmentFactory, small_checklist
from tests.visit_bodies import receive_photos, visit_body

VISITS_URL = "/api/v1/visits/"
FAR = {"lat": 39.9042, "lng": 116.4074, "accuracy_m": 3000}  # Beijing, far from Shanghai
PRESENCE_CHECKS = {"location_missing", "location_far", "location_inaccurate", "visit_too_short"}


def checklist_on(channel: str) -> ChecklistVersion:
    version = small_checklist()
    version.checklist.channel = channel
    version.checklist.save()
    return version


@pytest.fixture
def submit(client_for, alice, east_branch, django_capture_on_commit_callbacks):
    """Upload a visit on a checklist of `channel` and receive its photos; checks run on commit."""

    def make(channel: str, **overrides) -> Visit:
        assignment = AssignmentFactory(
            shopper=alice, branch=east_branch, checklist_version=checklist_on(channel)
        )
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for(alice).post(
                VISITS_URL, visit_body(assignment, **overrides), format="json"
            )
            assert response.status_code == 201, response.json()
            visit = Visit.objects.get(pk=response.json()["id"])
            receive_photos(visit)
        visit.refresh_from_db()
        return visit

    return make


def check_codes(visit: Visit) -> set[str]:
    return set(visit.checks.values_list("code", flat=True))


def a_minute_long() -> dict:
    started = timezone.now() - dt.timedelta(minutes=30)
    return {
        "started_at": started.isoformat(),
        "ended_at": (started + dt.timedelta(minutes=1)).isoformat(),
    }


# --- the upload ------------------------------------------------------------------------


def test_a_phone_visit_without_a_location_is_accepted(client_for, alice, east_branch):
    assignment = AssignmentFactory(
        shopper=alice, branch=east_branch, checklist_version=checklist_on(Channel.PHONE)
    )
    response = client_for(alice).post(
        VISITS_URL, visit_body(assignment, location=None), format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["location"] is None


def test_a_written_visit_may_leave_the_location_out_of_the_body(client_for, alice, east_branch):
    assignment = AssignmentFactory(
        shopper=alice, branch=east_branch, checklist_version=checklist_on(Channel.WRITTEN)
    )
    body = visit_body(assignment)
    del body["location"]
    response = client_for(alice).post(VISITS_URL, body, format="json")
    assert response.status_code == 201, response.json()


def test_a_branch_visit_without_a_location_is_accepted_as_before(client_for, alice, east_branch):
    assignment = AssignmentFactory(shopper=alice, branch=east_branch)
    response = client_for(alice).post(
        VISITS_URL, visit_body(assignment, location=None), format="json"
    )
    assert response.status_code == 201, response.json()


# --- the checks ------------------------------------------------------------------------


def test_a_phone_visit_without_a_location_is_not_flagged_for_it(submit):
    visit = submit(Channel.PHONE, location=None)
    assert not check_codes(visit) & PRESENCE_CHECKS
    assert (visit.confidence, visit.flagged) == (100, False)


def test_a_phone_visit_sent_from_far_away_is_not_flagged_for_distance(submit):
    visit = submit(Channel.PHONE, location=FAR)
    assert not check_codes(visit) & PRESENCE_CHECKS
    assert visit.flagged is False


def test_a_one_minute_mystery_call_is_not_too_short(submit):
    visit = submit(Channel.PHONE, location=None, **a_minute_long())
    assert "visit_too_short" not in check_codes(visit)
    assert visit.confidence == 100


def test_a_written_visit_is_not_checked_for_location_or_length(submit):
    visit = submit(Channel.WRITTEN, location=None, **a_minute_long())
    assert not check_codes(visit) & PRESENCE_CHECKS
    assert visit.confidence == 100


def test_a_phone_visit_still_gets_the_checks_that_do_not_depend_on_being_there(submit):
    visit = submit(Channel.PHONE, location=None)
    assert {"visit_outside_window", "photo_time_outside_visit", "photo_reused"} <= check_codes(
        visit
    )


def test_a_branch_visit_without_a_location_is_still_checked_for_it(submit):
    visit = submit(Channel.BRANCH, location=None)
    missing = visit.checks.get(code="location_missing")
    assert (missing.passed, missing.penalty) == (False, 10)
    assert visit.confidence == 90


def test_a_branch_visit_far_from_the_branch_is_still_flagged(submit):
    visit = submit(Channel.BRANCH, location={**FAR, "accuracy_m": 10})
    assert visit.checks.get(code="location_far").passed is False
    assert visit.flagged is True


def test_a_short_branch_visit_is_still_too_short(submit):
    visit = submit(Channel.BRANCH, **a_minute_long())
    assert visit.checks.get(code="visit_too_short").passed is False


# --- what the API says -----------------------------------------------------------------


def test_the_checklist_the_phone_downloads_names_its_channel(client_for, alice):
    version = checklist_on(Channel.PHONE)
    response = client_for(alice).get(f"/api/v1/checklists/{version.pk}/")
    assert response.status_code == 200
    assert response.json()["channel"] == "phone"


def test_the_checklist_list_names_each_versions_channel(client_for, alice):
    phone, branch = checklist_on(Channel.PHONE), checklist_on(Channel.BRANCH)
    rows = {
        row["id"]: row["channel"] for row in client_for(alice).get("/api/v1/checklists/").json()
    }
    assert (rows[phone.pk], rows[branch.pk]) == ("phone", "branch")


def test_an_assignment_has_its_checklists_channel(client_for, alice, east_branch):
    AssignmentFactory(
        shopper=alice, branch=east_branch, checklist_version=checklist_on(Channel.WRITTEN)
    )
    (row,) = client_for(alice).get("/api/v1/assignments/").json()["results"]
    assert row["channel"] == "written"


def test_the_schema_documents_the_channel_where_the_phone_reads_it(client_for, hank):
    components = client_for(hank).get("/api/schema/?format=json").json()["components"]
    schemas = components["schemas"]
    for name in ("ChecklistTreeOutput", "VersionSummaryOutput", "AssignmentOutput"):
        assert "channel" in schemas[name]["properties"], name
        assert "channel" in schemas[name]["required"], name


# --- end to end: a mystery call planned, made and reviewed -----------------------------


def answer_for(item: dict):
    """A satisfied answer to one item of the downloaded tree, as a shopper would give it."""
    kind = item["answer_type"]
    if kind == "yes_no":
        return True
    if kind == "scale5":
        return 4
    if kind == "number":
        best = max(item["thresholds"], key=lambda band: float(band["score"]))
        return float(best.get("max") or best.get("min") or 0)
    if kind == "choice":
        return item["options"][0]["value"]
    if kind == "datetime":
        return "2026-10-02T14:30"  # as the phone's date-time picker sends it
    return {"CALL_NUMBER": "021-5555 0100"}.get(item["code"], "Noted.")


def a_call_made_today() -> tuple[dt.datetime, dt.datetime]:
    """Three minutes ago, or from midnight when that was yesterday: inside a window from today."""
    now = timezone.now()
    midnight = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time()))
    started = max(now - dt.timedelta(minutes=3), midnight)
    return started, min(started + dt.timedelta(minutes=2), now)


def test_a_mystery_call_is_planned_made_and_approved_without_a_location_flag(
    client_for, hank, alice, rita, erin, east_branch, django_capture_on_commit_callbacks
):
    call_command("load_checklists", verbosity=0)
    version = ChecklistVersion.objects.get(checklist__code="phone-enquiry")

    planned = client_for(hank).post(
        "/api/v1/assignments/",
        {
            "branch": east_branch.pk,
            "checklist_version": version.pk,
            "shopper": alice.pk,
            "scenario": "Ask about a card's fees; part-way through, ask about its limits.",
            "window_from": str(timezone.localdate()),
            "window_to": str(timezone.localdate() + dt.timedelta(days=7)),
        },
        format="json",
    )
    assert planned.status_code == 201, planned.json()
    assert planned.json()["channel"] == "phone"

    phone = client_for(alice)
    (assignment,) = phone.get("/api/v1/assignments/").json()["results"]
    assert (assignment["id"], assignment["channel"]) == (planned.json()["id"], "phone")
    tree = phone.get(f"/api/v1/checklists/{version.pk}/?lang=en").json()
    assert tree["channel"] == "phone"
    answers = [
        {"question": item["code"], "value": answer_for(item)}
        for section in tree["sections"]
        for item in section["items"]
    ]
    started, ended = a_call_made_today()
    with django_capture_on_commit_callbacks(execute=True):
        uploaded = phone.post(
            VISITS_URL,
            {
                "id": "7c1e6a52-1d0c-4a55-9c59-6f0a3f1f0a10",
                "assignment": assignment["id"],
                "checklist_version": version.pk,
                "started_at": started.isoformat(),
                "ended_at": ended.isoformat(),
                "answers": answers,
            },
            format="json",
        )
    assert uploaded.status_code == 201, uploaded.json()
    assert uploaded.json()["status"] == "submitted"
    visit_id = uploaded.json()["id"]

    (queued,) = client_for(rita).get("/api/v1/review/queue/").json()["results"]
    assert (queued["id"], queued["flagged"]) == (visit_id, False)
    detail = client_for(rita).get(f"{VISITS_URL}{visit_id}/").json()
    assert not {check["code"] for check in detail["checks"]} & PRESENCE_CHECKS
    assert all(check["passed"] for check in detail["checks"])
    given = {a["question"]: a["value"] for a in detail["answers"]}
    assert (given["CALL_NUMBER"], given["CALL_TIME"]) == ("021-5555 0100", "2026-10-02T14:30")
    assert Answer.objects.get(visit_id=visit_id, item_code="CALL_TIME").score is None

    reviewed = client_for(rita).post(
        f"{VISITS_URL}{visit_id}/review/", {"decision": "approve"}, format="json"
    )
    assert reviewed.status_code == 200, reviewed.json()
    assert Visit.objects.get(pk=visit_id).status == Visit.Status.APPROVED
    assert not VisitCheck.objects.filter(visit_id=visit_id, code__in=PRESENCE_CHECKS).exists()
    # The branch's regional manager reads the call's scores, never when it was made.
    seen = client_for(erin).get(f"{VISITS_URL}{visit_id}/").json()
    assert "CALL_TIME" not in {a["question"] for a in seen["answers"]}
