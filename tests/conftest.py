"""Named personas and API clients shared by the whole suite.

The company has two regions, East and West: east_branch (sh-jingan) and pudong
(sh-pudong) in East, west_branch (cd-jinjiang) in West.
- alice, bob: shoppers
- rita: reviewer (head-office QA)
- erin: regional manager of East; wes: regional manager of West
- hank: head office
"""

from __future__ import annotations

import os

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.roles import Role
from tests.factories import BranchFactory, RegionFactory, ShopperFactory, UserFactory


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """On SQLite, test in a file of this process's own rather than in memory.

    Concurrency tests open one connection per thread, which an in-memory
    database cannot share safely; the pid keeps parallel runs apart.
    """
    database = django_settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        database.setdefault("TEST", {})["NAME"] = str(
            django_settings.VAR_DIR / f"test-{os.getpid()}.sqlite3"
        )


@pytest.fixture(autouse=True)
def _fresh_cache(request):
    """Every test that can touch the cache (the login throttle's counters) starts it empty.

    Without CACHE_URL the cache is a database table, so only tests that use the
    database can reach it; they clear it after too, because the flush that ends
    a transactional test empties the models' tables, not the cache's.
    """
    marked = request.node.get_closest_marker("django_db") is not None
    uses_database = marked or not {"db", "transactional_db"}.isdisjoint(request.fixturenames)
    if not uses_database:
        yield
        return
    request.getfixturevalue("db")
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Every test writes uploads into its own folder on local disk."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media"), "base_url": None},
        },
    }


@pytest.fixture
def east(db):
    return RegionFactory(code="east", name_zh="华东区", name_en="East")


@pytest.fixture
def west(db):
    return RegionFactory(code="west", name_zh="华西区", name_en="West")


@pytest.fixture
def east_branch(east):
    return BranchFactory(
        region=east, code="sh-jingan", name_zh="上海静安支行", name_en="Shanghai Jing'an"
    )


@pytest.fixture
def pudong(east):
    """A second East branch, for ranks and region averages."""
    return BranchFactory(
        region=east, code="sh-pudong", name_zh="上海浦东支行", name_en="Shanghai Pudong"
    )


@pytest.fixture
def west_branch(west):
    return BranchFactory(
        region=west, code="cd-jinjiang", name_zh="成都锦江支行", name_en="Chengdu Jinjiang"
    )


@pytest.fixture
def alice(db):
    return ShopperFactory(username="alice")


@pytest.fixture
def bob(db):
    return ShopperFactory(username="bob")


@pytest.fixture
def rita(db):
    return UserFactory(username="rita", role=Role.REVIEWER)


@pytest.fixture
def hank(db):
    return UserFactory(username="hank", role=Role.HEAD_OFFICE)


@pytest.fixture
def erin(east):
    return UserFactory(username="erin", role=Role.REGIONAL_MANAGER, regions=[east])


@pytest.fixture
def wes(west):
    return UserFactory(username="wes", role=Role.REGIONAL_MANAGER, regions=[west])


@pytest.fixture
def client_for():
    """An API client signed in with the user's token, as the phone app is."""

    def make(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            from rest_framework.authtoken.models import Token

            token, _ = Token.objects.get_or_create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


@pytest.fixture
def anon():
    return APIClient()


@pytest.fixture
def renders(monkeypatch):
    """Stub the PDF engine for report tests; returns the cards it was asked to draw.

    Each stub PDF names its branch, language and score, and counts the renders,
    so two renders of the same card still differ.
    """
    drawn = []

    def fake_render(card):
        drawn.append(card)
        return f"%PDF-stub {card.branch_code} {card.lang} {card.score} #{len(drawn)}".encode()

    monkeypatch.setattr("reports.pdf.render_scorecard_pdf", fake_render)
    return drawn


@pytest.fixture(scope="session")
def playwright_instance():
    """The run's one Playwright, for every browser test (tests/browser.py says why one)."""
    from tests.browser import playwright_session  # imported late: only browser tests pay for it

    yield from playwright_session()


@pytest.fixture
def lens_history(settings, east_branch, pudong, west_branch):
    """October 2026 with every comparison lens scored (tests.test_comparison_lenses)."""
    from tests.test_comparison_lenses import lens_visits

    settings.SMALL_SAMPLE_VISITS = 1
    return lens_visits(east_branch, pudong, west_branch)


@pytest.fixture
def bpmp_history(settings, east_branch, pudong, west_branch):
    """October 2026 with BPMP classes scored and failed (tests.test_comparison_bpmp)."""
    from tests.test_comparison_bpmp import bpmp_visits

    settings.SMALL_SAMPLE_VISITS = 1
    return bpmp_visits(east_branch, pudong, west_branch).checklist
