"""Head office's edits: drafts change, published versions are frozen."""

from __future__ import annotations

import pytest

from checklists.models import ChecklistVersion, Item
from tests.factories import small_checklist


@pytest.fixture
def published(db):
    return small_checklist()


@pytest.fixture
def draft(db):
    return small_checklist(status=ChecklistVersion.Status.DRAFT)


def test_it_refuses_to_change_a_published_version(client_for, hank, published):
    response = client_for(hank).patch(
        f"/api/v1/checklists/{published.pk}/", {"expected_score": "70.0"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "version_published"
    published.refresh_from_db()
    assert str(published.expected_score) == "80.0"


def test_it_refuses_to_change_an_item_of_a_published_version(client_for, hank, published):
    response = client_for(hank).patch(
        f"/api/v1/checklists/{published.pk}/items/greet/", {"weight": "5"}, format="json"
    )
    assert response.status_code == 409
    assert Item.objects.get(version=published, code="greet").weight == 1


def test_it_refuses_to_publish_a_version_twice(client_for, hank, published):
    assert client_for(hank).post(f"/api/v1/checklists/{published.pk}/publish/").status_code == 409


def test_head_office_changes_a_draft(client_for, hank, draft):
    response = client_for(hank).patch(
        f"/api/v1/checklists/{draft.pk}/",
        {"expected_score": "85.0", "tolerance": "3.0"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["expected_score"] == "85.0"


def test_head_office_changes_an_item_of_a_draft(client_for, hank, draft):
    response = client_for(hank).patch(
        f"/api/v1/checklists/{draft.pk}/items/attitude/",
        {"weight": "3", "critical": True},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["weight"] == "3.00"
    assert response.json()["critical"] is True


def test_it_refuses_a_bad_value_naming_the_field(client_for, hank, draft):
    response = client_for(hank).patch(
        f"/api/v1/checklists/{draft.pk}/", {"expected_score": "120"}, format="json"
    )
    assert response.status_code == 400
    assert "expected_score" in response.json()["errors"]


def test_publishing_freezes_a_draft(client_for, hank, draft):
    client = client_for(hank)
    assert client.post(f"/api/v1/checklists/{draft.pk}/publish/").json()["status"] == "published"
    assert (
        client.patch(
            f"/api/v1/checklists/{draft.pk}/", {"notes": "late edit"}, format="json"
        ).status_code
        == 409
    )


def test_a_new_draft_copies_a_published_version(client_for, hank, published):
    response = client_for(hank).post(f"/api/v1/checklists/{published.pk}/drafts/")
    assert response.status_code == 201
    new = response.json()
    assert (new["status"], new["version"]) == ("draft", published.number + 1)
    codes = [i["code"] for s in new["sections"] for i in s["items"]]
    assert codes == list(Item.objects.filter(version=published).values_list("code", flat=True))


def test_editing_the_new_draft_leaves_the_published_version_alone(client_for, hank, published):
    client = client_for(hank)
    draft_id = client.post(f"/api/v1/checklists/{published.pk}/drafts/").json()["id"]
    client.patch(
        f"/api/v1/checklists/{draft_id}/items/greet/", {"text_en": "Greeted warmly"}, format="json"
    )
    assert (
        Item.objects.get(version=published, code="greet").text_en
        == "Greeted without being prompted"
    )


def test_shoppers_may_not_change_checklists(client_for, alice, draft):
    assert (
        client_for(alice)
        .patch(f"/api/v1/checklists/{draft.pk}/", {"notes": "x"}, format="json")
        .status_code
        == 403
    )


def test_regional_managers_may_not_publish(client_for, erin, draft):
    assert client_for(erin).post(f"/api/v1/checklists/{draft.pk}/publish/").status_code == 403


def test_publishing_refuses_a_number_item_without_thresholds(client_for, hank, draft):
    Item.objects.filter(version=draft, code="wait").update(thresholds=[])
    response = client_for(hank).post(f"/api/v1/checklists/{draft.pk}/publish/")
    assert response.status_code == 400
    assert "items.wait" in response.json()["errors"]
