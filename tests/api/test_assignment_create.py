"""POST /api/v1/assignments/ and /api/v1/assignments/bulk/ — planning visits."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from audits.models import Assignment, ShopperExclusion
from checklists.models import ChecklistVersion
from tests.factories import AssignmentFactory, BranchFactory, small_checklist

URL = "/api/v1/assignments/"
BULK_URL = "/api/v1/assignments/bulk/"


def days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


@pytest.fixture
def version(db):
    return small_checklist()


@pytest.fixture
def row(version, alice, east_branch):
    """A valid body for alice at East's branch, next week; override what a test needs."""

    def make(**overrides) -> dict:
        body = {
            "branch": east_branch.pk,
            "checklist_version": version.pk,
            "shopper": alice.pk,
            "scenario": "Ask for a refund.",
            "window_from": str(days(1)),
            "window_to": str(days(7)),
        }
        return {**body, **overrides}

    return make


def errors_of(response) -> dict:
    assert response.status_code == 400, response.json()
    return response.json()["errors"]


# Who may create, and where.


def test_head_office_creates_an_assignment_at_any_branch(client_for, hank, row, west_branch, alice):
    response = client_for(hank).post(URL, row(branch=west_branch.pk), format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["branch"]["id"] == west_branch.pk
    assert data["shopper"] == {"id": alice.pk, "username": "alice"}
    assert data["status"] == "open"
    assert data["visit"] is None
    assert Assignment.objects.get(pk=data["id"]).created_by == hank


def test_a_regional_manager_creates_one_in_their_own_region(client_for, erin, row, east_branch):
    response = client_for(erin).post(URL, row(), format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["branch"]["id"] == east_branch.pk


def test_a_regional_manager_cannot_create_one_in_another_region(client_for, erin, row, west_branch):
    response = client_for(erin).post(URL, row(branch=west_branch.pk), format="json")
    assert list(errors_of(response)) == ["branch"]
    assert not Assignment.objects.exists()


def test_a_regional_manager_gets_the_created_assignment_without_shopper_or_window(
    client_for, erin, row
):
    data = client_for(erin).post(URL, row(), format="json").json()
    hidden = {"shopper", "window_from", "window_to", "time_from", "time_to", "created_at"}
    assert not hidden & set(data)


def test_for_a_regional_manager_every_refusal_of_the_shopper_reads_alike(
    client_for, erin, row, alice, bob, rita, east_branch
):
    """Not a shopper, excluded, or within the rotation: the same words, naming nobody."""
    ShopperExclusion.objects.create(shopper=alice, branch=east_branch)
    AssignmentFactory(shopper=bob, branch=east_branch, window_from=days(1), window_to=days(7))
    refusals = [
        errors_of(client_for(erin).post(URL, row(shopper=shopper_id), format="json"))
        for shopper_id in [alice.pk, bob.pk, rita.pk, 999999]
    ]
    assert all(refusal == refusals[0] for refusal in refusals), refusals
    assert list(refusals[0]) == ["shopper"]
    named = ["alice", "bob", "rita", str(alice.pk), str(bob.pk)]
    assert not any(name in str(refusals[0]) for name in named)


def test_for_a_regional_manager_a_refused_shopper_is_not_reported_beside_other_errors(
    client_for, erin, row, alice, rita
):
    """Else a request that creates nothing would tell which ids are shoppers'."""
    past = {"window_from": str(days(-3)), "window_to": str(days(-1))}
    refusals = [
        errors_of(client_for(erin).post(URL, row(shopper=shopper_id, **past), format="json"))
        for shopper_id in [alice.pk, rita.pk]
    ]
    assert refusals[0] == refusals[1]
    assert "shopper" not in refusals[0]


def test_for_a_regional_manager_a_batch_does_not_say_which_rows_shopper_is_refused(
    client_for, erin, row, rita, bob
):
    response = client_for(erin).post(
        BULK_URL, {"assignments": [row(), row(shopper=rita.pk), row(shopper=bob.pk)]}, format="json"
    )
    assert list(errors_of(response)) == ["assignments"]
    assert not Assignment.objects.exists()


def test_for_head_office_a_refused_shopper_is_named_with_the_reason(
    client_for, hank, row, alice, east_branch
):
    ShopperExclusion.objects.create(shopper=alice, branch=east_branch)
    errors = errors_of(client_for(hank).post(URL, row(), format="json"))
    assert errors["branch"] == ["Shopper alice is excluded from branch sh-jingan."]


def test_another_regions_branch_reads_like_a_missing_one(client_for, erin, row, west_branch):
    foreign = errors_of(client_for(erin).post(URL, row(branch=west_branch.pk), format="json"))
    missing = errors_of(client_for(erin).post(URL, row(branch=999999), format="json"))
    assert foreign["branch"] == [f"No branch {west_branch.pk} in the regions you manage."]
    assert missing["branch"] == ["No branch 999999 in the regions you manage."]


@pytest.mark.parametrize("persona", ["alice", "rita"])
def test_shoppers_and_reviewers_may_not_create(client_for, request, persona, row):
    response = client_for(request.getfixturevalue(persona)).post(URL, row(), format="json")
    assert response.status_code == 403
    assert not Assignment.objects.exists()


def test_it_needs_a_signed_in_caller(anon, row):
    assert anon.post(URL, row(), format="json").status_code == 401


# What is checked.


def test_it_refuses_a_draft_checklist_version(client_for, hank, row):
    draft = small_checklist(status=ChecklistVersion.Status.DRAFT)
    response = client_for(hank).post(URL, row(checklist_version=draft.pk), format="json")
    assert list(errors_of(response)) == ["checklist_version"]


def test_it_refuses_an_unknown_checklist_version(client_for, hank, row):
    response = client_for(hank).post(URL, row(checklist_version=999999), format="json")
    assert list(errors_of(response)) == ["checklist_version"]


def test_it_refuses_a_user_who_is_not_a_shopper(client_for, hank, row, rita):
    response = client_for(hank).post(URL, row(shopper=rita.pk), format="json")
    assert list(errors_of(response)) == ["shopper"]


def test_it_refuses_an_inactive_shopper(client_for, hank, row, alice):
    alice.is_active = False
    alice.save()
    response = client_for(hank).post(URL, row(), format="json")
    assert list(errors_of(response)) == ["shopper"]


def test_it_refuses_an_excluded_branch(client_for, hank, row, alice, east_branch):
    ShopperExclusion.objects.create(
        shopper=alice, branch=east_branch, reason="Her brother works there."
    )
    errors = errors_of(client_for(hank).post(URL, row(), format="json"))
    assert list(errors) == ["branch"]
    assert "brother" not in errors["branch"][0]  # the reason is private to head office


def test_an_exclusion_binds_only_its_own_shopper(client_for, hank, row, alice, bob, east_branch):
    ShopperExclusion.objects.create(shopper=alice, branch=east_branch)
    assert client_for(hank).post(URL, row(shopper=bob.pk), format="json").status_code == 201


def test_it_refuses_an_inactive_branch(client_for, hank, row, east):
    closed = BranchFactory(region=east, active=False)
    response = client_for(hank).post(URL, row(branch=closed.pk), format="json")
    assert list(errors_of(response)) == ["branch"]


def test_it_refuses_a_window_ending_before_it_starts(client_for, hank, row):
    response = client_for(hank).post(
        URL, row(window_from=str(days(7)), window_to=str(days(6))), format="json"
    )
    assert list(errors_of(response)) == ["window_to"]


def test_it_accepts_a_one_day_window(client_for, hank, row):
    response = client_for(hank).post(
        URL, row(window_from=str(days(3)), window_to=str(days(3))), format="json"
    )
    assert response.status_code == 201, response.json()


def test_it_refuses_a_window_starting_in_the_past(client_for, hank, row):
    response = client_for(hank).post(URL, row(window_from=str(days(-1))), format="json")
    assert list(errors_of(response)) == ["window_from"]


def test_it_refuses_a_window_that_has_already_ended(client_for, hank, row):
    response = client_for(hank).post(
        URL, row(window_from=str(days(-5)), window_to=str(days(-1))), format="json"
    )
    assert set(errors_of(response)) == {"window_from", "window_to"}


def test_a_window_starting_today_is_accepted(client_for, hank, row):
    response = client_for(hank).post(
        URL, row(window_from=str(days(0)), window_to=str(days(0))), format="json"
    )
    assert response.status_code == 201, response.json()


def test_it_stores_a_time_window(client_for, hank, row):
    response = client_for(hank).post(URL, row(time_from="09:30", time_to="11:00"), format="json")
    assert response.status_code == 201, response.json()
    assert (response.json()["time_from"], response.json()["time_to"]) == ("09:30:00", "11:00:00")


@pytest.mark.parametrize(("time_from", "time_to"), [("14:00", "10:00"), ("10:00", "10:00")])
def test_it_refuses_a_time_window_that_does_not_end_after_it_starts(
    client_for, hank, row, time_from, time_to
):
    response = client_for(hank).post(URL, row(time_from=time_from, time_to=time_to), format="json")
    assert list(errors_of(response)) == ["time_to"]


def test_it_accepts_a_time_window_with_one_end_only(client_for, hank, row):
    response = client_for(hank).post(URL, row(time_from="14:00"), format="json")
    assert response.status_code == 201, response.json()


def test_it_names_every_problem_at_once(client_for, hank, row, rita):
    draft = small_checklist(status=ChecklistVersion.Status.DRAFT)
    body = row(checklist_version=draft.pk, shopper=rita.pk, window_from=str(days(-2)))
    assert set(errors_of(client_for(hank).post(URL, body, format="json"))) == {
        "checklist_version",
        "shopper",
        "window_from",
    }


def test_it_names_a_missing_field(client_for, hank, row):
    body = row()
    del body["shopper"]
    assert list(errors_of(client_for(hank).post(URL, body, format="json"))) == ["shopper"]


# Rotation: never the same branch again within ROTATION_DAYS (90) of another window.


@pytest.fixture
def visited(alice, east_branch, version):
    """alice's assignment at East's branch, its window ending today."""
    return AssignmentFactory(
        shopper=alice,
        branch=east_branch,
        checklist_version=version,
        window_from=days(-5),
        window_to=days(0),
    )


def test_it_refuses_the_same_branch_89_days_after_the_last_window(
    client_for, hank, row, visited, settings
):
    settings.ROTATION_DAYS = 90
    response = client_for(hank).post(
        URL, row(window_from=str(days(89)), window_to=str(days(95))), format="json"
    )
    errors = errors_of(response)
    assert list(errors) == ["branch"]
    assert f"assignment {visited.pk}" in errors["branch"][0]


def test_it_accepts_the_same_branch_91_days_after_the_last_window(
    client_for, hank, row, visited, settings
):
    settings.ROTATION_DAYS = 90
    response = client_for(hank).post(
        URL, row(window_from=str(days(91)), window_to=str(days(95))), format="json"
    )
    assert response.status_code == 201, response.json()


def test_it_accepts_the_same_branch_exactly_90_days_after_the_last_window(
    client_for, hank, row, visited, settings
):
    settings.ROTATION_DAYS = 90
    response = client_for(hank).post(
        URL, row(window_from=str(days(90)), window_to=str(days(95))), format="json"
    )
    assert response.status_code == 201, response.json()


def test_the_rotation_also_looks_ahead_to_planned_windows(
    client_for, hank, row, alice, east_branch, version, settings
):
    settings.ROTATION_DAYS = 90
    AssignmentFactory(
        shopper=alice,
        branch=east_branch,
        checklist_version=version,
        window_from=days(100),
        window_to=days(107),
    )
    too_close = row(window_from=str(days(5)), window_to=str(days(11)))  # 89 days before
    far_enough = row(window_from=str(days(5)), window_to=str(days(9)))  # 91 days before
    assert list(errors_of(client_for(hank).post(URL, too_close, format="json"))) == ["branch"]
    assert client_for(hank).post(URL, far_enough, format="json").status_code == 201


def test_the_rotation_period_comes_from_settings(client_for, hank, row, visited, settings):
    settings.ROTATION_DAYS = 30
    response = client_for(hank).post(
        URL, row(window_from=str(days(31)), window_to=str(days(35))), format="json"
    )
    assert response.status_code == 201, response.json()


@pytest.mark.parametrize("status", ["open", "submitted", "closed", "expired"])
def test_the_rotation_counts_every_assignment_that_was_not_cancelled(
    client_for, hank, row, visited, status
):
    Assignment.objects.filter(pk=visited.pk).update(status=status)
    response = client_for(hank).post(
        URL, row(window_from=str(days(10)), window_to=str(days(12))), format="json"
    )
    assert list(errors_of(response)) == ["branch"]


def test_a_cancelled_assignment_does_not_count_for_the_rotation(client_for, hank, row, visited):
    Assignment.objects.filter(pk=visited.pk).update(status=Assignment.Status.CANCELLED)
    response = client_for(hank).post(
        URL, row(window_from=str(days(1)), window_to=str(days(3))), format="json"
    )
    assert response.status_code == 201, response.json()


def test_the_rotation_binds_the_shopper_not_the_branch(client_for, hank, row, visited, bob):
    response = client_for(hank).post(URL, row(shopper=bob.pk), format="json")
    assert response.status_code == 201, response.json()


def test_the_rotation_binds_the_branch_not_the_region(client_for, hank, row, visited, east):
    other = BranchFactory(region=east)
    response = client_for(hank).post(URL, row(branch=other.pk), format="json")
    assert response.status_code == 201, response.json()


# Bulk: all or nothing, errors keyed by row.


def test_it_creates_every_row_of_a_batch(client_for, erin, row, bob, east):
    other = BranchFactory(region=east)
    rows = [row(), row(shopper=bob.pk), row(branch=other.pk)]
    response = client_for(erin).post(BULK_URL, {"assignments": rows}, format="json")
    assert response.status_code == 201, response.json()
    created = response.json()["assignments"]
    stored = Assignment.objects.in_bulk([a["id"] for a in created])
    assert [(stored[a["id"]].branch_id, stored[a["id"]].shopper_id) for a in created] == [
        (r["branch"], r["shopper"]) for r in rows
    ]
    assert Assignment.objects.filter(created_by=erin).count() == 3


def test_a_batch_creates_nothing_when_one_row_fails_and_names_that_row(
    client_for, erin, row, bob, west_branch
):
    rows = [row(), row(shopper=bob.pk), row(branch=west_branch.pk)]
    response = client_for(erin).post(BULK_URL, {"assignments": rows}, format="json")
    assert list(errors_of(response)) == ["assignments[2].branch"]
    assert not Assignment.objects.exists()


def test_a_batch_names_every_bad_row(client_for, hank, row, rita):
    rows = [row(shopper=rita.pk), row(), row(window_from=str(days(-1)))]
    response = client_for(hank).post(BULK_URL, {"assignments": rows}, format="json")
    assert set(errors_of(response)) == {"assignments[0].shopper", "assignments[2].window_from"}


def test_a_batch_names_the_row_of_malformed_input(client_for, hank, row):
    broken = row()
    del broken["window_to"]
    response = client_for(hank).post(BULK_URL, {"assignments": [row(), broken]}, format="json")
    assert list(errors_of(response)) == ["assignments[1].window_to"]


def test_a_batch_applies_the_rotation_between_its_own_rows(client_for, hank, row):
    rows = [
        row(window_from=str(days(1)), window_to=str(days(3))),
        row(window_from=str(days(92)), window_to=str(days(95))),
    ]  # 89 days later
    errors = errors_of(client_for(hank).post(BULK_URL, {"assignments": rows}, format="json"))
    assert list(errors) == ["assignments[1].branch"]
    assert "assignments[0]" in errors["assignments[1].branch"][0]
    assert not Assignment.objects.exists()


def test_a_batch_accepts_rows_far_enough_apart(client_for, hank, row):
    rows = [
        row(window_from=str(days(1)), window_to=str(days(3))),
        row(window_from=str(days(94)), window_to=str(days(95))),
    ]  # 91 days later
    response = client_for(hank).post(BULK_URL, {"assignments": rows}, format="json")
    assert response.status_code == 201, response.json()


def test_a_batch_checks_each_row_against_stored_assignments(client_for, hank, row, visited):
    rows = [row(shopper=visited.shopper_id)]
    errors = errors_of(client_for(hank).post(BULK_URL, {"assignments": rows}, format="json"))
    assert list(errors) == ["assignments[0].branch"]


def test_a_batch_checks_exclusions(client_for, hank, row, alice, east_branch):
    ShopperExclusion.objects.create(shopper=alice, branch=east_branch)
    errors = errors_of(client_for(hank).post(BULK_URL, {"assignments": [row()]}, format="json"))
    assert list(errors) == ["assignments[0].branch"]


def test_an_empty_batch_is_refused(client_for, hank):
    response = client_for(hank).post(BULK_URL, {"assignments": []}, format="json")
    assert list(errors_of(response)) == ["assignments"]


@pytest.mark.parametrize("persona", ["alice", "rita"])
def test_shoppers_and_reviewers_may_not_create_in_bulk(client_for, request, persona, row):
    response = client_for(request.getfixturevalue(persona)).post(
        BULK_URL, {"assignments": [row()]}, format="json"
    )
    assert response.status_code == 403
    assert not Assignment.objects.exists()


@pytest.mark.parametrize("text", ["Ask\x00", "Ask\ud800"], ids=["nul", "surrogate"])
def test_a_scenario_that_cannot_be_stored_is_refused_naming_it(client_for, hank, row, text):
    body = json.dumps(row(scenario=text))
    response = client_for(hank).post(URL, body, content_type="application/json")
    assert list(errors_of(response)) == ["scenario"]
