"""The comparison's section columns come from the versions the period's visits used,
so publishing a new version never changes a past period's table."""

from __future__ import annotations

import pytest

from checklists.models import ChecklistVersion, Section
from checklists.services import checklist_version_new_draft, checklist_version_publish
from reports.periods import month
from reports.selectors.scorecard import scorecard_data
from tests.factories import ItemFactory, SectionFactory
from tests.report_data import report_checklist, visit

URL = "/api/v1/reports/comparison/"
OCTOBER = {"checklist": "branch-visit", "period": "2026-10"}


@pytest.fixture(autouse=True)
def rank_every_scored_branch(settings):
    settings.SMALL_SAMPLE_VISITS = 1


@pytest.fixture
def first(db):
    """Version 1 of branch-visit, sections core and env."""
    return report_checklist("branch-visit")


@pytest.fixture
def october(first, east_branch, pudong):
    visit(east_branch, first, "2026-10-05", 85.0, sections={"core": 80, "env": 90})
    visit(pudong, first, "2026-10-12", 70.0, sections={"core": 60, "env": 80})


def publish_next(source: ChecklistVersion, *, extra: str | None = None, drop: str | None = None):
    """Publish the next version of `source`'s checklist, with a section added or dropped."""
    draft = checklist_version_new_draft(source=source)
    if extra:
        section = SectionFactory(
            version=draft, code=extra, position=9, title_zh="新增", title_en="Added"
        )
        ItemFactory(section=section, code=f"{extra}-q")
    if drop:
        Section.objects.filter(version=draft, code=drop).delete()
    return checklist_version_publish(version=draft)


def headings(client, **params) -> list[str]:
    return [s["code"] for s in client.get(URL, {**OCTOBER, **params}).json()["sections"]]


def test_a_periods_table_is_the_same_after_a_version_with_another_section_is_published(
    client_for, hank, first, october
):
    client = client_for(hank)
    before = client.get(URL, OCTOBER).json()
    publish_next(first, extra="digital")
    after = client.get(URL, OCTOBER).json()
    assert after["sections"] == before["sections"]
    assert after["branches"] == before["branches"]


def test_the_csv_of_a_period_is_the_same_after_a_new_version_is_published(
    client_for, hank, first, october
):
    client = client_for(hank)
    before = client.get(URL, {**OCTOBER, "format": "csv"}).content
    publish_next(first, extra="digital")
    assert client.get(URL, {**OCTOBER, "format": "csv"}).content == before


def test_a_period_scored_against_the_new_version_gets_its_new_section(
    client_for, hank, first, east_branch
):
    second = publish_next(first, extra="digital")
    visit(east_branch, second, "2026-10-20", 88.0, sections={"core": 85, "digital": 90})
    assert headings(client_for(hank)) == ["core", "env", "digital"]


def test_a_section_the_newer_version_dropped_keeps_its_place_while_the_period_has_its_scores(
    client_for, hank, first, october, east_branch
):
    second = publish_next(first, drop="core")
    visit(east_branch, second, "2026-10-20", 88.0, sections={"env": 90})
    assert headings(client_for(hank)) == ["core", "env"]


def test_a_section_heading_takes_the_newest_used_versions_title(
    client_for, hank, first, october, east_branch
):
    draft = checklist_version_new_draft(source=first)
    Section.objects.filter(version=draft, code="env").update(title_en="Branch environment")
    second = checklist_version_publish(version=draft)
    visit(east_branch, second, "2026-10-20", 88.0, sections={"env": 90})
    sections = client_for(hank).get(URL, OCTOBER).json()["sections"]
    assert [s["title_en"] for s in sections if s["code"] == "env"] == ["Branch environment"]


def test_a_period_without_visits_is_headed_by_the_latest_published_version(
    client_for, hank, first, october
):
    publish_next(first, extra="digital")
    assert headings(client_for(hank), period="2026-12") == ["core", "env", "digital"]


def test_a_past_scorecard_keeps_its_sections_after_a_version_with_another_section_is_published(
    first, october, east_branch
):
    def section_labels():
        card = scorecard_data(
            branch=east_branch, checklist=first.checklist, period=month(2026, 10), lang="en"
        )
        return [row.label for row in card.sections]

    before = section_labels()
    publish_next(first, extra="digital")

    assert section_labels() == before
