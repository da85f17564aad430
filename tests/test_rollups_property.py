"""Property: after any history of approvals, reviewer corrections, appeal re-scores and
withdrawn approvals, the comparison read from the roll-ups equals the one computed
from the visits, for any date range, and rebuild_rollups --check finds no drift.

The whole comparison is compared: rows with their section, RATER, area and key-factor
columns (factors over both checklists that tag them) and the averages."""

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
from checklists.services import checklist_version_new_draft, checklist_version_publish
from reports.periods import date_range
from reports.selectors.comparison import branch_comparison, comparison_from_visits
from tests.factories import ItemFactory, SectionFactory
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
day = st.integers(0, DAYS - 1).map(lambda n: FIRST_DAY + dt.timedelta(days=n))
pick = st.integers(0, 1000)  # which visit an action applies to, modulo the candidates

actions = st.one_of(
    st.tuples(st.just("submit"), st.integers(0, 2), st.integers(0, 2), day, answers, st.booleans()),
    st.tuples(st.just("approve"), pick),
    st.tuples(st.just("reject"), pick),
    st.tuples(st.just("correct"), pick, change),
    st.tuples(st.just("amend"), pick, change),
    st.tuples(st.just("withdraw"), pick),
)
ranges = st.tuples(day, st.integers(0, 45)).map(
    lambda pair: date_range(pair[0], pair[0] + dt.timedelta(days=pair[1]))
)


@pytest.fixture
def versions(db):
    """Versions 1 and 2 of one checklist; 2 adds a section, so section columns vary by range.
    Third, another checklist tagging the same key factors: the factor columns sum both."""
    first = report_checklist()
    draft = checklist_version_new_draft(source=first)
    section = SectionFactory(version=draft, code="digital", position=9, title_en="Digital")
    ItemFactory(section=section, code="app")
    other = report_checklist("other-visit")
    return first, checklist_version_publish(version=draft), other


def _with(visits: list[Visit], status: str, choice: int) -> Visit | None:
    candidates = [v for v in visits if v.status == status]
    return candidates[choice % len(candidates)] if candidates else None


def _play(history, *, branches, versions, reviewer, manager) -> None:
    visits: list[Visit] = []
    for action, *args in history:
        if action == "submit":
            branch, version, on, given_answers, app = args
            version = versions[version]
            extra = {"app": app} if version.pk == versions[1].pk else {}
            visits.append(
                submitted_visit(branches[branch], version, on, {**given_answers, **extra})
            )
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
@given(history=st.lists(actions, min_size=1, max_size=14), periods=st.lists(ranges, max_size=3))
def test_the_comparison_from_rollups_equals_the_one_from_visits_after_any_history(
    versions, east_branch, pudong, west_branch, rita, hank, erin, history, periods
):
    checklist = versions[0].checklist
    with transaction.atomic():
        _play(
            history,
            branches=[east_branch, pudong, west_branch],
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

        out = io.StringIO()
        call_command("rebuild_rollups", "--check", stdout=out)  # raises on drift
        assert "no drift" in out.getvalue()
        transaction.set_rollback(True)
