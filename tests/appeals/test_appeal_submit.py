"""appeals.services.appeal_submit — a regional manager appeals items of an approved visit.

Within APPEAL_WINDOW_DAYS of the approval, items of the visit's checklist, each
with a category and an argument; one open appeal per visit item.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from appeals.models import Appeal, AppealItem
from appeals.services import appeal_decide, appeal_submit
from audits.models import Visit
from backend.errors import Conflict
from tests.appeal_data import appeal_item, approved_visit, submitted_appeal


@pytest.fixture
def approved(alice, east_branch, rita):
    return approved_visit(shopper=alice, branch=east_branch, reviewer=rita)


def approved_days_ago(visit: Visit, days: float) -> None:
    Visit.objects.filter(pk=visit.pk).update(reviewed_at=timezone.now() - dt.timedelta(days=days))


def errors_of(problem: ValidationError) -> dict:
    return problem.value.message_dict


def test_a_regional_manager_appeals_items_of_an_approved_visit_of_their_region(approved, erin):
    appeal = appeal_submit(
        visit=approved, by=erin, items=[appeal_item("wait"), appeal_item("attitude")]
    )

    assert (appeal.status, appeal.branch, appeal.submitted_by) == (
        "submitted",
        approved.branch,
        erin,
    )
    stored = {i.item_code: i for i in appeal.items.all()}
    assert set(stored) == {"wait", "attitude"}
    assert stored["wait"].category == "evidence_contradicts"
    assert stored["wait"].evidence == "CCTV camera 2, 10:42"
    assert stored["wait"].open is True


def test_evidence_is_optional(approved, erin):
    appeal = appeal_submit(visit=approved, by=erin, items=[appeal_item(evidence="")])

    assert appeal.items.get().evidence == ""


def test_submitting_an_appeal_leaves_the_visit_as_it_was(approved, erin):
    updated_at = approved.updated_at

    submitted_appeal(approved, erin)

    approved.refresh_from_db()
    assert (approved.score, approved.updated_at) == (Decimal("78.9"), updated_at)


def test_an_appeal_on_the_last_day_of_the_window_is_accepted(approved, erin, settings):
    settings.APPEAL_WINDOW_DAYS = 14
    approved_days_ago(approved, 13.9)

    assert submitted_appeal(approved, erin).pk


def test_an_appeal_after_the_window_is_refused_naming_the_visit(approved, erin, settings):
    settings.APPEAL_WINDOW_DAYS = 14
    approved_days_ago(approved, 14.1)

    with pytest.raises(ValidationError) as problem:
        submitted_appeal(approved, erin)

    assert list(errors_of(problem)) == ["visit"]
    assert "14 days" in errors_of(problem)["visit"][0]
    assert not Appeal.objects.exists()


@pytest.mark.parametrize("status", [Visit.Status.SUBMITTED, Visit.Status.REJECTED])
def test_a_visit_that_is_not_approved_cannot_be_appealed(approved, erin, status):
    Visit.objects.filter(pk=approved.pk).update(status=status)

    with pytest.raises(Conflict) as conflict:
        submitted_appeal(approved, erin)

    assert conflict.value.code == "not_approved"


def test_an_item_under_an_open_appeal_cannot_be_appealed_again(approved, erin):
    submitted_appeal(approved, erin, "wait")

    with pytest.raises(Conflict) as conflict:
        appeal_submit(visit=approved, by=erin, items=[appeal_item("attitude"), appeal_item("wait")])

    assert (conflict.value.code, conflict.value.extra) == ("appeal_open", {"items": ["wait"]})
    assert AppealItem.objects.filter(item_code="attitude").count() == 0


def test_another_item_of_the_same_visit_may_be_appealed_meanwhile(approved, erin):
    submitted_appeal(approved, erin, "wait")

    assert submitted_appeal(approved, erin, "attitude").pk


def test_an_item_may_be_appealed_again_once_its_appeal_is_decided(approved, erin, hank):
    first = submitted_appeal(approved, erin, "wait")
    appeal_decide(appeal=first, by=hank, outcome="rejected", reason="The recording is unclear.")

    assert submitted_appeal(approved, erin, "wait").pk


def test_every_bad_item_field_is_named_by_its_row(approved, erin):
    with pytest.raises(ValidationError) as problem:
        appeal_submit(
            visit=approved,
            by=erin,
            items=[
                appeal_item("no-such-item"),
                appeal_item("wait", category="bad_luck"),
                appeal_item("attitude", argument="   "),
                appeal_item("clean", evidence="x" * 501),
            ],
        )

    assert set(errors_of(problem)) == {
        "items[0].item_code",
        "items[1].category",
        "items[2].argument",
        "items[3].evidence",
    }


def test_an_appeal_needs_at_least_one_item(approved, erin):
    with pytest.raises(ValidationError) as problem:
        appeal_submit(visit=approved, by=erin, items=[])

    assert list(errors_of(problem)) == ["items"]


def test_the_same_item_twice_in_one_appeal_is_refused(approved, erin):
    with pytest.raises(ValidationError) as problem:
        appeal_submit(visit=approved, by=erin, items=[appeal_item("wait"), appeal_item("wait")])

    assert list(errors_of(problem)) == ["items[1].item_code"]


def test_an_unscored_item_cannot_be_appealed(approved, erin):
    with pytest.raises(ValidationError) as problem:
        submitted_appeal(approved, erin, "remark")

    assert "not scored" in errors_of(problem)["items[0].item_code"][0]


def test_a_regional_manager_of_another_region_may_not_appeal(approved, wes):
    with pytest.raises(PermissionDenied):
        submitted_appeal(approved, wes)


def test_head_office_does_not_submit_appeals(approved, hank):
    with pytest.raises(PermissionDenied):
        submitted_appeal(approved, hank)
