"""reader_key: a kept report is named by what its rows depend on of the reader, its scope."""

from __future__ import annotations

from accounts.scope import Scope
from reports.selectors.memo import reader_key


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
