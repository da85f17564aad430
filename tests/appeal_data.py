"""Approved, really scored visits and appeals of them, for the appeal tests.

Appeals re-score a visit from its answers, so these visits are uploaded through
the API and scored by checklists.scoring, unlike tests.report_data's stored numbers.
The visit of tests.visit_bodies.visit_body scores 78.9: core 78.3 (greet 100,
attitude 75, wait 60) and env 80 (clean 100, resolved 60).
"""

from __future__ import annotations

from django.db import transaction
from rest_framework.test import APIClient

from appeals.models import Appeal
from appeals.services import appeal_submit
from audits.models import Visit
from audits.services.review import visit_review
from tests.factories import AssignmentFactory
from tests.visit_bodies import receive_photos, visit_body


def approved_visit(*, shopper, branch, reviewer, version=None) -> Visit:
    """`shopper`'s visit of `branch`, uploaded, with its photos in, approved by `reviewer`."""
    extra = {"checklist_version": version} if version is not None else {}
    assignment = AssignmentFactory(shopper=shopper, branch=branch, **extra)
    client = APIClient()
    client.force_authenticate(shopper)
    response = client.post("/api/v1/visits/", visit_body(assignment), format="json")
    assert response.status_code == 201, response.json()
    visit = Visit.objects.get(pk=response.json()["id"])
    with transaction.atomic():  # as the photo upload does: the checks' event goes with it
        receive_photos(visit)
    visit_review(visit=visit, reviewer=reviewer, decision="approve")
    visit.refresh_from_db()
    return visit


def appeal_item(code: str = "wait", **fields) -> dict:
    return {
        "item_code": code,
        "category": "evidence_contradicts",
        "argument": "CCTV shows the customer was greeted within 8 seconds.",
        "evidence": "CCTV camera 2, 10:42",
        **fields,
    }


def submitted_appeal(visit: Visit, manager, *codes: str) -> Appeal:
    return appeal_submit(
        visit=visit, by=manager, items=[appeal_item(code) for code in codes or ("wait",)]
    )
