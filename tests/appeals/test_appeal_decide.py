"""appeals.services.appeal_decide — head office upholds, partially upholds or rejects an appeal.

An upheld item amends the approved visit (audits.services.amendments): the visit
is re-scored, an AnswerCorrection keeps the old score, and everything that reads
stored scores follows — the comparison's ranks, the drivers report and the
scorecard cache key. A rejected appeal changes nothing but is recorded.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from appeals.models import Appeal
from appeals.services import appeal_decide, appeal_submit
from audits.models import AnswerCorrection, Visit
from backend.errors import Conflict
from reports.periods import parse_period
from reports.scorecard_render import render_scorecard_html
from reports.selectors.comparison import branch_comparison
from reports.selectors.drivers import score_drivers
from reports.selectors.scorecard import scorecard_data
from reports.services.scorecards import scorecard_cache_key
from tests.appeal_data import appeal_item, approved_visit, submitted_appeal
from tests.report_data import visit as stored_visit

UPHOLD_WAIT = [{"item_code": "wait", "outcome": "upheld", "value": 8}]


@pytest.fixture
def approved(alice, east_branch, rita):
    """Scored 78.9; wait (60 points) corrected to 8 s scores 100 and lifts the visit to 87.8."""
    return approved_visit(shopper=alice, branch=east_branch, reviewer=rita)


@pytest.fixture
def appeal(approved, erin):
    return submitted_appeal(approved, erin, "wait")


@pytest.fixture
def month(approved):
    return parse_period(approved.visited_on.strftime("%Y-%m"), date_from=None, date_to=None)


def uphold_wait(appeal, hank) -> Appeal:
    return appeal_decide(
        appeal=appeal,
        by=hank,
        outcome="upheld",
        reason="The CCTV shows 8 seconds.",
        item_outcomes=UPHOLD_WAIT,
    )


def reject(appeal, hank) -> Appeal:
    return appeal_decide(
        appeal=appeal, by=hank, outcome="rejected", reason="The recording does not show the desk."
    )


# --- upheld --------------------------------------------------------------------------


def test_an_upheld_appeal_rescores_the_visit(appeal, approved, hank):
    uphold_wait(appeal, hank)

    approved.refresh_from_db()
    # wait 60 → 100: core (100 + 75 + 100) / 3 = 91.7; visit (2 × 91.67 + 80) / 3 = 87.8
    assert approved.score == Decimal("87.8")
    assert approved.scores.get(kind="section", key="core").score == Decimal("91.7")
    assert approved.answers.get(item_code="wait").value == 8
    assert approved.status == Visit.Status.APPROVED


def test_an_upheld_appeal_keeps_the_old_score_in_a_correction_from_the_appeal(
    appeal, approved, hank
):
    decided = uphold_wait(appeal, hank)

    item = decided.items.get()
    correction = item.correction
    assert (correction.source, correction.item_code, correction.corrected_by) == (
        AnswerCorrection.Source.APPEAL,
        "wait",
        hank,
    )
    assert (correction.old_value, correction.new_value) == (25, 8)
    assert (correction.old_visit_score, correction.new_visit_score) == (
        Decimal("78.9"),
        Decimal("87.8"),
    )
    assert f"Appeal #{appeal.pk}" in correction.reason
    assert (item.outcome, item.open, item.new_value) == ("upheld", False, 8)


def test_an_upheld_appeal_is_recorded_with_who_when_and_why(appeal, hank):
    decided = uphold_wait(appeal, hank)

    assert decided.status == "upheld"
    assert (decided.decided_by, decided.decision_reason) == (hank, "The CCTV shows 8 seconds.")
    assert decided.decided_at is not None


def test_an_upheld_item_can_become_not_applicable(approved, erin, hank):
    appeal = submitted_appeal(approved, erin, "attitude")

    appeal_decide(
        appeal=appeal,
        by=hank,
        outcome="upheld",
        reason="No staff member served: a self-service visit.",
        item_outcomes=[{"item_code": "attitude", "outcome": "upheld", "na": True}],
    )

    approved.refresh_from_db()
    # attitude leaves the average: core (100 + 60) / 2 = 80; visit (160 + 80) / 3 = 80
    assert approved.score == Decimal("80.0")
    assert approved.answers.get(item_code="attitude").na is True


def test_an_upheld_appeal_changes_the_branchs_rank_in_the_comparison(
    appeal, approved, hank, pudong, month, settings
):
    settings.SMALL_SAMPLE_VISITS = 1
    stored_visit(pudong, approved.checklist_version, approved.visited_on, 85.0)

    def ranks() -> dict[str, int | None]:
        table = branch_comparison(user=hank, checklist=approved.checklist, period=month)
        return {row.branch_code: row.rank for row in table.rows}

    assert ranks() == {"sh-pudong": 1, "sh-jingan": 2}
    uphold_wait(appeal, hank)
    assert ranks() == {"sh-jingan": 1, "sh-pudong": 2}


def test_an_upheld_appeal_moves_the_drivers_report(appeal, approved, hank, month):
    def wait_average() -> Decimal | None:
        drivers = score_drivers(user=hank, checklist=approved.checklist, period=month)
        return next(d.average for d in drivers.items if d.code == "wait")

    assert wait_average() == Decimal("60.0")
    uphold_wait(appeal, hank)
    assert wait_average() == Decimal("100.0")


def test_an_upheld_appeal_changes_the_scorecard_cache_key(appeal, approved, hank, month):
    def key() -> str:
        return scorecard_cache_key(
            branch=approved.branch, checklist=approved.checklist, period=month, lang="en"
        )

    before = key()
    uphold_wait(appeal, hank)
    assert key() != before


def test_the_scorecard_marks_the_item_an_upheld_appeal_rescored(appeal, approved, hank, month):
    def appealed() -> dict[str, int]:
        card = scorecard_data(
            branch=approved.branch, checklist=approved.checklist, period=month, lang="en"
        )
        return {row.code: row.appealed for row in card.items if row.appealed}

    assert appealed() == {}
    uphold_wait(appeal, hank)
    assert appealed() == {"wait": 1}


def test_the_scorecard_page_shows_the_appeal_mark(appeal, approved, hank, month):
    uphold_wait(appeal, hank)
    card = scorecard_data(
        branch=approved.branch, checklist=approved.checklist, period=month, lang="en"
    )

    assert "Re-scored on appeal" in render_scorecard_html(card)


def test_a_partially_upheld_appeal_amends_only_the_upheld_items(approved, erin, hank):
    appeal = submitted_appeal(approved, erin, "wait", "clean")

    decided = appeal_decide(
        appeal=appeal,
        by=hank,
        outcome="partially_upheld",
        reason="The wait is proven; the cleanliness is the shopper's judgement.",
        item_outcomes=[*UPHOLD_WAIT, {"item_code": "clean", "outcome": "rejected"}],
    )

    outcomes = {i.item_code: (i.outcome, i.correction_id is not None) for i in decided.items.all()}
    assert outcomes == {"wait": ("upheld", True), "clean": ("rejected", False)}
    assert list(AnswerCorrection.objects.values_list("item_code", flat=True)) == ["wait"]


# --- rejected ------------------------------------------------------------------------


def test_a_rejected_appeal_changes_nothing_on_the_visit(appeal, approved, hank, month):
    key = scorecard_cache_key(
        branch=approved.branch, checklist=approved.checklist, period=month, lang="en"
    )
    before = (approved.score, approved.updated_at, approved.answers.get(item_code="wait").value)

    reject(appeal, hank)

    approved.refresh_from_db()
    after = (approved.score, approved.updated_at, approved.answers.get(item_code="wait").value)
    assert after == before
    assert not AnswerCorrection.objects.exists()
    assert not any(
        row.appealed
        for row in scorecard_data(
            branch=approved.branch, checklist=approved.checklist, period=month, lang="en"
        ).items
    )
    assert (
        scorecard_cache_key(
            branch=approved.branch, checklist=approved.checklist, period=month, lang="en"
        )
        == key
    )


def test_a_rejected_appeal_is_recorded_with_who_when_and_why(appeal, hank):
    decided = reject(appeal, hank)

    assert (decided.status, decided.decided_by, decided.decision_reason) == (
        "rejected",
        hank,
        "The recording does not show the desk.",
    )
    assert [(i.outcome, i.open) for i in decided.items.all()] == [("rejected", False)]


# --- refused -------------------------------------------------------------------------


def test_upheld_means_every_item_is_upheld(approved, erin, hank):
    appeal = submitted_appeal(approved, erin, "wait", "clean")

    with pytest.raises(ValidationError) as problem:
        appeal_decide(
            appeal=appeal, by=hank, outcome="upheld", reason="Fine.", item_outcomes=UPHOLD_WAIT
        )

    assert list(problem.value.message_dict) == ["outcome"]


def test_a_rejected_appeal_upholds_no_item(appeal, hank):
    with pytest.raises(ValidationError) as problem:
        appeal_decide(
            appeal=appeal, by=hank, outcome="rejected", reason="No.", item_outcomes=UPHOLD_WAIT
        )

    assert list(problem.value.message_dict) == ["outcome"]


def test_a_decision_needs_a_reason(appeal, hank):
    with pytest.raises(ValidationError) as problem:
        appeal_decide(appeal=appeal, by=hank, outcome="rejected", reason="  ")

    assert list(problem.value.message_dict) == ["reason"]


def test_a_bad_corrected_value_is_named_by_its_row_and_nothing_changes(appeal, approved, hank):
    with pytest.raises(ValidationError) as problem:
        appeal_decide(
            appeal=appeal,
            by=hank,
            outcome="upheld",
            reason="Corrected.",
            item_outcomes=[{"item_code": "wait", "outcome": "upheld", "value": "soon"}],
        )

    assert list(problem.value.message_dict) == ["item_outcomes[0].value"]
    appeal.refresh_from_db()
    assert appeal.status == "submitted"


def test_a_value_that_already_is_the_answer_is_refused_and_rolls_back(approved, erin, hank):
    appeal = submitted_appeal(approved, erin, "clean", "wait")

    with pytest.raises(ValidationError) as problem:
        appeal_decide(
            appeal=appeal,
            by=hank,
            outcome="upheld",
            reason="Corrected.",
            item_outcomes=[
                {"item_code": "clean", "outcome": "upheld", "value": 5},
                {"item_code": "wait", "outcome": "upheld", "value": 25},
            ],
        )

    assert list(problem.value.message_dict) == ["item_outcomes[1].value"]
    # The first item's amendment went with the failed decision.
    assert not AnswerCorrection.objects.exists()
    approved.refresh_from_db()
    assert approved.score == Decimal("78.9")


def test_a_decided_appeal_cannot_be_decided_again(appeal, hank):
    reject(appeal, hank)

    with pytest.raises(Conflict) as conflict:
        uphold_wait(appeal, hank)

    assert conflict.value.code == "already_decided"
    assert not AnswerCorrection.objects.exists()


@pytest.mark.parametrize("who", ["erin", "rita"])
def test_only_head_office_decides(appeal, who, request):
    with pytest.raises(PermissionDenied):
        uphold_wait(appeal, request.getfixturevalue(who))


def test_an_item_outcome_names_an_item_of_the_appeal(appeal, hank):
    with pytest.raises(ValidationError) as problem:
        appeal_decide(
            appeal=appeal,
            by=hank,
            outcome="rejected",
            reason="No.",
            item_outcomes=[{"item_code": "greet", "outcome": "rejected"}],
        )

    assert list(problem.value.message_dict) == ["item_outcomes[0].item_code"]


def test_appeal_submit_and_decide_leave_the_visit_approved(approved, erin, hank):
    appeal = appeal_submit(visit=approved, by=erin, items=[appeal_item("wait")])
    uphold_wait(appeal, hank)

    approved.refresh_from_db()
    assert approved.status == Visit.Status.APPROVED
