"""The scorecard shows the branch's open plans and whether last period's were verified.

actions.scorecard.scorecard_action_plans is the hook settings.SCORECARD_EXTRAS
names; reports words what it returns. Plans are written with the factories
where only their state matters, and through the real review, outbox and
decisions where the next visit's verdict is the point.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from actions.models import ActionPlan
from actions.scorecard import action_plans_changed, scorecard_action_plans
from actions.services import action_plan_accept, action_plan_submit
from reports.periods import Period, month
from reports.scorecard_render import render_scorecard_html
from reports.selectors.scorecard import scorecard_data
from reports.services.scorecards import scorecard_cache_key
from tests.actions.plans import CRITICAL_FAILURE, approved_visit, critical_plan, today
from tests.factories import ActionPlanFactory, ActionPlanItemFactory, BranchFactory
from tests.report_data import report_checklist

OCTOBER = month(2026, 10)
NOVEMBER = month(2026, 11)


@pytest.fixture
def version(db):
    return report_checklist()


def plan(branch, version, *, period="2026-10", items=("greet",), **fields) -> ActionPlan:
    made = ActionPlanFactory(branch=branch, checklist=version.checklist, period=period, **fields)
    for code in items:
        ActionPlanItemFactory(plan=made, item_code=code)
    return made


def facts(branch, version, period=OCTOBER, lang="en", today=dt.date(2026, 11, 5)):
    return scorecard_action_plans(
        branch=branch, checklist=version.checklist, period=period, lang=lang, today=today
    )["action_plans"]


def card(branch, version, period: Period = OCTOBER, lang="en"):
    return scorecard_data(branch=branch, checklist=version.checklist, period=period, lang=lang)


def month_after(label: str) -> Period:
    year, number = (int(part) for part in label.split("-"))
    return month(year + number // 12, number % 12 + 1)


def accept(plan, erin, hank):
    action_plan_submit(
        plan=plan,
        user=erin,
        root_cause="New teller not trained on greeting.",
        actions="Greeting drill at every morning meeting.",
        owner="Wang Li",
        due_date=today() + dt.timedelta(days=14),
    )
    return action_plan_accept(plan=plan, user=hank)


# --- open plans ------------------------------------------------------------------------------


def test_the_scorecards_hook_is_named_in_settings():
    assert "actions.scorecard.scorecard_action_plans" in settings.SCORECARD_EXTRAS


def test_the_zip_freshness_hook_is_named_in_settings():
    assert "actions.scorecard.action_plans_changed" in settings.SCORECARD_EXTRAS_CHANGED


def plans_changed(region, *, since: dt.date, today: dt.date) -> bool:
    moment = timezone.make_aware(dt.datetime.combine(since, dt.time(12)))
    ActionPlan.objects.update(updated_at=moment - dt.timedelta(hours=1))
    return action_plans_changed(region=region, since=moment, today=today)


def test_a_plan_due_today_has_not_turned_overdue_since_yesterday(east_branch, version):
    plan(east_branch, version, due_date=dt.date(2026, 11, 5))
    assert not plans_changed(
        east_branch.region, since=dt.date(2026, 11, 4), today=dt.date(2026, 11, 5)
    )


def test_a_plan_due_yesterday_has_turned_overdue_since_the_day_before(east_branch, version):
    plan(east_branch, version, due_date=dt.date(2026, 11, 4))
    assert plans_changed(east_branch.region, since=dt.date(2026, 11, 3), today=dt.date(2026, 11, 5))


def test_a_plan_already_overdue_then_has_not_changed(east_branch, version):
    plan(east_branch, version, due_date=dt.date(2026, 11, 1))
    assert not plans_changed(
        east_branch.region, since=dt.date(2026, 11, 3), today=dt.date(2026, 11, 5)
    )


def test_a_plan_saved_after_the_moment_has_changed(east_branch, version):
    made = plan(east_branch, version)
    moment = timezone.now() - dt.timedelta(minutes=5)
    made.save()
    assert action_plans_changed(region=east_branch.region, since=moment)


def test_the_card_lists_an_open_plan_with_its_month_reason_items_status_and_due_date(
    east_branch, version
):
    plan(east_branch, version, status="submitted", due_date=dt.date(2099, 1, 31))

    plans = card(east_branch, version).action_plans

    assert len(plans.open) == 1
    row = plans.open[0]
    assert (row.month, row.reason, row.items) == (
        "Oct 2026",
        "Month below standard",
        "Greeted without being prompted",
    )
    assert (row.status_label, row.due_date, row.overdue) == (
        "Submitted to head office",
        dt.date(2099, 1, 31),
        False,
    )


def test_a_plan_past_its_due_date_and_not_yet_accepted_is_marked_overdue(east_branch, version):
    plan(east_branch, version, status="submitted", due_date=dt.date(2026, 11, 1))

    assert [
        fact.overdue for fact in facts(east_branch, version, today=dt.date(2026, 11, 2)).open
    ] == [True]


def test_open_plans_are_listed_overdue_first_then_by_due_date(east_branch, version):
    plan(east_branch, version, period="2026-09", status="submitted", due_date=dt.date(2026, 12, 1))
    plan(east_branch, version, period="2026-10", status="open")
    plan(east_branch, version, period="2026-08", status="sent_back", due_date=dt.date(2026, 10, 1))
    plan(east_branch, version, period="2026-07", status="submitted", due_date=dt.date(2026, 11, 20))

    listed = facts(east_branch, version).open

    assert [(fact.month, fact.due_date) for fact in listed] == [
        ("2026-08", dt.date(2026, 10, 1)),
        ("2026-07", dt.date(2026, 11, 20)),
        ("2026-09", dt.date(2026, 12, 1)),
        ("2026-10", None),
    ]


def test_a_verified_plan_is_no_longer_listed_as_open(east_branch, version):
    plan(east_branch, version, period="2026-08", status="verified")

    assert facts(east_branch, version).open == ()


def test_a_plan_about_a_later_month_stays_off_an_earlier_card(east_branch, version):
    plan(east_branch, version, period="2026-11")

    assert facts(east_branch, version).open == ()


def test_plans_of_another_branch_or_checklist_stay_off_the_card(east_branch, pudong, version):
    plan(pudong, version)
    ActionPlanFactory(branch=east_branch, period="2026-10")  # another checklist

    assert facts(east_branch, version).open == ()


def test_a_card_lists_a_few_open_plans_and_says_how_many_more(east_branch, version):
    for number in range(1, 10):
        plan(east_branch, version, period=f"2026-{number:02d}")

    plans = card(east_branch, version).action_plans

    assert (len(plans.open), plans.more_open) == (6, 3)


def test_a_branch_without_plans_gets_a_card_that_says_so(east_branch, version):
    html = render_scorecard_html(card(east_branch, version))

    assert "No open action plans." in html
    assert "No plan about the previous period was accepted." in html


# --- last period's plans ---------------------------------------------------------------------


def test_last_periods_plan_the_next_visit_passed_is_shown_verified(
    east_branch, version, rita, erin, hank
):
    opened = critical_plan(east_branch, version, rita, on=today() - dt.timedelta(days=3))
    accept(opened, erin, hank)
    approved_visit(east_branch, version, rita)

    plans = card(east_branch, version, period=month_after(opened.period)).action_plans

    assert [row.status_label for row in plans.previous] == ["Verified by the next visit"]
    assert plans.open == ()


def test_last_periods_plan_the_next_visit_failed_again_is_shown_as_did_not_fix_once(
    east_branch, version, rita, erin, hank
):
    opened = critical_plan(east_branch, version, rita, on=today() - dt.timedelta(days=3))
    accept(opened, erin, hank)
    approved_visit(east_branch, version, rita, answers=CRITICAL_FAILURE)

    plans = card(east_branch, version, period=month_after(opened.period)).action_plans

    assert [(row.status, row.status_label) for row in plans.previous] == [
        ("did_not_fix", "Did not fix: reopened")
    ]
    # Listed once, with its outcome; the failing visit's own new plan is what is open.
    assert [row.status for row in plans.open] == ["open"]


def test_last_periods_accepted_plan_without_a_visit_since_is_awaiting_it(east_branch, version):
    plan(
        east_branch,
        version,
        period="2026-09",
        status="accepted",
        accepted_at=dt.datetime.now(dt.UTC),
    )

    plans = card(east_branch, version).action_plans

    assert [row.status_label for row in plans.previous] == ["Awaiting the next visit"]
    assert plans.previous_label == "Sep 2026"


def test_last_periods_plan_head_office_has_not_accepted_is_still_open(east_branch, version):
    plan(east_branch, version, period="2026-09", status="submitted")

    plans = card(east_branch, version).action_plans

    assert (len(plans.open), plans.previous) == (1, ())


def test_a_quarters_card_follows_up_the_plans_of_the_previous_quarter(east_branch, version):
    plan(
        east_branch,
        version,
        period="2026-08",
        status="verified",
        accepted_at=dt.datetime.now(dt.UTC),
    )

    q4 = Period(dt.date(2026, 10, 1), dt.date(2026, 12, 31), "2026-Q4", "quarter")

    assert [fact.month for fact in facts(east_branch, version, period=q4).previous] == ["2026-08"]


# --- wording and privacy ---------------------------------------------------------------------


def test_a_chinese_card_words_its_plans_in_chinese(east_branch, version):
    plan(east_branch, version, status="reopened", did_not_fix=True)

    row = card(east_branch, version, lang="zh-Hans").action_plans.open[0]

    assert (row.month, row.reason, row.items, row.status_label) == (
        "2026年10月",
        "当月得分低于标准",
        "主动问候",
        "已重开：未解决",
    )


def test_the_card_never_carries_the_date_of_the_visit_behind_a_plan_nor_its_shopper(
    east_branch, version, rita, erin, hank
):
    opened = critical_plan(east_branch, version, rita, on=today() - dt.timedelta(days=3))
    accept(opened, erin, hank)
    checking = approved_visit(east_branch, version, rita, on=today() - dt.timedelta(days=1))
    opened.refresh_from_db()
    assert opened.status == "accepted"  # the day before acceptance says nothing

    html = render_scorecard_html(card(east_branch, version, period=month_after(opened.period)))

    for visit in (opened.visit, checking):
        assert visit.visited_on.isoformat() not in html
        assert visit.shopper.username not in html


# --- the cache ---------------------------------------------------------------------------------


def test_accepting_a_plan_makes_a_new_scorecard_cache_key(east_branch, version, rita, erin, hank):
    opened = critical_plan(east_branch, version, rita)

    def key():
        return scorecard_cache_key(
            branch=east_branch,
            checklist=version.checklist,
            period=month_after(opened.period),
            lang="zh-Hans",
        )

    before = key()
    accept(opened, erin, hank)

    assert key() != before


def test_a_plan_of_another_branch_leaves_the_cache_key_alone(east_branch, version):
    elsewhere = BranchFactory(region=east_branch.region)

    def key():
        return scorecard_cache_key(
            branch=east_branch, checklist=version.checklist, period=OCTOBER, lang="en"
        )

    before = key()
    plan(elsewhere, version)

    assert key() == before
