"""reports.selectors.rows_of reads values_list() rows from the driver on PostgreSQL, and
gives exactly the tuples Django would, on either database."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db.models import Sum
from django.db.models.functions import Coalesce

from audits.models import ScoreRollup
from audits.services.review import visit_review
from reports.selectors import rows_of, score_sum
from tests.report_data import report_checklist, submitted_visit

ANSWERS = {"greet": True, "attitude": 4, "wait": 25, "clean": 6, "resolved": "follow_up"}


@pytest.fixture
def rollups(east_branch, west_branch, rita):
    version = report_checklist()
    for branch, on in (
        (east_branch, "2026-10-05"),
        (east_branch, "2026-10-20"),
        (west_branch, "2026-10-07"),
    ):
        visit_review(
            visit=submitted_visit(branch, version, on, ANSWERS), reviewer=rita, decision="approve"
        )
    return ScoreRollup.objects.filter(grain="month").values("branch", "kind", "key")


def test_rows_of_gives_the_tuples_values_list_gives(rollups):
    queryset = (
        rollups.annotate(total_sum=score_sum("total"), count_sum=Coalesce(Sum("count"), 0))
        .values_list("branch", "kind", "key", "total_sum", "count_sum")
        .order_by("branch", "kind", "key")
    )

    rows = rows_of(queryset)

    assert rows == list(queryset)
    assert all(isinstance(total, Decimal) and isinstance(count, int) for *_, total, count in rows)


def test_columns_asked_in_another_order_than_grouped_come_in_the_asked_order(rollups):
    queryset = (
        rollups.annotate(total_sum=score_sum("total"), count_sum=Coalesce(Sum("count"), 0))
        .values_list("count_sum", "branch", "total_sum", "kind", "key")
        .order_by("branch", "kind", "key")
    )

    assert rows_of(queryset) == list(queryset)
