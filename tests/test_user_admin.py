"""The admin revokes a user's API tokens, directly or by deactivating the user."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token

from tests.factories import UserFactory


@pytest.fixture
def admin_client(db, client):
    client.force_login(UserFactory(username="root", role="admin", is_staff=True, is_superuser=True))
    return client


def test_the_admin_revokes_the_selected_users_tokens(admin_client, alice, bob):
    Token.objects.create(user=alice)
    Token.objects.create(user=bob)
    response = admin_client.post(
        "/admin/audits/user/", {"action": "revoke_api_tokens", "_selected_action": [alice.pk]}
    )
    assert response.status_code == 302
    assert not Token.objects.filter(user=alice).exists()
    assert Token.objects.filter(user=bob).exists()


def test_deactivating_a_user_in_the_admin_revokes_their_tokens(admin_client, alice):
    Token.objects.create(user=alice)
    page = admin_client.get(f"/admin/audits/user/{alice.pk}/change/")
    form = page.context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(
        {
            "username": "alice",
            "role": "shopper",
            "is_active": "",
            "date_joined_0": alice.date_joined.strftime("%Y-%m-%d"),
            "date_joined_1": alice.date_joined.strftime("%H:%M:%S"),
            "shopper_profile-TOTAL_FORMS": "1",
            "shopper_profile-INITIAL_FORMS": "1",
            "shopper_profile-MIN_NUM_FORMS": "0",
            "shopper_profile-MAX_NUM_FORMS": "1",
            "shopper_profile-0-id": alice.shopper_profile.pk,
            "shopper_profile-0-user": alice.pk,
            "exclusions-TOTAL_FORMS": "0",
            "exclusions-INITIAL_FORMS": "0",
            "exclusions-MIN_NUM_FORMS": "0",
            "exclusions-MAX_NUM_FORMS": "1000",
        }
    )
    data.pop("is_active", None)  # an unticked box is absent from the form
    for key in ("groups", "user_permissions", "regions", "last_login", "date_joined"):
        data.pop(key, None)
    response = admin_client.post(f"/admin/audits/user/{alice.pk}/change/", data)
    assert response.status_code == 302, (
        response.context["adminform"].form.errors if response.context else response
    )
    alice.refresh_from_db()
    assert not alice.is_active
    assert not Token.objects.filter(user=alice).exists()
