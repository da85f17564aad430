"""Action plans are opened by the outbox when a visit is approved, once each."""

from __future__ import annotations

import pytest
from django.db import transaction

from actions.models import ActionPlan
from actions.services import visit_approved_handle
from audits.services.review import visit_review
from outbox.models import Event
from outbox.services import event_enqueue, events_drain
from tests.actions.plans import CRITICAL_FAILURE, PASSING, approved_visit, today
from tests.report_data import report_checklist, visit


@pytest.fixture
def version(db):
    return report_checklist()  # expected 80.0 ± 5.0: below means under 75.0


def test_approving_a_visit_records_a_visit_approved_event(east_branch, version, rita):
    approved = approved_visit(east_branch, version, rita, drain=False)
    assert Event.objects.filter(kind="visit.approved", key=str(approved.pk)).exists()


def test_returning_a_visit_records_no_visit_approved_event(east_branch, version, rita):
    submitted = visit(east_branch, version, today(), 90, status="submitted", answers=PASSING)
    visit_review(visit=submitted, reviewer=rita, decision="return", note="Add the photo.")
    assert not Event.objects.filter(kind="visit.approved").exists()


def test_a_failed_critical_item_opens_one_plan_for_the_branch_listing_it(
    east_branch, version, rita
):
    failed = approved_visit(east_branch, version, rita, answers=CRITICAL_FAILURE)
    plan = ActionPlan.objects.get(reason=ActionPlan.Reason.CRITICAL_FAILURE)
    assert (plan.branch, plan.visit, plan.status) == (east_branch, failed, "open")
    assert plan.period == f"{failed.visited_on:%Y-%m}"
    assert [(i.item_code, i.critical) for i in plan.items.all()] == [("greet", True)]


def test_the_plan_is_opened_only_once_the_outbox_is_drained(east_branch, version, rita):
    approved_visit(east_branch, version, rita, answers=CRITICAL_FAILURE, drain=False)
    assert not ActionPlan.objects.exists()


def test_draining_the_same_approval_twice_opens_one_plan(east_branch, version, rita):
    failed = approved_visit(east_branch, version, rita, answers=CRITICAL_FAILURE)
    with transaction.atomic():
        event_enqueue(kind="visit.approved", key=str(failed.pk))  # a retry asks again
    events_drain()
    events_drain()
    assert ActionPlan.objects.filter(reason="critical_failure").count() == 1


def test_running_the_handler_twice_lists_each_item_once(east_branch, version, rita):
    failed = approved_visit(east_branch, version, rita, answers=CRITICAL_FAILURE)
    visit_approved_handle(key=str(failed.pk))
    plan = ActionPlan.objects.get(reason="critical_failure")
    assert plan.items.count() == 1


def test_a_visit_with_no_critical_failure_opens_no_critical_plan(east_branch, version, rita):
    approved_visit(east_branch, version, rita, answers={"greet": 100, "attitude": 25})
    assert not ActionPlan.objects.filter(reason="critical_failure").exists()


def test_a_period_score_below_standard_opens_one_plan_listing_the_failed_items(
    east_branch, version, rita
):
    approved_visit(east_branch, version, rita, score=60, answers={"greet": 100, "attitude": 25})
    plan = ActionPlan.objects.get(reason=ActionPlan.Reason.BELOW_STANDARD)
    assert (plan.branch, plan.visit, plan.period) == (east_branch, None, f"{today():%Y-%m}")
    assert (plan.score, plan.expected_score) == (60, 80)
    assert [(i.item_code, i.failures) for i in plan.items.all()] == [("attitude", 1)]


def test_a_second_visit_in_a_month_still_below_standard_opens_no_second_plan(
    east_branch, version, rita
):
    approved_visit(east_branch, version, rita, score=60)
    approved_visit(east_branch, version, rita, score=62)
    assert ActionPlan.objects.filter(reason="below_standard").count() == 1


def test_a_period_score_within_the_tolerance_opens_no_plan(east_branch, version, rita):
    approved_visit(east_branch, version, rita, score=75)  # the band's edge meets expectation
    assert not ActionPlan.objects.exists()


def test_the_period_score_is_the_mean_of_the_months_approved_visits(east_branch, version, rita):
    approved_visit(east_branch, version, rita, score=90)
    approved_visit(east_branch, version, rita, score=62)  # mean 76.0: meets
    assert not ActionPlan.objects.filter(reason="below_standard").exists()


def test_a_plan_is_opened_for_the_visits_branch_only(east_branch, pudong, version, rita):
    approved_visit(pudong, version, rita, score=60)
    assert list(ActionPlan.objects.values_list("branch__code", flat=True)) == ["sh-pudong"]


def test_the_handler_ignores_a_visit_that_is_not_approved(east_branch, version):
    submitted = visit(
        east_branch, version, today(), 10, status="submitted", answers=CRITICAL_FAILURE
    )
    visit_approved_handle(key=str(submitted.pk))
    assert not ActionPlan.objects.exists()
