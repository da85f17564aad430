"""Issue 11, "Keep it proved", for the pages: every page route × every identity → the exact status.

The routes are read from the URL conf (everything outside /api/, /admin/ and the
phone app's /app/), and test_every_page_route_has_rows checks that EXPECTED has
a row for each (route name, method) and no stale row: a new page fails until its
rows are written here. The world is the API matrix's (tests/authorization_world.py):
IN is East / alice's object, OUT West / bob's. A cell is one code, or (code on IN,
code on OUT). GET shows who may see a page; POST (an empty form: what a forged
request without fields does) shows who may act on it — a 400 or 200 there means
the persona got past authorization to the form's own validation.

Anonymous visitors are sent to the login page (302); a signed-in user who may not
open a page gets the site's 403 page; an object outside the user's scope is a 403
or 404 as each page documents below.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from tests.authorization_world import use_media, world_build

PERSONAS = ("anon", "alice", "bob", "rita", "erin", "wes", "hank", "admin")
NOT_PAGES = ("api/", "admin/", "app/")
METHODS = ("get", "post")


def _walk(patterns, prefix=""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield route, pattern


def page_routes() -> dict[str, str]:
    return {
        pattern.name: route
        for route, pattern in _walk(get_resolver().url_patterns)
        if not route.startswith(NOT_PAGES)
    }


@pytest.fixture(scope="module")
def media_root(tmp_path_factory):
    return tmp_path_factory.mktemp("page-matrix-media")


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, media_root):
    yield from world_build(django_db_blocker, media_root)


@pytest.fixture(autouse=True)
def _module_media(settings, media_root):
    use_media(settings, media_root)


def _path(w, name: str, inside: bool) -> str:
    branch = w.east_branch if inside else w.west_branch
    region = w.east if inside else w.west
    visit = w.visit_in if inside else w.visit_out
    approved = w.approved_in if inside else w.approved_out
    plan = w.plan_in if inside else w.plan_out
    appeal = w.appeal_in if inside else w.appeal_out
    period = timezone.localdate().strftime("%Y-%m")
    report = f"?period={period}&checklist={w.version.checklist.code}&region={region.code}"
    match name:
        case "home":
            return "/"
        case "login":
            return "/accounts/login/"
        case "logout":
            return "/accounts/logout/"
        case "branch-page":
            return f"/branches/{branch.pk}/"
        case "scorecard-page":
            return f"/branches/{branch.pk}/scorecard/?period={period}"
        case "comparison-page":
            return f"/reports/comparison/{report}"
        case "report-visits-page":
            return f"/reports/visits/{report}&branch={branch.pk}"
        case "drivers-page":
            return f"/reports/drivers/{report}"
        case "review-queue-page":
            return "/review/"
        case "review-visit-page":
            return f"/review/visits/{visit.pk}/"
        case "appeals-page":
            return "/appeals/"
        case "appeal-new-page":
            return f"/appeals/new/?visit={approved.pk}"
        case "appeal-page":
            return f"/appeals/{appeal.pk}/"
        case "action-plans-page":
            return "/action-plans/"
        case "action-plan-page":
            return f"/action-plans/{plan.pk}/"
        case "assignments-page":
            return "/assignments/"
        case "set_language":
            return "/i18n/setlang/"
        case "favicon":
            return "/favicon.ico"
    raise AssertionError(f"no request for {name}: add one to _path")


# --- the table -------------------------------------------------------------------------
# (route name, method) → {persona: code | (code on IN, code on OUT)}

_ANON = {"anon": 302}  # to the login page, then back
_NOBODY = {p: 403 for p in ("alice", "bob", "rita", "erin", "wes", "hank", "admin")}
_READ_ONLY = {**_ANON, **{p: 405 for p in PERSONAS[1:]}}  # a page with no form: POST is refused
_REPORTS = {  # reviewers (head-office QA) and head office: all; a manager: their regions
    **_ANON,
    "alice": 403,
    "bob": 403,
    "rita": 200,
    "hank": 200,
    "admin": 200,
}
_MANAGERS_AND_HEAD_OFFICE = {**_ANON, **_NOBODY, "erin": 200, "wes": 200, "hank": 200, "admin": 200}

EXPECTED: dict[tuple[str, str], dict[str, int | tuple[int, int]]] = {
    ("home", "get"): {**_ANON, **{p: 200 for p in PERSONAS[1:]}},
    ("home", "post"): _READ_ONLY,
    ("login", "get"): {"anon": 200, **{p: 302 for p in PERSONAS[1:]}},  # signed in: home
    ("login", "post"): {"anon": 200, **{p: 302 for p in PERSONAS[1:]}},  # the form again
    ("logout", "get"): {p: 405 for p in PERSONAS},  # only a POST signs out (CSRF-safe)
    ("logout", "post"): {p: 302 for p in PERSONAS},
    # Another region's branch is the site's 403 page (issue 8, scenario 2).
    ("branch-page", "get"): {**_REPORTS, "erin": (200, 403), "wes": (403, 200)},
    ("branch-page", "post"): _READ_ONLY,
    # Reports of another region: the region filter is refused (403), a branch or
    # visit outside it is not found (404), never shown.
    ("scorecard-page", "get"): {**_REPORTS, "erin": (200, 404), "wes": (404, 200)},
    ("scorecard-page", "post"): _READ_ONLY,
    ("comparison-page", "get"): {**_REPORTS, "erin": (200, 403), "wes": (403, 200)},
    ("comparison-page", "post"): _READ_ONLY,
    ("report-visits-page", "get"): {**_REPORTS, "erin": (200, 404), "wes": (404, 200)},
    ("report-visits-page", "post"): _READ_ONLY,
    ("drivers-page", "get"): {**_REPORTS, "erin": (200, 403), "wes": (403, 200)},
    ("drivers-page", "post"): _READ_ONLY,
    # The review desk: reviewers and head office; managers never see a visit's shopper.
    ("review-queue-page", "get"): {**_ANON, **_NOBODY, "rita": 200, "hank": 200, "admin": 200},
    ("review-queue-page", "post"): _READ_ONLY,
    ("review-visit-page", "get"): {**_ANON, **_NOBODY, "rita": 200, "hank": 200, "admin": 200},
    # An empty decision is a 400 for those who may decide.
    ("review-visit-page", "post"): {**_ANON, **_NOBODY, "rita": 400, "hank": 400, "admin": 400},
    # Appeals: managers appeal their regions' visits; head office decides.
    ("appeals-page", "get"): _MANAGERS_AND_HEAD_OFFICE,
    ("appeals-page", "post"): _READ_ONLY,
    ("appeal-new-page", "get"): {**_ANON, **_NOBODY, "erin": (200, 404), "wes": (404, 200)},
    ("appeal-new-page", "post"): {**_ANON, **_NOBODY, "erin": (400, 404), "wes": (404, 400)},
    ("appeal-page", "get"): {
        **_MANAGERS_AND_HEAD_OFFICE,
        "erin": (200, 404),
        "wes": (404, 200),
    },
    ("appeal-page", "post"): {**_ANON, **_NOBODY, "hank": 400, "admin": 400},
    # Action plans: managers complete their regions' plans; head office accepts.
    ("action-plans-page", "get"): _MANAGERS_AND_HEAD_OFFICE,
    ("action-plans-page", "post"): _READ_ONLY,
    ("action-plan-page", "get"): {
        **_MANAGERS_AND_HEAD_OFFICE,
        "erin": (200, 404),
        "wes": (404, 200),
    },
    ("action-plan-page", "post"): {
        **_ANON,
        **_NOBODY,
        "erin": (400, 404),
        "wes": (404, 400),
        "hank": 400,
        "admin": 400,
    },
    # Managers see how many visits are planned for their branches, never who or when.
    ("assignments-page", "get"): _MANAGERS_AND_HEAD_OFFICE,
    ("assignments-page", "post"): {**_ANON, **_NOBODY, "hank": 400, "admin": 400},
    # Public: the language switch (a cookie) and the icon.
    ("set_language", "get"): {p: 302 for p in PERSONAS},
    ("set_language", "post"): {p: 302 for p in PERSONAS},
    ("favicon", "get"): {p: 301 for p in PERSONAS},
    ("favicon", "post"): {p: 405 for p in PERSONAS},
}


def test_every_page_route_has_rows():
    expected = {(name, method) for name in page_routes() for method in METHODS}
    assert set(EXPECTED) == expected


def test_every_row_covers_every_persona():
    for key, row in EXPECTED.items():
        assert set(row) == set(PERSONAS), key


def _cases():
    for (name, method), row in EXPECTED.items():
        for persona in PERSONAS:
            codes = row[persona]
            inside, outside = codes if isinstance(codes, tuple) else (codes, codes)
            yield pytest.param(
                name, method, persona, True, inside, id=f"{name}-{method}-{persona}-in"
            )
            yield pytest.param(
                name, method, persona, False, outside, id=f"{name}-{method}-{persona}-out"
            )


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "method", "persona", "inside", "expected"), list(_cases()))
def test_status(world, name, method, persona, inside, expected):
    client = Client()
    if persona != "anon":
        client.force_login(world.users[persona])

    response = getattr(client, method)(_path(world, name, inside))

    assert response.status_code == expected, response.content[:300]
    if expected == 403:
        # Refused in the site's own layout, with its menu to go on from.
        assert b'class="site-nav"' in response.content
