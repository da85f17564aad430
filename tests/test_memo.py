"""reports.selectors.memo: a kept report is named by what its rows depend on of the
reader (their scope) and holds one stamp's table at a time."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from accounts.scope import Scope
from reports.selectors.memo import MemoKey, memoised, reader_key


def test_head_office_reads_the_company(hank):
    assert reader_key(hank, None) == "company"


def test_head_office_asking_for_a_region_reads_that_region(hank, east):
    assert reader_key(hank, east) == f"company:region-{east.pk}"


def test_a_regional_manager_reads_their_regions(erin, east):
    assert reader_key(erin, None) == f"regions-{east.pk}"


def test_managers_of_other_regions_read_apart(erin, wes):
    assert reader_key(erin, None) != reader_key(wes, None)


def test_a_shoppers_report_is_never_kept(alice):
    assert reader_key(alice, None) is None


def test_a_system_scope_reads_the_company():
    assert reader_key(Scope.company(), None) == "company"


@pytest.mark.django_db
def test_a_kept_value_is_built_once_per_stamp():
    built = []

    def build():
        built.append(1)
        return "table"

    memoised(MemoKey("report:company", "s1"), build)
    memoised(MemoKey("report:company", "s1"), build)

    assert built == [1]


@pytest.mark.django_db
def test_the_value_kept_under_an_earlier_stamp_is_deleted_when_a_new_one_is_kept():
    memoised(MemoKey("report:company", "s1"), lambda: "old table")

    memoised(MemoKey("report:company", "s2"), lambda: "new table")

    assert cache.get(MemoKey("report:company", "s1").key) is None
    assert cache.get(MemoKey("report:company", "s2").key) == "new table"


@pytest.mark.django_db
def test_other_names_keep_their_values():
    memoised(MemoKey("report:company", "s1"), lambda: "company")

    memoised(MemoKey("report:regions-1", "s2"), lambda: "region")

    assert cache.get(MemoKey("report:company", "s1").key) == "company"
