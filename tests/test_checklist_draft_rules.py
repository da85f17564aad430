"""The one-draft rule meets the library loader and the data already stored."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from backend.errors import Conflict
from checklists.models import ChecklistVersion, Item
from checklists.selectors import LIBRARY_DIR
from checklists.services import (
    checklist_load,
    checklist_version_new_draft,
    checklist_version_publish,
)


@pytest.fixture
def rater(db) -> dict:
    return json.loads((LIBRARY_DIR / "rater.json").read_text(encoding="utf-8"))


def test_a_library_reload_while_head_office_has_a_draft_open_is_published(rater):
    first, _ = checklist_load(data=rater, library_hash="first")
    draft = checklist_version_new_draft(source=first)
    loaded, created = checklist_load(data=rater, library_hash="changed")
    assert created
    assert (loaded.number, loaded.status) == (draft.number + 1, "published")


def test_a_draft_overtaken_by_a_library_reload_cannot_be_published(rater):
    first, _ = checklist_load(data=rater, library_hash="first")
    draft = checklist_version_new_draft(source=first)
    checklist_load(data=rater, library_hash="changed")
    with pytest.raises(Conflict) as refused:
        checklist_version_publish(version=draft)
    assert refused.value.code == "draft_outdated"


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_only_the_newest_draft_of_each_checklist():
    executor = MigrationExecutor(connection)
    executor.migrate([("checklists", "0001_checklist_templates_and_versions")])
    old = executor.loader.project_state(
        [("checklists", "0001_checklist_templates_and_versions")]
    ).apps
    checklist = old.get_model("checklists", "Checklist").objects.create(
        code="legacy", title_zh="旧", title_en="Legacy"
    )
    version = old.get_model("checklists", "ChecklistVersion")
    for number, status in [(1, "published"), (2, "draft"), (3, "draft")]:
        stored = version.objects.create(checklist=checklist, number=number, status=status)
        # Content to delete with the stale draft: cascades run before the constraint is added.
        section = old.get_model("checklists", "Section").objects.create(
            version=stored, code="core", title_zh="核心", title_en="Core"
        )
        old.get_model("checklists", "Item").objects.create(
            version=stored,
            section=section,
            code="q1",
            text_zh="问",
            text_en="Q",
            answer_type="yes_no",
        )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert list(
        ChecklistVersion.objects.filter(checklist__code="legacy")
        .order_by("number")
        .values_list("number", "status")
    ) == [(1, "published"), (3, "draft")]
    assert Item.objects.filter(version__checklist__code="legacy").count() == 2
