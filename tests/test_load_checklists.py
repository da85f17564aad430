"""python manage.py load_checklists — the bundled library."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from checklists.models import Checklist, ChecklistVersion, Item, Section

pytestmark = pytest.mark.django_db


def load() -> str:
    out = StringIO()
    call_command("load_checklists", stdout=out)
    return out.getvalue()


def test_it_loads_six_published_checklists():
    load()
    assert Checklist.objects.count() == 6
    assert set(ChecklistVersion.objects.values_list("status", flat=True)) == {"published"}


def test_running_it_twice_changes_nothing():
    load()
    counts = (ChecklistVersion.objects.count(), Section.objects.count(), Item.objects.count())
    output = load()
    assert (ChecklistVersion.objects.count(), Section.objects.count(), Item.objects.count()) == counts
    assert "loaded:" not in output


def test_every_text_exists_in_both_languages():
    load()
    for item in Item.objects.all():
        assert item.text_zh and item.text_en, item.code


def test_every_scored_item_carries_a_rater_and_an_area_tag():
    load()
    scored = Item.objects.exclude(answer_type__in=["text", "photo"])
    assert not scored.filter(rater="").exists()
    assert not scored.filter(area="").exists()


def test_the_standard_visit_has_the_three_basic_actions():
    load()
    version = ChecklistVersion.objects.get(checklist__code="standard-branch-visit")
    types = set(Item.objects.filter(version=version).values_list("answer_type", flat=True))
    assert {"yes_no", "scale5", "number", "photo", "text"} <= types
    assert Item.objects.filter(version=version, critical=True).exists()
