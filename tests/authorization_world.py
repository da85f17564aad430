"""The world both authorization matrices run against: two regions, every persona, an object of each kind in each.

IN is the East / alice's object (sh-jingan, region east), OUT the West / bob's one
(cd-jinjiang, region west). Built once per module inside a transaction rolled
back at the end; each test runs in its own savepoint (pytest-django's db).
"""

from __future__ import annotations

import io
from collections.abc import Iterator

from django.db import transaction
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.roles import Role
from actions.services import action_plan_evidence_add
from appeals.services import appeal_evidence_add as appeal_evidence_add_service
from audits.models import Visit
from checklists.models import ChecklistVersion
from tests.actions.plans import critical_plan
from tests.appeal_data import approved_visit, submitted_appeal
from tests.factories import (
    AssignmentFactory,
    BranchFactory,
    RegionFactory,
    ShopperFactory,
    UserFactory,
    small_checklist,
)
from tests.photo_corpus import good_jpeg_without_metadata
from tests.visit_bodies import visit_body


class World:
    """Ids and bodies the requests need, built once for the module."""


def use_media(settings, media_root):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(media_root), "base_url": None},
        },
    }


def _uploaded_visit(shopper, branch, version, photo: bytes):
    """A visit uploaded through the API with one declared photo, then the photo's bytes."""
    assignment = AssignmentFactory(shopper=shopper, branch=branch, checklist_version=version)
    client = APIClient()
    client.force_authenticate(shopper)
    body = visit_body(assignment, photo_bytes=photo)
    response = client.post("/api/v1/visits/", body, format="json")
    assert response.status_code == 201, response.json()
    photo_id = body["photos"][0]["id"]
    response = client.put(
        f"/api/v1/visits/{body['id']}/photos/{photo_id}/",
        {"file": jpeg_file(photo), "question": "entrance"},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    visit = Visit.objects.get(pk=body["id"])
    assert visit.status == Visit.Status.SUBMITTED, visit.status
    return visit, photo_id, body


def _evidence(add, owner, manager, photo: bytes):
    """An evidence photo attached through the service (plan or appeal)."""
    return add(owner, manager, file=io.BytesIO(photo), size=len(photo), filename="still.jpg")


def plan_evidence_add(plan, manager, **upload):
    return action_plan_evidence_add(plan=plan, user=manager, **upload)


def appeal_evidence_add(appeal, manager, **upload):
    return appeal_evidence_add_service(appeal=appeal, by=manager, **upload)


def jpeg_file(data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("photo.jpg", data, content_type="image/jpeg")


def world_build(django_db_blocker, media_root) -> Iterator[World]:
    """Yield the world with its photos under media_root; roll it back afterwards.

    A module's fixture: `yield from world_build(django_db_blocker, media_root)`.
    """
    from django.test import override_settings

    storages = {
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(media_root), "base_url": None},
        },
    }
    from django.conf import settings

    with django_db_blocker.unblock(), override_settings(STORAGES={**settings.STORAGES, **storages}):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            w = World()
            east = RegionFactory(code="east", name_zh="华东区", name_en="East")
            west = RegionFactory(code="west", name_zh="华西区", name_en="West")
            east_branch = BranchFactory(region=east, code="sh-jingan")
            west_branch = BranchFactory(region=west, code="cd-jinjiang")
            users = {
                "alice": ShopperFactory(username="alice"),
                "bob": ShopperFactory(username="bob"),
                "rita": UserFactory(username="rita", role=Role.REVIEWER),
                "erin": UserFactory(username="erin", role=Role.REGIONAL_MANAGER, regions=[east]),
                "wes": UserFactory(username="wes", role=Role.REGIONAL_MANAGER, regions=[west]),
                "hank": UserFactory(username="hank", role=Role.HEAD_OFFICE),
                "admin": UserFactory(username="admin", role=Role.ADMIN),
            }
            w.tokens = {name: Token.objects.create(user=u).key for name, u in users.items()}
            alice, bob, rita = users["alice"], users["bob"], users["rita"]
            version = small_checklist()
            w.version = version
            w.users = users
            photo = good_jpeg_without_metadata()

            # Submitted visits with a received photo: alice's in East, bob's in West.
            w.visit_in, w.photo_in, w.body_in = _uploaded_visit(alice, east_branch, version, photo)
            w.visit_out, w.photo_out, w.body_out = _uploaded_visit(bob, west_branch, version, photo)
            w.photo_bytes = photo

            # Open assignments (cancel, and a fresh visit upload).
            w.open_in = AssignmentFactory(
                shopper=alice, branch=east_branch, checklist_version=version
            )
            w.open_out = AssignmentFactory(
                shopper=bob, branch=west_branch, checklist_version=version
            )

            # Approved visits under appeal (on item wait), one per region.
            w.approved_in = approved_visit(
                shopper=alice, branch=east_branch, reviewer=rita, version=version
            )
            w.approved_out = approved_visit(
                shopper=bob, branch=west_branch, reviewer=rita, version=version
            )
            w.appeal_in = submitted_appeal(w.approved_in, users["erin"], "wait")
            w.appeal_out = submitted_appeal(w.approved_out, users["wes"], "wait")

            # Open action plans, one per region (critical item failed on an approved visit).
            w.plan_in = critical_plan(east_branch, version, rita)
            w.plan_out = critical_plan(west_branch, version, rita)
            w.plan_evidence_in = _evidence(plan_evidence_add, w.plan_in, users["erin"], photo)
            w.plan_evidence_out = _evidence(plan_evidence_add, w.plan_out, users["wes"], photo)
            w.appeal_evidence_in = _evidence(appeal_evidence_add, w.appeal_in, users["erin"], photo)
            w.appeal_evidence_out = _evidence(
                appeal_evidence_add, w.appeal_out, users["wes"], photo
            )

            # Checklists: the published version (IN) and a draft (OUT).
            w.draft = small_checklist(status=ChecklistVersion.Status.DRAFT)

            w.east, w.west = east, west
            w.east_branch, w.west_branch = east_branch, west_branch
            w.alice, w.bob = alice, bob
            w.carol = ShopperFactory(username="carol")
            yield w
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
        from audits.models import Region

        assert not Region.objects.exists(), "the matrix's world leaked out of its transaction"
