"""Property: after any history of approvals, reviewer corrections, appeal re-scores and
withdrawn approvals, the comparison and the drivers read from the roll-ups equal the
ones computed from the visits, for any date range and scope, and rebuild_rollups
--check finds no drift.

The whole comparison is compared: rows with their section, RATER, area, key-factor
(over both checklists that tag them) and BPMP columns and the averages; and the whole
drivers report: every item's counts, exact means and rates, and correlation."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audits.models import Visit
from audits.services.amendments import visit_answer_amend
from audits.services.review import visit_answer_correct, visit_approval_withdraw, visit_review
from checklists.models import Item
from checklists.services import checklist_version_new_draft, checklist_version_publish
from reports.periods import date_range, month, quarter
from reports.selectors.comparison import branch_comparison, comparison_from_visits
from reports.selectors.drivers import drivers_from_visits, score_drivers
from tests.factories import BranchFactory, ItemFactory, SectionFactory
from tests.report_data import report_checklist, submitted_visit

# 25 histories keep this file to a few seconds on a busy 2-core runner; no deadline
# because shared runners stall now and then; no .hypothesis/ directory. The db
# fixtures are set up once per test and every history is rolled back, so the
# function-scoped fixtures are shared on purpose.
HISTORIES = settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

FIRST_DAY = dt.date(2026, 9, 1)
DAYS = 92  # September to November: ranges with a previous range that has visits too

VALUES = {
    "greet": st.booleans(),
    "attitude": st.one_of(st.none(), st.integers(1, 5)),  # None: N/A
    "wait": st.integers(0, 60),
    "clean": st.integers(1, 6),
    "resolved": st.sampled_from(["on_the_spot", "follow_up", "not_resolved"]),
}
answers = st.fixed_dictionaries(VALUES)
change = st.sampled_from(sorted(VALUES)).flatmap(
    lambda code: st.tuples(st.just(code), VALUES[code])
)
# Month edges often: a day counted both in its day row and in its month row, or in neither,
# shows on the first and last days of a month.
EDGES = [dt.date(2026, m, d) for m in (9, 10, 11) for d in (1, 2)] + [
    dt.date(2026, 9, 30),
    dt.date(2026, 10, 31),
    dt.date(2026, 11, 30),
]
day = st.one_of(
    st.integers(0, DAYS - 1).map(lambda n: FIRST_DAY + dt.timedelta(days=n)),
    st.sampled_from(EDGES),
)
pick = st.integers(0, 1000)  # which visit an action applies to, modulo the candidates

# submit: branch, version, day, answers, the app item's answer (version 2), approved at once.
submits = st.tuples(
    st.just("submit"), st.integers(0, 3), st.integers(0, 2), day, answers, st.booleans()
)
# Every history starts with a few visits approved at once, so the reports often span the
# three or more branches a correlation in drivers needs.
approved_submits = submits.map(lambda submit: (*submit, True))
actions = st.one_of(
    submits.map(lambda submit: (*submit, False)),
    st.tuples(st.just("approve"), pick),
    st.tuples(st.just("reject"), pick),
    st.tuples(st.just("correct"), pick, change),
    st.tuples(st.just("amend"), pick, change),
    st.tuples(st.just("withdraw"), pick),
)
ragged = st.tuples(day, st.integers(0, 80)).map(
    lambda pair: date_range(pair[0], pair[0] + dt.timedelta(days=pair[1]))
)
# Ranges that hold whole months, read from month rows with day rows at their edges, and
# calendar periods, whose previous period is whole months too.
from_a_first = st.tuples(st.sampled_from([9, 10, 11]), st.integers(27, 80)).map(
    lambda pair: date_range(
        dt.date(2026, pair[0], 1), dt.date(2026, pair[0], 1) + dt.timedelta(days=pair[1])
    )
)
calendar = st.sampled_from([month(2026, 9), month(2026, 10), month(2026, 11), quarter(2026, 4)])
ranges = st.one_of(ragged, from_a_first, calendar)


@pytest.fixture
def versions(db):
    """Versions 1 and 2 of one checklist; 2 adds a section, so section columns vary by range,
    and a performance item, so the BPMP columns do too (1 tags all four classes, attitude
    as a reward). Third, another checklist tagging the same key factors: the factor
    columns sum both."""
    first = report_checklist()
    for code, bpmp in (("attitude", "motivation"), ("wait", "punishment")):
        Item.objects.filter(version=first, code=code).update(bpmp=bpmp)
    draft = checklist_version_new_draft(source=first)
    section = SectionFactory(version=draft, code="digital", position=9, title_en="Digital")
    ItemFactory(section=section, code="app", bpmp="performance")
    other = report_checklist("other-visit")
    return first, checklist_version_publish(version=draft), other


@pytest.fixture
def wuhou(west):
    """A fourth branch: drivers' correlations need three branches or more."""
    return BranchFactory(region=west, code="cd-wuhou")


def _with(visits: list[Visit], status: str, choice: int) -> Visit | None:
    candidates = [v for v in visits if v.status == status]
    return candidates[choice % len(candidates)] if candidates else None


def _play(history, *, branches, versions, reviewer, manager) -> None:
    visits: list[Visit] = []
    for action, *args in history:
        if action == "submit":
            branch, version, on, given_answers, app, approve = args
            version = versions[version]
            extra = {"app": app} if version.pk == versions[1].pk else {}
            visits.append(
                submitted_visit(branches[branch], version, on, {**given_answers, **extra})
            )
            if approve:
                visit_review(visit=visits[-1], reviewer=reviewer, decision="approve")
                visits[-1].refresh_from_db()
            continue
        choice, *rest = args
        status = Visit.Status.APPROVED if action in ("amend", "withdraw") else "submitted"
        target = _with(visits, status, choice)
        if target is None:
            continue
        try:
            if action == "approve":
                visit_review(visit=target, reviewer=reviewer, decision="approve")
            elif action == "reject":
                visit_review(visit=target, reviewer=reviewer, decision="reject", note="No.")
            elif action == "correct":
                (code, value) = rest[0]
                visit_answer_correct(
                    visit=target,
                    reviewer=reviewer,
                    question=code,
                    value=value,
                    na=value is None,
                    reason="Photo.",
                )
            elif action == "amend":
                (code, value) = rest[0]
                visit_answer_amend(
                    visit=target,
                    by=manager,
                    question=code,
                    value=value,
                    na=value is None,
                    reason="Appeal upheld.",
                )
            elif action == "withdraw":
                visit_approval_withdraw(visit=target, reviewer=reviewer, reason="Fabricated.")
        except ValidationError:
            pass  # the drawn answer already is the answer: nothing changes
        target.refresh_from_db()


@HISTORIES
@given(
    start=st.lists(approved_submits, min_size=3, max_size=6),
    history=st.lists(actions, min_size=1, max_size=14),
    periods=st.lists(ranges, max_size=3),
)
def test_the_reports_from_rollups_equal_the_ones_from_visits_after_any_history(
    versions, east_branch, pudong, west_branch, wuhou, rita, hank, erin, start, history, periods
):
    checklist = versions[0].checklist
    with transaction.atomic():
        _play(
            [*start, *history],
            branches=[east_branch, pudong, west_branch, wuhou],
            versions=versions,
            reviewer=rita,
            manager=hank,
        )
        # Always the whole span too, so every history is compared at least once.
        for period in [date_range(FIRST_DAY, FIRST_DAY + dt.timedelta(days=DAYS)), *periods]:
            for user, region in ((hank, None), (erin, None), (hank, west_branch.region)):
                fast = branch_comparison(
                    user=user, checklist=checklist, period=period, region=region
                )
                slow = comparison_from_visits(
                    user=user, checklist=checklist, period=period, region=region
                )
                assert fast == slow
                drivers = score_drivers(
                    user=user, checklist=checklist, period=period, region=region
                )
                baseline = drivers_from_visits(
                    user=user, checklist=checklist, period=period, region=region
                )
                assert drivers == baseline

        out = io.StringIO()
        call_command("rebuild_rollups", "--check", stdout=out)  # raises on drift
        assert "no drift" in out.getvalue()
        transaction.set_rollback(True)
