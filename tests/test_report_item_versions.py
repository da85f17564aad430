"""A past period's item rows come from the checklist versions its visits used.

The scorecard's item table and the drivers' item list name the items the
period's visits were actually asked (reports.selectors.items_used), as the
section rows and the comparison's columns already do, so publishing a new
version never changes last month's scorecard or drivers.
"""

from __future__ import annotations

import pytest

from checklists.models import ChecklistVersion, Item, Section
from checklists.services import checklist_version_new_draft, checklist_version_publish
from reports.periods import month
from reports.selectors.drivers import score_drivers
from reports.selectors.scorecard import scorecard_data
from tests.factories import ItemFactory
from tests.report_data import report_checklist, visit

OCTOBER = month(2026, 10)
NOVEMBER = month(2026, 11)
ANSWERS = {"greet": 100, "attitude": 75, "wait": 60, "clean": 80, "resolved": 100}


@pytest.fixture(autouse=True)
def rank_every_scored_branch(settings):
    settings.SMALL_SAMPLE_VISITS = 1


@pytest.fixture
def first(db):
    """Version 1 of branch-visit: the small checklist's items."""
    return report_checklist("branch-visit")


@pytest.fixture
def october(first, east_branch, pudong):
    visit(east_branch, first, "2026-10-05", 85.0, answers=ANSWERS)
    visit(pudong, first, "2026-10-12", 70.0, answers={**ANSWERS, "greet": 0})


def publish_next(source: ChecklistVersion, *, extra: str | None = None, drop: str | None = None):
    """Publish the next version of `source`'s checklist, with a scored item added or dropped."""
    draft = checklist_version_new_draft(source=source)
    if extra:
        core = Section.objects.get(version=draft, code="core")
        ItemFactory(section=core, code=extra, position=9, text_en="Smiled at the customer")
    if drop:
        Item.objects.filter(version=draft, code=drop).delete()
    return checklist_version_publish(version=draft)


def card_items(branch, version, period=OCTOBER) -> list[str]:
    card = scorecard_data(branch=branch, checklist=version.checklist, period=period, lang="en")
    return [row.code for row in card.items]


def driver_items(user, version, period=OCTOBER) -> list[str]:
    drivers = score_drivers(user=user, checklist=version.checklist, period=period)
    return sorted(driver.code for driver in drivers.items)


def test_last_months_scorecard_keeps_its_item_rows_after_a_version_with_an_extra_item(
    first, october, east_branch
):
    before = card_items(east_branch, first)
    publish_next(first, extra="smile")

    assert card_items(east_branch, first) == before
    assert "smile" not in before


def test_last_months_drivers_keep_their_items_after_a_version_with_an_extra_item(
    first, october, hank
):
    before = driver_items(hank, first)
    publish_next(first, extra="smile")

    assert driver_items(hank, first) == before
    assert "smile" not in before


def test_a_month_scored_against_the_new_version_lists_its_new_item(first, east_branch, hank):
    second = publish_next(first, extra="smile")
    visit(east_branch, second, "2026-11-05", 90.0, answers={**ANSWERS, "smile": 100})

    assert "smile" in card_items(east_branch, first, period=NOVEMBER)
    assert "smile" in driver_items(hank, first, period=NOVEMBER)


def test_an_item_a_newer_version_dropped_keeps_its_row_while_the_month_has_its_answers(
    first, october, east_branch, hank
):
    second = publish_next(first, drop="clean")
    visit(east_branch, second, "2026-10-20", 88.0, answers={"greet": 100, "attitude": 75})

    assert card_items(east_branch, first) == ["greet", "attitude", "wait", "clean", "resolved"]
    assert "clean" in driver_items(hank, first)


def test_an_item_row_keeps_the_wording_its_months_visits_were_asked(first, october, east_branch):
    draft = checklist_version_new_draft(source=first)
    Item.objects.filter(version=draft, code="greet").update(text_en="Greeted within 10 seconds")
    checklist_version_publish(version=draft)

    card = scorecard_data(branch=east_branch, checklist=first.checklist, period=OCTOBER, lang="en")

    assert [row.label for row in card.items if row.code == "greet"] == [
        "Greeted without being prompted"
    ]


def test_a_month_without_visits_lists_the_latest_published_versions_items(first, hank):
    publish_next(first, extra="smile")

    assert "smile" in driver_items(hank, first, period=NOVEMBER)
