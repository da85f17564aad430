"""Head office builds, previews and publishes checklists in the Django admin."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission

from checklists.models import ChecklistVersion, Item
from tests.factories import UserFactory, small_checklist


@pytest.fixture
def hq_admin(db, client):
    """hank of head office, staff with the checklist permissions, signed in to the admin."""
    group, _ = Group.objects.get_or_create(name="Head office")
    group.permissions.set(Permission.objects.filter(content_type__app_label="checklists"))
    user = UserFactory(username="hank", role="head_office", is_staff=True)
    user.groups.add(group)
    client.force_login(user)
    return client


@pytest.fixture
def draft(db):
    return small_checklist(status=ChecklistVersion.Status.DRAFT)


@pytest.fixture
def published(db):
    return small_checklist()


def test_head_office_opens_the_list_of_versions(hq_admin, draft, published):
    response = hq_admin.get("/admin/checklists/checklistversion/")
    assert response.status_code == 200
    assert b"draft" in response.content.lower()


def test_a_draft_can_be_edited_with_its_sections_inline(hq_admin, draft):
    response = hq_admin.get(f"/admin/checklists/checklistversion/{draft.pk}/change/")
    assert response.status_code == 200
    assert b'name="_save"' in response.content
    assert b"sections-TOTAL_FORMS" in response.content


def test_a_published_version_is_read_only(hq_admin, published):
    response = hq_admin.get(f"/admin/checklists/checklistversion/{published.pk}/change/")
    assert response.status_code == 200
    assert b'name="_save"' not in response.content


def test_posting_a_change_to_a_published_version_is_refused(hq_admin, published):
    response = hq_admin.post(
        f"/admin/checklists/checklistversion/{published.pk}/change/", {"expected_score": "10"}
    )
    assert response.status_code == 403
    published.refresh_from_db()
    assert str(published.expected_score) == "80.0"


def test_an_item_of_a_published_version_cannot_be_changed(hq_admin, published):
    item = Item.objects.filter(version=published).first()
    response = hq_admin.post(f"/admin/checklists/item/{item.pk}/change/", {"text_en": "Changed"})
    assert response.status_code == 403


def test_the_preview_shows_the_checklist_in_either_language(hq_admin, draft):
    zh = hq_admin.get(f"/admin/checklists/checklistversion/{draft.pk}/preview/?lang=zh-Hans")
    en = hq_admin.get(f"/admin/checklists/checklistversion/{draft.pk}/preview/?lang=en")
    assert "热情的服务" in zh.content.decode()
    assert "Warm, willing service" in en.content.decode()


def test_the_publish_action_freezes_a_draft(hq_admin, draft):
    hq_admin.post(
        "/admin/checklists/checklistversion/",
        {"action": "publish", "_selected_action": [draft.pk]},
    )
    draft.refresh_from_db()
    assert draft.status == ChecklistVersion.Status.PUBLISHED


def test_the_new_draft_action_copies_a_published_version(hq_admin, published):
    hq_admin.post(
        "/admin/checklists/checklistversion/",
        {"action": "new_draft", "_selected_action": [published.pk]},
    )
    copy = ChecklistVersion.objects.get(checklist=published.checklist, status="draft")
    assert (
        Item.objects.filter(version=copy).count() == Item.objects.filter(version=published).count()
    )


def test_a_shopper_cannot_reach_the_admin(client, alice):
    client.force_login(alice)
    response = client.get("/admin/checklists/checklistversion/")
    assert response.status_code == 302
