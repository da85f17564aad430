"""One draft per checklist at a time, and only the newest draft can be published."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from checklists.models import ChecklistVersion
from checklists.services import checklist_version_new_draft
from tests.factories import VersionFactory, small_checklist


@pytest.fixture
def published(db):
    return small_checklist()


def drafts_of(version: ChecklistVersion) -> list[int]:
    return list(
        ChecklistVersion.objects.filter(checklist=version.checklist, status="draft").values_list(
            "number", flat=True
        )
    )


def test_a_second_draft_of_a_checklist_is_refused_with_409_naming_the_checklist(
    client_for, hank, published
):
    client = client_for(hank)
    first = client.post(f"/api/v1/checklists/{published.pk}/drafts/").json()
    response = client.post(f"/api/v1/checklists/{published.pk}/drafts/")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "draft_exists"
    assert "checklist" in body["errors"]
    assert body["draft"] == {"id": first["id"], "version": first["version"]}


def test_a_refused_second_draft_leaves_only_the_first(client_for, hank, published):
    client = client_for(hank)
    client.post(f"/api/v1/checklists/{published.pk}/drafts/")
    client.post(f"/api/v1/checklists/{published.pk}/drafts/")
    assert drafts_of(published) == [published.number + 1]


def test_a_new_draft_can_be_started_once_the_draft_is_published(client_for, hank, published):
    client = client_for(hank)
    draft_id = client.post(f"/api/v1/checklists/{published.pk}/drafts/").json()["id"]
    assert client.post(f"/api/v1/checklists/{draft_id}/publish/").status_code == 200
    response = client.post(f"/api/v1/checklists/{draft_id}/drafts/")
    assert response.status_code == 201
    assert response.json()["version"] == published.number + 2


def test_a_draft_older_than_the_newest_version_is_refused_publication(client_for, hank, published):
    draft = checklist_version_new_draft(source=published)
    # A newer version published meanwhile, as a library reload does.
    VersionFactory(checklist=published.checklist, number=draft.number + 1)
    response = client_for(hank).post(f"/api/v1/checklists/{draft.pk}/publish/")
    assert response.status_code == 409
    assert response.json()["code"] == "draft_outdated"
    assert "version" in response.json()["errors"]
    draft.refresh_from_db()
    assert draft.status == ChecklistVersion.Status.DRAFT


def test_the_newest_draft_is_published(client_for, hank, published):
    draft = checklist_version_new_draft(source=published)
    response = client_for(hank).post(f"/api/v1/checklists/{draft.pk}/publish/")
    assert response.status_code == 200
    assert response.json()["status"] == "published"


def test_the_database_refuses_a_second_draft_of_a_checklist(published):
    checklist, number = published.checklist, published.number
    VersionFactory(checklist=checklist, number=number + 1, status="draft", published_at=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        VersionFactory(checklist=checklist, number=number + 2, status="draft", published_at=None)


def test_drafts_of_different_checklists_are_independent(client_for, hank, published):
    other = small_checklist()
    client = client_for(hank)
    assert client.post(f"/api/v1/checklists/{published.pk}/drafts/").status_code == 201
    assert client.post(f"/api/v1/checklists/{other.pk}/drafts/").status_code == 201
