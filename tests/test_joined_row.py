"""joined_row: one row with the rows its foreign keys lead to, as select_related reads them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import psycopg
import pytest
from django.db import connection, transaction
from rest_framework.authtoken.models import Token

from audits.models import Assignment, Visit
from backend.joined_row import joined_row
from tests.factories import AssignmentFactory

pytestmark = pytest.mark.django_db

RELATED = ("checklist_version", "branch__region")


@pytest.fixture
def assignment(east_branch, alice):
    east_branch.latitude, east_branch.longitude = 31.2304167, 121.4737
    east_branch.address_zh = '它\'s a "quote", a \\ backslash 🙂'
    east_branch.save()
    made = AssignmentFactory(
        branch=east_branch,
        shopper=alice,
        scenario="Ask about a 5-year deposit; 100% {json}",
        time_from=dt.time(9, 30),
        time_to=dt.time(11, 45, 30),
    )
    version = made.checklist_version
    version.expected_score, version.tolerance = Decimal("82.5"), Decimal("7.5")
    version.save()
    return made


def columns(row) -> dict:
    return {field.attname: getattr(row, field.attname) for field in row._meta.concrete_fields}


def read_by_the_orm(pk) -> Assignment:
    return Assignment.objects.select_related(*RELATED).get(pk=pk)


def test_every_column_of_every_model_equals_what_select_related_reads(assignment):
    orm, joined = (
        read_by_the_orm(assignment.pk),
        joined_row(Assignment, assignment.pk, related=RELATED),
    )
    assert columns(joined) == columns(orm)
    assert columns(joined.checklist_version) == columns(orm.checklist_version)
    assert columns(joined.branch) == columns(orm.branch)
    assert columns(joined.branch.region) == columns(orm.branch.region)


def test_the_related_rows_come_along_so_reading_them_costs_no_query(
    assignment, django_assert_num_queries
):
    joined = joined_row(Assignment, assignment.pk, related=RELATED)
    with django_assert_num_queries(0):
        assert joined.branch.region.code == assignment.branch.region.code
        assert joined.checklist_version.checklist_id == assignment.checklist_version.checklist_id


def test_the_instances_are_read_from_the_database_not_being_added(assignment):
    joined = joined_row(Assignment, assignment.pk, related=RELATED)
    states = [(m._state.adding, m._state.db) for m in (joined, joined.branch, joined.branch.region)]
    assert states == [(False, "default")] * 3


def test_a_one_to_one_key_leads_to_its_row_as_a_foreign_key_does(alice):
    key = Token.objects.create(user=alice).key
    orm, joined = (
        Token.objects.select_related("user").get(key=key),
        joined_row(Token, key, related=("user",)),
    )
    assert (columns(joined), columns(joined.user)) == (columns(orm), columns(orm.user))


def test_a_missing_row_is_none(assignment):
    assert joined_row(Assignment, assignment.pk + 1000, related=RELATED) is None


def test_only_a_non_null_foreign_key_can_be_joined(assignment):
    with pytest.raises(ValueError, match="reviewed_by"):
        joined_row(Visit, "00000000-0000-0000-0000-000000000000", related=("reviewed_by",))


@pytest.mark.django_db(transaction=True)
def test_the_lock_holds_the_rows_own_table_and_not_its_related_ones(east_branch, alice):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite locks the whole database")
    assignment = AssignmentFactory(branch=east_branch, shopper=alice)
    settings = connection.settings_dict
    other = psycopg.connect(
        host=settings["HOST"],
        port=settings["PORT"] or 5432,
        user=settings["USER"],
        dbname=settings["NAME"],
        autocommit=True,
    )
    with other, transaction.atomic():
        joined_row(Assignment, assignment.pk, related=RELATED, lock=True)
        other.execute("SET lock_timeout = '100ms'")
        other.execute("SELECT 1 FROM audits_branch WHERE id = %s FOR UPDATE", [east_branch.pk])
        with pytest.raises(psycopg.errors.LockNotAvailable):
            other.execute(
                "SELECT 1 FROM audits_assignment WHERE id = %s FOR UPDATE", [assignment.pk]
            )
