"""The `seed_demo` command and the Demo Bank organisation it creates."""

from __future__ import annotations

import io
import sys
import types

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from accounts.roles import Role
from audits.demo import DEMO_PASSWORD, HEAD_OFFICE_GROUP, DemoOrganisation, demo_organisation_seed
from audits.models import Branch, Region, ShopperExclusion, ShopperProfile, User

REQUIRED_USERS = {
    "hq": Role.HEAD_OFFICE,
    "reviewer": Role.REVIEWER,
    "rm-east": Role.REGIONAL_MANAGER,
    "rm-north": Role.REGIONAL_MANAGER,
    "shopper1": Role.SHOPPER,
    "shopper2": Role.SHOPPER,
    "shopper3": Role.SHOPPER,
    "admin": Role.ADMIN,
}


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def visits_seed_calls(monkeypatch):
    """Stand in for audits.demo_visits so these tests cover the organisation part only."""
    calls = []
    fake = types.ModuleType("audits.demo_visits")
    fake.demo_visits_seed = lambda *, organisation: calls.append(organisation)
    monkeypatch.setitem(sys.modules, "audits.demo_visits", fake)
    return calls


def seed_demo() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_it_creates_three_regions_in_both_languages(db):
    seed_demo()

    regions = Region.objects.all()
    assert {region.code for region in regions} >= {"east", "north", "south"}
    assert all(region.name_zh and region.name_en for region in regions)


def test_it_creates_eight_branches_per_region(db):
    seed_demo()

    for region in Region.objects.all():
        assert region.branches.count() >= 8
    assert Branch.objects.count() >= 24


def test_every_branch_has_names_and_addresses_in_both_languages(db):
    seed_demo()

    for branch in Branch.objects.all():
        assert branch.name_zh.endswith("支行"), branch.code
        assert branch.name_en.endswith("Sub-branch"), branch.code
        assert branch.address_zh and branch.address_en, branch.code


def test_every_branch_has_coordinates_in_china(db):
    seed_demo()

    for branch in Branch.objects.all():
        assert 18 < branch.latitude < 54, branch.code
        assert 73 < branch.longitude < 135, branch.code


def test_almost_every_branch_is_active(db):
    seed_demo()

    assert Branch.objects.filter(active=False).count() <= 1


@pytest.mark.parametrize(("username", "role"), REQUIRED_USERS.items())
def test_it_creates_the_demo_user_with_its_role(db, username, role):
    seed_demo()

    assert User.objects.get(username=username).role == role


def test_the_demo_password_works_for_every_demo_user(db):
    seed_demo()

    for user in User.objects.filter(username__in=REQUIRED_USERS):
        assert user.check_password(DEMO_PASSWORD), user.username


def test_rm_east_is_scoped_to_exactly_the_east_region(db):
    seed_demo()

    rm_east = User.objects.get(username="rm-east")
    assert list(rm_east.regions.values_list("code", flat=True)) == ["east"]


def test_rm_north_is_scoped_to_exactly_the_north_region(db):
    seed_demo()

    rm_north = User.objects.get(username="rm-north")
    assert list(rm_north.regions.values_list("code", flat=True)) == ["north"]


def test_admin_can_use_the_django_admin_for_everything(db):
    seed_demo()

    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser


def test_hq_can_edit_checklists_in_the_django_admin(db):
    seed_demo()

    hq = User.objects.get(username="hq")
    assert hq.is_staff and not hq.is_superuser
    assert hq.groups.filter(name=HEAD_OFFICE_GROUP).exists()
    for model in ("checklist", "checklistversion", "section", "item"):
        for action in ("add", "change", "view"):
            assert hq.has_perm(f"checklists.{action}_{model}"), f"{action}_{model}"


def test_every_shopper_has_a_profile(db):
    seed_demo()

    for username in ("shopper1", "shopper2", "shopper3"):
        profile = ShopperProfile.objects.get(user__username=username)
        assert profile.phone and profile.languages and profile.home_city, username


def test_shopper1_is_excluded_from_one_branch(db):
    seed_demo()

    exclusions = ShopperExclusion.objects.filter(shopper__username="shopper1")
    assert exclusions.count() == 1
    assert exclusions.get().reason


def test_running_twice_creates_no_duplicates(db):
    seed_demo()
    models = (Region, Branch, User, ShopperProfile, ShopperExclusion, Group)
    before = {model: model.objects.count() for model in models}

    seed_demo()

    assert {model: model.objects.count() for model in models} == before


def test_running_twice_changes_no_branch(db):
    seed_demo()
    before = list(Branch.objects.values())

    seed_demo()

    assert list(Branch.objects.values()) == before


def test_running_again_keeps_a_password_changed_since(db):
    seed_demo()
    shopper = User.objects.get(username="shopper1")
    shopper.set_password("changed-in-the-demo")
    shopper.save()

    seed_demo()

    assert User.objects.get(username="shopper1").check_password("changed-in-the-demo")


def test_the_output_lists_the_logins(db):
    out = seed_demo()

    for username in REQUIRED_USERS:
        assert username in out
    assert DEMO_PASSWORD in out
    assert "Head office" in out


def test_the_output_gives_the_urls_on_port_8000_by_default(db, monkeypatch):
    monkeypatch.delenv("PORT", raising=False)

    out = seed_demo()

    assert "http://127.0.0.1:8000/" in out
    assert "http://127.0.0.1:8000/admin/" in out
    assert "http://127.0.0.1:8000/api/docs/" in out


def test_the_output_gives_the_phone_app_url(db, monkeypatch):
    monkeypatch.delenv("PORT", raising=False)

    out = seed_demo()

    assert "http://127.0.0.1:8000/app/" in out


def test_the_output_uses_the_port_from_the_environment(db, monkeypatch):
    monkeypatch.setenv("PORT", "8123")

    out = seed_demo()

    assert "http://127.0.0.1:8123/admin/" in out


def test_it_hands_the_organisation_to_the_visits_seeding(db, visits_seed_calls):
    seed_demo()

    [organisation] = visits_seed_calls
    assert isinstance(organisation, DemoOrganisation)
    assert set(organisation.users) >= set(REQUIRED_USERS)


def test_it_skips_the_visits_seeding_when_there_is_none(db, monkeypatch):
    monkeypatch.setitem(sys.modules, "audits.demo_visits", None)  # import fails as if absent

    out = seed_demo()

    assert "visits: skipped" in out


def test_the_service_returns_the_shoppers_in_order(db):
    organisation = demo_organisation_seed()

    assert [user.username for user in organisation.shoppers] == ["shopper1", "shopper2", "shopper3"]


def test_the_service_returns_regions_and_branches_by_code(db):
    organisation = demo_organisation_seed()

    assert organisation.regions["east"].name_en == "East"
    assert organisation.branches["sh-jingan"].region == organisation.regions["east"]
    assert len(organisation.branches_of("north")) == 8
