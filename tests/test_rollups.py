"""The report roll-ups follow every change to an approved visit, in its transaction,
and `manage.py rebuild_rollups` finds and fixes any drift from the visits."""

from __future__ import annotations

import datetime as dt
import importlib
import io
from decimal import Decimal as D

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import transaction

from audits.models import Answer, ItemRollup, ScoreRollup, Visit, VisitRollup
from audits.services.amendments import visit_answer_amend
from audits.services.review import visit_answer_correct, visit_approval_withdraw, visit_review
from backend.errors import Conflict
from reports.periods import date_range, month
from reports.selectors.comparison import branch_comparison, comparison_from_visits
from reports.selectors.drivers import drivers_from_visits, score_drivers
from tests.report_data import report_checklist, submitted_visit, visit

ANSWERS = {"greet": True, "attitude": 4, "wait": 25, "clean": 6, "resolved": "follow_up"}


@pytest.fixture
def version(db):
    return report_checklist()


def approved(branch, version, on, reviewer, **answers) -> Visit:
    stored = submitted_visit(branch, version, on, {**ANSWERS, **answers})
    visit_review(visit=stored, reviewer=reviewer, decision="approve")
    stored.refresh_from_db()
    return stored


def visit_rows(grain: str = "day") -> list[tuple]:
    return list(
        VisitRollup.objects.filter(grain=grain)
        .order_by("branch", "day")
        .values_list("branch", "day", "visits", "scored", "score_total", "score_squares")
    )


def score_rows(grain: str = "day", **where) -> dict[tuple[str, str], tuple[int, D]]:
    return {
        (kind, key): (count, total)
        for kind, key, count, total in ScoreRollup.objects.filter(grain=grain, **where).values_list(
            "kind", "key", "count", "total"
        )
    }


def stored_scores(stored: Visit) -> dict[tuple[str, str], tuple[int, D]]:
    return {(s.kind, s.key): (1, s.score) for s in stored.scores.all()}


ItemSums = dict[tuple, tuple[int, int, D, D]]  # (branch, day, item code) → sums


def item_rows(grain: str = "day", **where) -> ItemSums:
    return {
        (branch, day, code): (answers, failures, total, gains)
        for branch, day, code, answers, failures, total, gains in ItemRollup.objects.filter(
            grain=grain, **where
        ).values_list(
            "branch", "day", "item_code", "answers", "failures", "score_total", "gain_total"
        )
    }


def stored_items(*visits: Visit, by_month: bool = False) -> ItemSums:
    """The visits' scored answers summed per branch, day (or month) and item, as the item
    roll-ups should be."""
    sums: ItemSums = {}
    for answer in Answer.objects.filter(visit__in=visits, score__isnull=False).select_related(
        "visit"
    ):
        day = answer.visit.visited_on.replace(day=1) if by_month else answer.visit.visited_on
        key = (answer.visit.branch_id, day, answer.item_code)
        count, failures, total, gains = sums.get(key, (0, 0, D(0), D(0)))
        sums[key] = (
            count + 1,
            failures + answer.failed,
            total + answer.score,
            gains + (answer.gain or 0),
        )
    return sums


def check(**options) -> str:
    out = io.StringIO()
    call_command("rebuild_rollups", "--check", stdout=out, **options)
    return out.getvalue()


def test_approving_a_visit_adds_its_score_square_and_detail_scores_to_its_day(
    east_branch, version, rita
):
    stored = approved(east_branch, version, "2026-10-05", rita)

    day = stored.visited_on
    assert visit_rows() == [(east_branch.pk, day, 1, 1, stored.score, stored.score**2)]
    assert score_rows() == stored_scores(stored)


def test_two_approvals_of_one_branch_and_day_add_up_in_one_row(east_branch, version, rita):
    first = approved(east_branch, version, "2026-10-05", rita)
    second = approved(east_branch, version, "2026-10-05", rita, wait=5, clean=2)

    [(_, _, visits, scored, total, squares)] = visit_rows()
    assert (visits, scored) == (2, 2)
    assert total == first.score + second.score
    assert squares == first.score**2 + second.score**2


def test_approvals_on_two_days_of_a_month_add_up_in_the_months_row(east_branch, version, rita):
    first = approved(east_branch, version, "2026-10-05", rita)
    second = approved(east_branch, version, "2026-10-28", rita, wait=5, clean=2)

    assert len(visit_rows()) == 2
    assert visit_rows("month") == [
        (
            east_branch.pk,
            dt.date(2026, 10, 1),
            2,
            2,
            first.score + second.score,
            first.score**2 + second.score**2,
        )
    ]
    assert item_rows("month") == stored_items(first, second, by_month=True)


def test_a_visit_counts_in_the_month_it_was_made(east_branch, version, rita):
    approved(east_branch, version, "2026-10-31", rita)
    approved(east_branch, version, "2026-11-01", rita)

    assert [row[1] for row in visit_rows("month")] == [dt.date(2026, 10, 1), dt.date(2026, 11, 1)]


def test_withdrawing_the_months_only_approval_deletes_its_month_rows(east_branch, version, rita):
    stored = approved(east_branch, version, "2026-10-05", rita)

    visit_approval_withdraw(visit=stored, reviewer=rita, reason="Wrong branch visited.")

    assert visit_rows("month") == []
    assert score_rows("month") == {}
    assert item_rows("month") == {}


def test_rebuild_check_reports_a_drifted_month_row(east_branch, version, rita):
    approved(east_branch, version, "2026-10-05", rita)
    ScoreRollup.objects.filter(grain="month", key="core").update(count=5)
    out = io.StringIO()

    with pytest.raises(CommandError):
        call_command("rebuild_rollups", "--check", stdout=out)

    assert "score roll-ups: 0 missing, 0 extra, 1 different" in out.getvalue()
    assert "grain=month" in out.getvalue()


def test_the_month_grain_migration_sums_the_day_rows_into_month_rows(
    east_branch, pudong, version, rita
):
    approved(east_branch, version, "2026-10-05", rita)
    approved(east_branch, version, "2026-10-20", rita, clean=1)
    approved(pudong, version, "2026-11-06", rita, attitude=None)
    expected = visit_rows("month"), score_rows("month"), item_rows("month")
    for model in (VisitRollup, ScoreRollup, ItemRollup):
        model.objects.filter(grain="month").delete()
    migration = importlib.import_module("audits.migrations.0010_rollup_month_grain")

    migration.month_rows_from_day_rows(apps, None)

    assert (visit_rows("month"), score_rows("month"), item_rows("month")) == expected
    assert "no drift" in check()


def test_a_submitted_visit_is_not_in_the_rollups(east_branch, version, rita):
    submitted_visit(east_branch, version, "2026-10-05", ANSWERS)

    assert visit_rows() == []
    assert score_rows() == {}


def test_an_approval_that_rolls_back_leaves_the_rollups_untouched(east_branch, version, rita):
    stored = submitted_visit(east_branch, version, "2026-10-05", ANSWERS)

    with pytest.raises(RuntimeError), transaction.atomic():
        visit_review(visit=stored, reviewer=rita, decision="approve")
        raise RuntimeError("the request fails after the approval")

    assert visit_rows() == []


def test_withdrawing_an_approval_takes_the_visit_and_its_emptied_rows_out(
    east_branch, version, rita
):
    kept = approved(east_branch, version, "2026-10-05", rita)
    withdrawn = approved(east_branch, version, "2026-10-05", rita, wait=5)
    alone = approved(east_branch, version, "2026-10-06", rita)

    visit_approval_withdraw(visit=withdrawn, reviewer=rita, reason="Fabricated receipts.")
    visit_approval_withdraw(visit=alone, reviewer=rita, reason="Wrong branch visited.")

    assert visit_rows() == [(east_branch.pk, kept.visited_on, 1, 1, kept.score, kept.score**2)]
    assert score_rows() == stored_scores(kept)
    withdrawn.refresh_from_db()
    assert withdrawn.status == Visit.Status.REJECTED


def test_only_an_approved_visit_can_have_its_approval_withdrawn(east_branch, version, rita):
    stored = submitted_visit(east_branch, version, "2026-10-05", ANSWERS)

    with pytest.raises(Conflict):
        visit_approval_withdraw(visit=stored, reviewer=rita, reason="Fabricated.")


def test_amending_an_approved_visit_replaces_its_old_numbers_with_the_new(
    east_branch, version, rita, hank
):
    stored = approved(east_branch, version, "2026-10-05", rita)
    old_score = stored.score

    visit_answer_amend(visit=stored, by=hank, question="wait", value=5, reason="CCTV: 5 s.")

    stored.refresh_from_db()
    assert stored.score != old_score
    assert visit_rows() == [
        (east_branch.pk, stored.visited_on, 1, 1, stored.score, stored.score**2)
    ]
    assert score_rows() == stored_scores(stored)


def test_a_reviewers_correction_counts_from_the_approval_with_the_corrected_scores(
    east_branch, version, rita
):
    stored = submitted_visit(east_branch, version, "2026-10-05", ANSWERS)
    visit_answer_correct(visit=stored, reviewer=rita, question="clean", value=1, reason="Photo.")

    visit_review(visit=stored, reviewer=rita, decision="approve")

    stored.refresh_from_db()
    assert visit_rows() == [
        (east_branch.pk, stored.visited_on, 1, 1, stored.score, stored.score**2)
    ]
    assert score_rows() == stored_scores(stored)


def test_an_inactive_branch_stays_out_of_the_comparison_read_from_rollups(
    east_branch, pudong, version, hank, rita
):
    approved(east_branch, version, "2026-10-05", rita)
    approved(pudong, version, "2026-10-05", rita)
    pudong.active = False
    pudong.save(update_fields=["active"])

    table = branch_comparison(user=hank, checklist=version.checklist, period=month(2026, 10))

    assert [row.branch_code for row in table.rows] == [east_branch.code]
    assert table == comparison_from_visits(
        user=hank, checklist=version.checklist, period=month(2026, 10)
    )


def test_rebuild_check_finds_no_drift_in_rollups_kept_by_the_services(east_branch, version, rita):
    approved(east_branch, version, "2026-10-05", rita)

    assert "no drift" in check()


def test_rebuild_check_reports_missing_extra_and_different_rows_and_exits_non_zero(
    east_branch, pudong, version, rita
):
    approved(east_branch, version, "2026-10-05", rita)
    approved(pudong, version, "2026-10-06", rita)
    VisitRollup.objects.filter(branch=pudong, grain="day").delete()  # missing
    VisitRollup.objects.filter(branch=east_branch, grain="day").update(
        score_total=D("1.0")
    )  # different
    ScoreRollup.objects.create(  # extra
        branch=pudong, checklist=version.checklist, day="2026-10-07", kind="section", key="core"
    )
    out = io.StringIO()

    with pytest.raises(CommandError) as error:
        call_command("rebuild_rollups", "--check", stdout=out)

    assert error.value.returncode == 1
    report = out.getvalue()
    assert "visit roll-ups: 1 missing, 0 extra, 1 different" in report
    assert "score roll-ups: 0 missing, 1 extra, 0 different" in report
    assert "score_total=1.0" in report
    assert (
        VisitRollup.objects.filter(branch=pudong, grain="day").count() == 0
    )  # --check changes nothing


def test_rebuild_replaces_drifted_rollups_with_the_visits_sums_and_says_what_it_fixed(
    east_branch, pudong, version, rita
):
    approved(east_branch, version, "2026-10-05", rita)
    approved(pudong, version, "2026-10-06", rita)
    expected = visit_rows(), score_rows()
    VisitRollup.objects.filter(branch=pudong, grain="day").delete()
    VisitRollup.objects.filter(branch=east_branch, grain="day").update(visits=7)
    out = io.StringIO()

    call_command("rebuild_rollups", stdout=out)

    assert "fixed 2 roll-up row(s)" in out.getvalue()
    assert (visit_rows(), score_rows()) == expected
    assert "no drift" in check()


def test_rebuild_counts_visits_stored_without_the_services(east_branch, version):
    # As data loaded before the roll-ups existed: the migration's backfill and the
    # rebuild both start from the visits.
    stored = visit(east_branch, version, "2026-10-05", 80.0, sections={"core": 75})
    VisitRollup.objects.all().delete()
    ScoreRollup.objects.all().delete()

    call_command("rebuild_rollups", stdout=io.StringIO())

    assert visit_rows() == [(east_branch.pk, stored.visited_on, 1, 1, D("80.0"), D("6400.00"))]
    month_row = (east_branch.pk, stored.visited_on.replace(day=1), 1, 1, D("80.0"), D("6400.00"))
    assert visit_rows("month") == [month_row]
    assert score_rows() == {("section", "core"): (1, D("75.0"))}


# Item roll-ups: what drivers reads


def test_approving_a_visit_adds_its_scored_answers_failures_and_gains_to_its_items_day(
    east_branch, version, rita
):
    stored = approved(east_branch, version, "2026-10-05", rita, clean=1)

    rows = item_rows()
    assert rows == stored_items(stored)
    assert rows[(east_branch.pk, stored.visited_on, "clean")][1] == 1  # failed: a failure


def test_an_na_answer_is_not_in_the_item_rollups(east_branch, version, rita):
    approved(east_branch, version, "2026-10-05", rita, attitude=None)

    assert not item_rows(item_code="attitude")


def test_two_approvals_of_one_branch_and_day_add_up_in_one_row_per_item(east_branch, version, rita):
    first = approved(east_branch, version, "2026-10-05", rita)
    second = approved(east_branch, version, "2026-10-05", rita, wait=5, clean=2)

    assert item_rows() == stored_items(first, second)
    assert ItemRollup.objects.filter(item_code="clean", grain="day").count() == 1


def test_withdrawing_an_approval_takes_its_answers_and_emptied_item_rows_out(
    east_branch, version, rita
):
    kept = approved(east_branch, version, "2026-10-05", rita)
    withdrawn = approved(east_branch, version, "2026-10-05", rita, wait=5)
    alone = approved(east_branch, version, "2026-10-06", rita)

    visit_approval_withdraw(visit=withdrawn, reviewer=rita, reason="Fabricated receipts.")
    visit_approval_withdraw(visit=alone, reviewer=rita, reason="Wrong branch visited.")

    assert item_rows() == stored_items(kept)
    assert not ItemRollup.objects.filter(day=alone.visited_on).exists()


def test_an_upheld_appeal_replaces_the_items_old_score_failure_and_gain_with_the_new(
    east_branch, version, rita, hank
):
    stored = approved(east_branch, version, "2026-10-05", rita, clean=1)
    before = item_rows(item_code="clean")

    visit_answer_amend(visit=stored, by=hank, question="clean", value=6, reason="Photo: spotless.")

    assert item_rows() == stored_items(stored)
    assert item_rows(item_code="clean") != before


def test_drivers_from_rollups_equal_drivers_from_visits_without_an_inactive_branch(
    east_branch, pudong, west_branch, version, hank, rita
):
    approved(east_branch, version, "2026-10-05", rita, clean=1)
    approved(pudong, version, "2026-10-05", rita, attitude=2)
    approved(west_branch, version, "2026-10-09", rita, wait=50)
    approved(west_branch, version, "2026-11-01", rita)  # outside the period
    pudong.active = False
    pudong.save(update_fields=["active"])

    drivers = score_drivers(user=hank, checklist=version.checklist, period=month(2026, 10))

    assert (drivers.visits, drivers.branches) == (2, 2)
    assert drivers == drivers_from_visits(
        user=hank, checklist=version.checklist, period=month(2026, 10)
    )


def test_rebuild_check_reports_missing_and_different_item_rows_and_exits_non_zero(
    east_branch, pudong, version, rita
):
    approved(east_branch, version, "2026-10-05", rita)
    approved(pudong, version, "2026-10-06", rita)
    ItemRollup.objects.filter(branch=pudong, item_code="clean", grain="day").delete()  # missing
    ItemRollup.objects.filter(branch=east_branch, item_code="wait", grain="day").update(
        failures=9
    )  # different
    out = io.StringIO()

    with pytest.raises(CommandError) as error:
        call_command("rebuild_rollups", "--check", stdout=out)

    assert error.value.returncode == 1
    report = out.getvalue()
    assert "item roll-ups: 1 missing, 0 extra, 1 different" in report
    assert "item_code=clean" in report
    assert "failures=9" in report


def test_rebuild_replaces_drifted_item_rollups_with_the_answers_sums(
    east_branch, pudong, version, rita
):
    approved(east_branch, version, "2026-10-05", rita)
    approved(pudong, version, "2026-10-06", rita)
    expected = item_rows(), item_rows("month")
    ItemRollup.objects.filter(branch=pudong).delete()
    ItemRollup.objects.create(
        branch=east_branch, checklist=version.checklist, day="2026-10-07", item_code="greet"
    )

    call_command("rebuild_rollups", stdout=io.StringIO())

    assert (item_rows(), item_rows("month")) == expected
    assert "no drift" in check()


def test_the_migration_fills_the_item_rollups_from_the_approved_visits_answers(
    east_branch, pudong, version, rita
):
    approved(east_branch, version, "2026-10-05", rita, clean=1)
    approved(pudong, version, "2026-10-06", rita, attitude=None)
    submitted_visit(pudong, version, "2026-10-06", ANSWERS)  # not approved: not counted
    expected = item_rows()
    ItemRollup.objects.filter(grain="day").delete()  # 0008 knew day rows only
    migration = importlib.import_module("audits.migrations.0008_item_rollups")

    migration.backfill(apps, None)

    assert item_rows() == expected
    assert "no drift" in check()


@pytest.mark.parametrize(
    "start, end",
    [
        ("2026-09-20", "2026-11-01"),  # days, a whole October, a day
        ("2026-09-30", "2026-10-31"),  # a day, then a whole month
        ("2026-10-01", "2026-11-01"),  # a whole month, then a day
        ("2026-10-02", "2026-10-31"),  # days only
        ("2026-09-01", "2026-11-30"),  # three whole months
    ],
)
def test_a_range_with_whole_months_and_edges_counts_each_visit_once(
    east_branch, pudong, version, hank, rita, start, end
):
    for on in ("2026-09-30", "2026-10-01", "2026-10-31", "2026-11-01"):
        approved(east_branch, version, on, rita)
        approved(pudong, version, on, rita, wait=5)
    period = date_range(dt.date.fromisoformat(start), dt.date.fromisoformat(end))

    table = branch_comparison(user=hank, checklist=version.checklist, period=period)

    assert table == comparison_from_visits(user=hank, checklist=version.checklist, period=period)
    assert score_drivers(
        user=hank, checklist=version.checklist, period=period
    ) == drivers_from_visits(user=hank, checklist=version.checklist, period=period)
