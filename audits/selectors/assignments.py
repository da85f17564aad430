"""Reads of assignments and of the organisation they are made in, shaped for the API."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from accounts.roles import shows_shopper_identity
from accounts.scope import scope_of
from audits.models import Assignment, Branch, Region, Review, Visit
from audits.selectors.scope import assignments_visible_to, branches_visible_to
from audits.selectors.visits import photo_state

# A submitted assignment still needs the shopper while its visit waits for photos
# or has been returned for correction; otherwise it has left the phone's hands.
ACTIONABLE_VISIT_STATUSES = (Visit.Status.INCOMPLETE, Visit.Status.RETURNED)


def assignments_listed_for(user) -> QuerySet[Assignment]:
    """The assignments the caller's list shows.

    A shopper's phone lists only what it can still act on: open assignments, and
    submitted ones whose visit lacks photos or was returned. Everyone else sees
    every assignment in their scope, whatever its status.
    """
    scope = scope_of(user)
    assignments = (
        assignments_visible_to(scope)
        .select_related("visit")
        .prefetch_related("visit__photos", "visit__reviews")
    )
    if scope.shopper_id is not None:
        assignments = assignments.filter(
            Q(status=Assignment.Status.OPEN)
            | Q(status=Assignment.Status.SUBMITTED, visit__status__in=ACTIONABLE_VISIT_STATUSES)
        )
    if not scope.shows_identity:
        # The default order is by window, which would tell a manager when visits are due.
        assignments = assignments.order_by("branch__code", "id")
    return assignments


def _location(lat, lng) -> dict | None:
    if lat is None or lng is None:
        return None
    return {"lat": float(lat), "lng": float(lng)}


def branch_summary(branch: Branch) -> dict:
    return {
        "id": branch.id,
        "code": branch.code,
        "name_zh": branch.name_zh,
        "name_en": branch.name_en,
        "address_zh": branch.address_zh,
        "address_en": branch.address_en,
        "location": _location(branch.latitude, branch.longitude),
        "region": branch.region.code,
    }


def _visit_summary(visit: Visit) -> dict:
    returned = visit.status == Visit.Status.RETURNED
    # Filter the prefetched reviews in Python: a queryset filter would query again per row.
    returns = [r for r in visit.reviews.all() if r.decision == Review.Decision.RETURN]
    return {
        "id": visit.id,
        "status": visit.status,
        "revision": visit.revision,
        # The note belongs to the return; once corrected it no longer applies.
        "review_note": visit.review_note if returned else "",
        "question_notes": returns[-1].question_notes if returned and returns else {},
        "missing_photos": photo_state(visit)["missing"],
    }


def assignment_detail(assignment: Assignment, *, viewer) -> dict:
    """One assignment; for a regional manager without who visits, or when.

    A manager sees which branches are planned and whether each visit happened,
    never the shopper, the window or the creation time: together with the
    branch's own records any of them would tell the staff who the shopper is.
    """
    visit = getattr(assignment, "visit", None)
    summary = _visit_summary(visit) if visit is not None else None
    if not shows_shopper_identity(viewer):
        return {
            "id": assignment.id,
            "status": assignment.status,
            "branch": branch_summary(assignment.branch),
            "checklist_version": assignment.checklist_version_id,
            "channel": assignment.checklist_version.checklist.channel,
            "scenario": assignment.scenario,
            # The visit's status only, not which visit it is: its id leads to its times.
            "visit": {"status": summary["status"]} if summary is not None else None,
        }
    return {
        "id": assignment.id,
        "status": assignment.status,
        "branch": branch_summary(assignment.branch),
        "checklist_version": assignment.checklist_version_id,
        # An assignment's channel is its checklist's: the phone shows it on the card.
        "channel": assignment.checklist_version.checklist.channel,
        "shopper": {"id": assignment.shopper_id, "username": assignment.shopper.username},
        "scenario": assignment.scenario,
        "window_from": assignment.window_from,
        "window_to": assignment.window_to,
        "time_from": assignment.time_from,
        "time_to": assignment.time_to,
        "visit": summary,
        "created_at": assignment.created_at,
    }


def branch_detail(branch: Branch) -> dict:
    return {
        **branch_summary(branch),
        "region": {
            "id": branch.region_id,
            "code": branch.region.code,
            "name_zh": branch.region.name_zh,
            "name_en": branch.region.name_en,
        },
        "active": branch.active,
    }


def regions_visible_to(user) -> QuerySet[Region]:
    """Regions holding a branch the caller sees, so the two lists always agree.

    Belongs next to branches_visible_to in selectors/scope.py; it lives here until
    that module's owner moves it.
    """
    visible = branches_visible_to(user)
    return (
        Region.objects.filter(branches__in=visible)
        .annotate(branch_count=Count("branches", filter=Q(branches__in=visible), distinct=True))
        .order_by("code")
    )
