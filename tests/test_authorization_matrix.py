"""Issue 11, "Keep it proved": every /api/v1/ endpoint × every identity → the exact status.

The routes are read from the URL conf, and test_every_route_has_rows checks that
EXPECTED has a row for each (route name, method) and no stale row: a new endpoint,
or a new method on an old one, fails until its rows are written here.

Each persona calls each route once per object: IN is the East / alice's object
(sh-jingan, region east), OUT the West / bob's one (cd-jinjiang, region west).
A cell is either one code (a route without an object, or where both objects
answer alike) or (code on IN, code on OUT). Bodies are valid where that is cheap,
so that authorization decides; a 400 or 409 appears only for personas that are
allowed through (and then documents where validation or state stops them).

The world is built once per module inside a transaction rolled back at the end;
each test runs in its own savepoint (pytest-django's db), so writes do not leak.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from rest_framework.test import APIClient

from tests.appeal_data import appeal_item
from tests.authorization_world import jpeg_file, use_media, world_build
from tests.factories import (
    PASSWORD,
)
from tests.visit_bodies import visit_body

API_PREFIX = "api/v1/"
METHODS = ("get", "post", "put", "patch", "delete")
PERSONAS = ("anon", "alice", "bob", "rita", "erin", "wes", "hank", "admin")

# --- the table -------------------------------------------------------------------------
# (route name, method) → {persona: code | (code on IN, code on OUT)}
# IN: East / alice's object; OUT: West / bob's object. For wes the IN object is the
# out-of-region one, for bob alice's visit is someone else's.

_ALL_401 = {"anon": 401}

EXPECTED: dict[tuple[str, str], dict[str, int | tuple[int, int]]] = {
    # -- sign in / out
    ("token-login", "post"): {p: 200 for p in PERSONAS},  # public: no auth is read
    ("token-logout", "post"): {**_ALL_401, **{p: 204 for p in PERSONAS[1:]}},
    ("config", "get"): {**_ALL_401, **{p: 200 for p in PERSONAS[1:]}},
    # -- visits
    ("visit-list", "get"): {**_ALL_401, **{p: 200 for p in PERSONAS[1:]}},
    # POST: a valid upload for alice's open East assignment (IN) / bob's West one (OUT).
    ("visit-list", "post"): {
        "anon": 401,
        "alice": (201, 400),
        "bob": (400, 201),
        "rita": 403,
        "erin": 403,
        "wes": 403,
        "hank": 403,
        "admin": 403,
    },
    ("visit-detail", "get"): {
        "anon": 401,
        "alice": (200, 404),
        "bob": (404, 200),
        "rita": 200,
        "erin": (200, 404),
        "wes": (404, 200),
        "hank": 200,
        "admin": 200,
    },
    # PUT: a correction of the submitted (not returned) visit: its own shopper gets 409.
    ("visit-detail", "put"): {
        "anon": 401,
        "alice": (409, 404),
        "bob": (404, 409),
        "rita": 403,
        "erin": 403,
        "wes": 403,
        "hank": 403,
        "admin": 403,
    },
    ("visit-photo", "get"): {
        "anon": 401,
        "alice": (200, 404),
        "bob": (404, 200),
        "rita": 200,
        "erin": (200, 404),
        "wes": (404, 200),
        "hank": 200,
        "admin": 200,
    },
    # PUT: the same bytes again (a retry): 200 for the visit's shopper.
    ("visit-photo", "put"): {
        "anon": 401,
        "alice": (200, 404),
        "bob": (404, 200),
        "rita": 403,
        "erin": (403, 404),
        "wes": (404, 403),
        "hank": 403,
        "admin": 403,
    },
    ("visit-review", "post"): {
        "anon": 401,
        "alice": 403,
        "bob": 403,
        "rita": 200,
        "erin": 403,
        "wes": 403,
        "hank": 200,
        "admin": 200,
    },
    ("visit-answer-correction", "post"): {
        "anon": 401,
        "alice": 403,
        "bob": 403,
        "rita": 201,
        "erin": 403,
        "wes": 403,
        "hank": 201,
        "admin": 201,
    },
    ("visit-corrections", "get"): {
        "anon": 401,
        "alice": 403,
        "bob": 403,
        "rita": 200,
        "erin": 403,
        "wes": 403,
        "hank": 200,
        "admin": 200,
    },
    ("review-queue", "get"): {
        "anon": 401,
        "alice": 403,
        "bob": 403,
        "rita": 200,
        "erin": 403,
        "wes": 403,
        "hank": 200,
        "admin": 200,
    },
    # -- assignments
    ("assignment-list", "get"): {**_ALL_401, **{p: 200 for p in PERSONAS[1:]}},
    # POST: a valid assignment of carol to sh-jingan (IN) / to cd-jinjiang (OUT).
    ("assignment-list", "post"): {
        "anon": 401,
        "alice": 403,
        "bob": 403,
        "rita": 403,
        "erin": (201, 400),
        "wes": (400, 201),
        "hank": 201,
        "admin": 201,
    },
    ("assignment-bulk", "post"): {
        "anon": 401,
        "alice": 403,
        "bob": 403,
        "rita": 403,
        "erin": (201, 400),
        "wes": (400, 201),
        "hank": 201,
        "admin": 201,
    },
    ("assignment-cancel", "post"): {
        "anon": 401,
        "alice": 403,
        "bob": 403,
        "rita": 403,
        "erin": (200, 404),
        "wes": (404, 200),
        "hank": 200,
        "admin": 200,
    },
    # -- organisation
    ("branch-list", "get"): {
        "anon": 401,
        "alice": 403,
        "bob": 403,
        "rita": 200,
        "erin": 200,
        "wes": 200,
        "hank": 200,
        "admin": 200,
    },
    ("region-list", "get"): {
        "anon": 401,
        "alice": 403,
        "bob": 403,
        "rita": 200,
        "erin": 200,
        "wes": 200,
        "hank": 200,
        "admin": 200,
    },
    # -- checklists: IN a published version, OUT a draft (head office, reviewers, admins only)
    ("checklist-list", "get"): {**_ALL_401, **{p: 200 for p in PERSONAS[1:]}},
    ("checklist-detail", "get"): {
        "anon": 401,
        "alice": (200, 404),
        "bob": (200, 404),
        "rita": 200,
        "erin": (200, 404),
        "wes": (200, 404),
        "hank": 200,
        "admin": 200,
    },
    ("checklist-detail", "patch"): {
        "anon": 401,
        "alice": 403,
        "bob": 403,
        "rita": 403,
        "erin": 403,
        "wes": 403,
        "hank": (409, 200),  # a published version is frozen
        "admin": (409, 200),
    },
    ("checklist-publish", "post"): {
        "anon": 401,
        "alice": 403,
        "bob": 403,
        "rita": 403,
        "erin": 403,
        "wes": 403,
        "hank": (409, 200),
        "admin": (409, 200),
    },
    ("checklist-new-draft", "post"): {
        "anon": 401,
        "alice": 403,
        "bob": 403,
        "rita": 403,
        "erin": 403,
        "wes": 403,
        "hank": (201, 409),
        "admin": (201, 409),
    },
    ("checklist-item", "patch"): {
        "anon": 401,
        "alice": 403,
        "bob": 403,
        "rita": 403,
        "erin": 403,
        "wes": 403,
        "hank": (409, 200),
        "admin": (409, 200),
    },
    # -- reports: IN ?region=east, OUT ?region=west (403 by design, report_region)
    ("report-comparison", "get"): {
        "anon": 401,
        "alice": 403,
        "bob": 403,
        "rita": 200,
        "erin": (200, 403),
        "wes": (403, 200),
        "hank": 200,
        "admin": 200,
    },
    ("report-drivers", "get"): {
        "anon": 401,
        "alice": 403,
        "bob": 403,
        "rita": 200,
        "erin": (200, 403),
        "wes": (403, 200),
        "hank": 200,
        "admin": 200,
    },
    # IN ?branch=<alice's East branch>, OUT ?branch=<bob's West one> (403 by design, report_branch)
    ("report-figures", "get"): {
        "anon": 401,
        "alice": 403,
        "bob": 403,
        "rita": 200,
        "erin": (200, 403),
        "wes": (403, 200),
        "hank": 200,
        "admin": 200,
    },
    ("scorecard-pdf", "get"): {
        "anon": 401,
        "alice": 403,
        "bob": 403,
        "rita": 200,
        "erin": (200, 404),
        "wes": (404, 200),
        "hank": 200,
        "admin": 200,
    },
    # 202: the zip is being made (an async job); authorized callers get its status.
    ("region-scorecards-zip", "get"): {
        "anon": 401,
        "alice": 403,
        "bob": 403,
        "rita": 202,
        "erin": (202, 404),
        "wes": (404, 202),
        "hank": 202,
        "admin": 202,
    },
    # -- action plans (IN: the open plan of an East branch; OUT: a West one)
    ("action-plan-list", "get"): {
        "anon": 401,
        "alice": 403,
        "bob": 403,
        "rita": 403,
        "erin": 200,
        "wes": 200,
        "hank": 200,
        "admin": 200,
    },
    ("action-plan-detail", "get"): {
        "anon": 401,
        "alice": 403,
        "bob": 403,
        "rita": 403,
        "erin": (200, 404),
        "wes": (404, 200),
        "hank": 200,
        "admin": 200,
    },
    ("action-plan-submit", "post"): {
        "anon": 401,
        "alice": 403,
        "bob": 403,
        "rita": 403,
        "erin": (200, 404),
        "wes": (404, 200),
        "hank": 403,
        "admin": 403,
    },
    # The plans are open, not submitted: head office gets through to the 409.
    ("action-plan-accept", "post"): {
        "anon": 401,
        "alice": 403,
        "bob": 403,
        "rita": 403,
        "erin": 403,
        "wes": 403,
        "hank": 409,
        "admin": 409,
    },
    ("action-plan-send-back", "post"): {
        "anon": 401,
        "alice": 403,
        "bob": 403,
        "rita": 403,
        "erin": 403,
        "wes": 403,
        "hank": 409,
        "admin": 409,
    },
    # Evidence photos: read like the plan; attached (POST, a valid JPEG) by its region's manager.
    ("action-plan-evidence", "get"): {
        "anon": 401,
        "alice": 403,
        "bob": 403,
        "rita": 403,
        "erin": (200, 404),
        "wes": (404, 200),
        "hank": 200,
        "admin": 200,
    },
    ("action-plan-evidence", "post"): {
        "anon": 401,
        "alice": 403,
        "bob": 403,
        "rita": 403,
        "erin": (201, 404),
        "wes": (404, 201),
        "hank": 403,
        "admin": 403,
    },
    ("action-plan-evidence-file", "get"): {
        "anon": 401,
        "alice": 403,
        "bob": 403,
        "rita": 403,
        "erin": (200, 404),
        "wes": (404, 200),
        "hank": 200,
        "admin": 200,
    },
    ("appeal-list", "get"): {
        "anon": 401,
        "alice": 403,
        "bob": 403,
        "rita": 403,
        "erin": 200,
        "wes": 200,
        "hank": 200,
        "admin": 200,
    },
    # POST: appeal another item of the approved visit; out of region is a 400 by design.
    ("appeal-list", "post"): {
        "anon": 401,
        "alice": 403,
        "bob": 403,
        "rita": 403,
        "erin": (201, 400),
        "wes": (400, 201),
        "hank": 403,
        "admin": 403,
    },
    ("appeal-detail", "get"): {
        "anon": 401,
        "alice": 403,
        "bob": 403,
        "rita": 403,
        "erin": (200, 404),
        "wes": (404, 200),
        "hank": 200,
        "admin": 200,
    },
    # Evidence files: read like the appeal; attached (POST, a valid JPEG) by its region's manager.
    ("appeal-evidence", "get"): {
        "anon": 401,
        "alice": 403,
        "bob": 403,
        "rita": 403,
        "erin": (200, 404),
        "wes": (404, 200),
        "hank": 200,
        "admin": 200,
    },
    ("appeal-evidence", "post"): {
        "anon": 401,
        "alice": 403,
        "bob": 403,
        "rita": 403,
        "erin": (201, 404),
        "wes": (404, 201),
        "hank": 403,
        "admin": 403,
    },
    ("appeal-evidence-file", "get"): {
        "anon": 401,
        "alice": 403,
        "bob": 403,
        "rita": 403,
        "erin": (200, 404),
        "wes": (404, 200),
        "hank": 200,
        "admin": 200,
    },
    ("appeal-decide", "post"): {
        "anon": 401,
        "alice": 403,
        "bob": 403,
        "rita": 403,
        "erin": 403,
        "wes": 403,
        "hank": 200,
        "admin": 200,
    },
}


# --- the routes, from the URL conf -----------------------------------------------------


def _walk(patterns, prefix=""):
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            yield route, entry


def _methods(callback) -> set[str]:
    cls = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if cls is None:  # a plain function view: we cannot know; make the table say so
        return {"?"}
    return {m for m in cls.http_method_names if m in METHODS and hasattr(cls, m)}


def api_routes() -> dict[tuple[str, str], str]:
    """(route name, method) → route pattern, for every view under /api/v1/."""
    found = {}
    for route, pattern in _walk(get_resolver().url_patterns):
        if not route.startswith(API_PREFIX):
            continue
        assert pattern.name, f"unnamed API route {route}"
        for method in _methods(pattern.callback):
            found[(pattern.name, method)] = route
    return found


def test_every_route_has_rows():
    found = api_routes()
    missing = sorted(set(found) - set(EXPECTED))
    stale = sorted(set(EXPECTED) - set(found))
    assert not missing, f"routes without rows in EXPECTED: {[(k, found[k]) for k in missing]}"
    assert not stale, f"rows for routes that no longer exist: {stale}"


def test_every_row_covers_every_persona():
    for key, row in EXPECTED.items():
        assert set(row) == set(PERSONAS), key


# --- one request per (route, method, object) ------------------------------------------


def _assignment_body(w, inside: bool) -> dict:
    today = timezone.localdate()
    return {
        "branch": (w.east_branch if inside else w.west_branch).pk,
        "checklist_version": w.version.pk,
        "shopper": w.carol.pk,  # no assignment yet: nothing but scope refuses it
        "window_from": today.isoformat(),
        "window_to": (today + dt.timedelta(days=7)).isoformat(),
    }


def _request(w, name: str, method: str, inside: bool):
    """(path, body, format) of the request for this route and object."""
    visit = w.visit_in if inside else w.visit_out
    region = w.east if inside else w.west
    branch = w.east_branch if inside else w.west_branch
    plan = w.plan_in if inside else w.plan_out
    appeal = w.appeal_in if inside else w.appeal_out
    period = timezone.localdate().strftime("%Y-%m")
    report = f"?period={period}&checklist={w.version.checklist.code}&region={region.code}"
    version = w.version if inside else w.draft
    match name, method:
        case "token-login", _:
            return "/api/v1/auth/token/", {"username": "alice", "password": PASSWORD}, "json"
        case "token-logout", _:
            return "/api/v1/auth/logout/", {}, "json"
        case "config", _:
            return "/api/v1/config/", None, None
        case "visit-list", "get":
            return "/api/v1/visits/", None, None
        case "visit-list", "post":
            return "/api/v1/visits/", visit_body(w.open_in if inside else w.open_out), "json"
        case "visit-detail", "get":
            return f"/api/v1/visits/{visit.pk}/", None, None
        case "visit-detail", "put":
            body = dict(w.body_in if inside else w.body_out, revision=1)
            return f"/api/v1/visits/{visit.pk}/", body, "json"
        case "visit-photo", "get":
            photo = w.photo_in if inside else w.photo_out
            return f"/api/v1/visits/{visit.pk}/photos/{photo}/?size=thumb", None, None
        case "visit-photo", "put":
            photo = w.photo_in if inside else w.photo_out
            body = {"file": jpeg_file(w.photo_bytes), "question": "entrance"}
            return f"/api/v1/visits/{visit.pk}/photos/{photo}/", body, "multipart"
        case "visit-review", _:
            return f"/api/v1/visits/{visit.pk}/review/", {"decision": "approve"}, "json"
        case "visit-answer-correction", _:
            body = {"value": 8, "reason": "The CCTV shows 8 seconds."}
            return f"/api/v1/visits/{visit.pk}/answers/wait/correction/", body, "json"
        case "visit-corrections", _:
            return f"/api/v1/visits/{visit.pk}/corrections/", None, None
        case "review-queue", _:
            return "/api/v1/review/queue/", None, None
        case "assignment-list", "get":
            return "/api/v1/assignments/", None, None
        case "assignment-list", "post":
            return "/api/v1/assignments/", _assignment_body(w, inside), "json"
        case "assignment-bulk", _:
            body = {"assignments": [_assignment_body(w, inside)]}
            return "/api/v1/assignments/bulk/", body, "json"
        case "assignment-cancel", _:
            assignment = w.open_in if inside else w.open_out
            return f"/api/v1/assignments/{assignment.pk}/cancel/", {}, "json"
        case "branch-list", _:
            return "/api/v1/branches/", None, None
        case "region-list", _:
            return "/api/v1/regions/", None, None
        case "checklist-list", _:
            return "/api/v1/checklists/", None, None
        case "checklist-detail", "get":
            return f"/api/v1/checklists/{version.pk}/", None, None
        case "checklist-detail", "patch":
            return f"/api/v1/checklists/{version.pk}/", {}, "json"
        case "checklist-publish", _:
            return f"/api/v1/checklists/{version.pk}/publish/", {}, "json"
        case "checklist-new-draft", _:
            return f"/api/v1/checklists/{version.pk}/drafts/", {}, "json"
        case "checklist-item", _:
            body = {"text_en": "Greeted at once"}
            return f"/api/v1/checklists/{version.pk}/items/greet/", body, "json"
        case "report-comparison", _:
            return "/api/v1/reports/comparison/" + report, None, None
        case "report-drivers", _:
            return "/api/v1/reports/drivers/" + report, None, None
        case "report-figures", _:
            query = f"?period={period}&checklist={w.version.checklist.code}&branch={branch.code}"
            return "/api/v1/reports/figures/" + query, None, None
        case "scorecard-pdf", _:
            return f"/api/v1/branches/{branch.pk}/scorecard.pdf?period={period}", None, None
        case "region-scorecards-zip", _:
            return f"/api/v1/regions/{region.pk}/scorecards.zip?period={period}", None, None
        case "action-plan-list", _:
            return "/api/v1/action-plans/", None, None
        case "action-plan-detail", _:
            return f"/api/v1/action-plans/{plan.pk}/", None, None
        case "action-plan-submit", _:
            body = {
                "root_cause": "New staff not trained to greet.",
                "actions": "Greeting drill every morning.",
                "owner": "Branch manager",
                "due_date": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
            }
            return f"/api/v1/action-plans/{plan.pk}/submit/", body, "json"
        case "action-plan-accept", _:
            return f"/api/v1/action-plans/{plan.pk}/accept/", {}, "json"
        case "action-plan-send-back", _:
            body = {"note": "Name the trainer."}
            return f"/api/v1/action-plans/{plan.pk}/send-back/", body, "json"
        case "action-plan-evidence", "get":
            return f"/api/v1/action-plans/{plan.pk}/evidence/", None, None
        case "action-plan-evidence", "post":
            body = {"file": jpeg_file(w.photo_bytes)}
            return f"/api/v1/action-plans/{plan.pk}/evidence/", body, "multipart"
        case "action-plan-evidence-file", _:
            evidence = w.plan_evidence_in if inside else w.plan_evidence_out
            return f"/api/v1/action-plans/{plan.pk}/evidence/{evidence.pk}/", None, None
        case "appeal-evidence", "get":
            return f"/api/v1/appeals/{appeal.pk}/evidence/", None, None
        case "appeal-evidence", "post":
            body = {"file": jpeg_file(w.photo_bytes)}
            return f"/api/v1/appeals/{appeal.pk}/evidence/", body, "multipart"
        case "appeal-evidence-file", _:
            evidence = w.appeal_evidence_in if inside else w.appeal_evidence_out
            return f"/api/v1/appeals/{appeal.pk}/evidence/{evidence.pk}/?size=thumb", None, None
        case "appeal-list", "get":
            return "/api/v1/appeals/", None, None
        case "appeal-list", "post":
            approved = w.approved_in if inside else w.approved_out
            body = {"visit": str(approved.pk), "items": [appeal_item("attitude")]}
            return "/api/v1/appeals/", body, "json"
        case "appeal-detail", _:
            return f"/api/v1/appeals/{appeal.pk}/", None, None
        case "appeal-decide", _:
            body = {"outcome": "rejected", "reason": "The CCTV is not conclusive."}
            return f"/api/v1/appeals/{appeal.pk}/decide/", body, "json"
    raise AssertionError(f"no request for {name} {method}: add one to _request")


def _cases():
    for (name, method), row in EXPECTED.items():
        for persona in PERSONAS:
            expected = row.get(persona)
            if isinstance(expected, tuple):
                yield pytest.param(
                    name, method, persona, True, expected[0], id=f"{name}-{method}-{persona}-in"
                )
                yield pytest.param(
                    name, method, persona, False, expected[1], id=f"{name}-{method}-{persona}-out"
                )
            else:
                for inside in (True, False):
                    scope = "in" if inside else "out"
                    yield pytest.param(
                        name,
                        method,
                        persona,
                        inside,
                        expected,
                        id=f"{name}-{method}-{persona}-{scope}",
                    )


@pytest.fixture(scope="module")
def media_root(tmp_path_factory):
    return tmp_path_factory.mktemp("matrix-media")


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, media_root):
    yield from world_build(django_db_blocker, media_root)


@pytest.fixture(autouse=True)
def _module_media(settings, media_root):
    # After conftest's _private_media: the world's photos live in the module's folder.
    use_media(settings, media_root)


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "method", "persona", "inside", "expected"), list(_cases()))
def test_status(world, renders, name, method, persona, inside, expected):
    client = APIClient()
    if persona != "anon":
        client.credentials(HTTP_AUTHORIZATION=f"Token {world.tokens[persona]}")
    path, body, fmt = _request(world, name, method, inside)
    send = getattr(client, method)
    response = send(path, body, format=fmt) if body is not None else send(path)
    detail = getattr(response, "data", None)
    assert response.status_code == expected, (
        f"{method.upper()} {path} as {persona} ({'in' if inside else 'out of'} scope): "
        f"{response.status_code}, expected {expected}; {detail!r}"[:600]
    )


# --- what the lists show: a 200 on a list is only safe if its rows are in scope ---------
# route → {persona: the branch codes (regions: region codes) of the rows it lists}
EAST, WEST = "sh-jingan", "cd-jinjiang"

LIST_SCOPE: dict[str, dict[str, set[str]]] = {
    "visit-list": {
        "alice": {EAST},
        "bob": {WEST},
        "rita": {EAST, WEST},
        "erin": {EAST},
        "wes": {WEST},
        "hank": {EAST, WEST},
        "admin": {EAST, WEST},
    },
    "assignment-list": {
        "alice": {EAST},
        "bob": {WEST},
        "rita": {EAST, WEST},
        "erin": {EAST},
        "wes": {WEST},
        "hank": {EAST, WEST},
        "admin": {EAST, WEST},
    },
    "branch-list": {
        "rita": {EAST, WEST},
        "erin": {EAST},
        "wes": {WEST},
        "hank": {EAST, WEST},
        "admin": {EAST, WEST},
    },
    "region-list": {
        "rita": {"east", "west"},
        "erin": {"east"},
        "wes": {"west"},
        "hank": {"east", "west"},
        "admin": {"east", "west"},
    },
    "action-plan-list": {
        "erin": {EAST},
        "wes": {WEST},
        "hank": {EAST, WEST},
        "admin": {EAST, WEST},
    },
    "appeal-list": {
        "erin": {EAST},
        "wes": {WEST},
        "hank": {EAST, WEST},
        "admin": {EAST, WEST},
    },
}


def test_list_scope_covers_every_readable_list():
    """Every list route that answers 200 to someone has its rows checked below."""
    lists = {
        name
        for (name, method), row in EXPECTED.items()
        if method == "get" and name.endswith("-list") and name != "checklist-list"
    }
    assert lists == set(LIST_SCOPE)
    for name, row in LIST_SCOPE.items():
        readers = {p for p, code in EXPECTED[(name, "get")].items() if code == 200}
        assert set(row) == readers, name


def _code(row: dict) -> str:
    branch = row.get("branch")
    return branch["code"] if isinstance(branch, dict) else row["code"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "persona", "codes"),
    [(name, p, codes) for name, row in LIST_SCOPE.items() for p, codes in row.items()],
)
def test_list_rows_in_scope(world, name, persona, codes):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {world.tokens[persona]}")
    path, _, _ = _request(world, name, "get", True)
    response = client.get(path)
    assert response.status_code == 200
    data = response.json()
    rows = data["results"] if isinstance(data, dict) else data
    assert {_code(r) for r in rows} == codes, f"GET {path} as {persona}"
    if name in {"visit-list", "assignment-list"} and persona in {"alice", "bob"}:
        owners = {
            r["shopper"] if isinstance(r["shopper"], str) else r["shopper"]["username"]
            for r in rows
        }
        assert owners == {persona}, f"GET {path} as {persona} shows others' rows: {owners}"
