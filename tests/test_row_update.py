"""row_update: an UPDATE of some columns of one row, as QuerySet.update stores it."""

from __future__ import annotations

import datetime as dt

import pytest

from audits.models import Assignment
from backend.row_update import row_update
from tests.factories import AssignmentFactory

pytestmark = pytest.mark.django_db

STAMP = dt.datetime(2026, 11, 3, 17, 45, 12, 345678, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def stored(pk) -> tuple:
    return Assignment.objects.filter(pk=pk).values_list("status", "updated_at", "scenario").get()


def test_the_columns_are_stored_as_update_stores_them(east_branch, alice):
    by_orm, by_row = AssignmentFactory.create_batch(2, branch=east_branch, shopper=alice)
    values = {"status": Assignment.Status.SUBMITTED, "updated_at": STAMP, "scenario": "它's 100%"}
    Assignment.objects.filter(pk=by_orm.pk).update(**values)
    row_update(Assignment, by_row.pk, **values)
    assert stored(by_row.pk) == stored(by_orm.pk)


def test_only_the_named_columns_change(east_branch, alice):
    assignment = AssignmentFactory(branch=east_branch, shopper=alice, scenario="as it was")
    row_update(Assignment, assignment.pk, status=Assignment.Status.SUBMITTED)
    assert stored(assignment.pk)[::2] == (Assignment.Status.SUBMITTED, "as it was")


def test_it_counts_the_rows_it_changed(east_branch, alice):
    assignment = AssignmentFactory(branch=east_branch, shopper=alice)
    changed = [
        row_update(Assignment, pk, status=Assignment.Status.SUBMITTED)
        for pk in (assignment.pk, assignment.pk + 1000)
    ]
    assert changed == [1, 0]


def test_a_foreign_key_may_be_named_by_its_column_attribute(east_branch, pudong, alice):
    assignment = AssignmentFactory(branch=east_branch, shopper=alice)
    row_update(Assignment, assignment.pk, branch_id=pudong.pk)
    assert Assignment.objects.get(pk=assignment.pk).branch_id == pudong.pk
