"""Who sees what: the one place that scopes branches, assignments and visits by role."""

from __future__ import annotations

from django.db.models import QuerySet

from audits.models import Assignment, Branch, Role, Visit


def branches_visible_to(user) -> QuerySet[Branch]:
    branches = Branch.objects.select_related("region")
    if user.sees_everything:
        return branches
    if user.role == Role.REGIONAL_MANAGER:
        return branches.filter(region__in=user.regions.all())
    return branches.none()


def visits_visible_to(user) -> QuerySet[Visit]:
    """Shoppers see their own visits; regional managers their regions'; reviewers and head office all."""
    visits = Visit.objects.select_related(
        "branch__region", "checklist", "checklist_version", "assignment", "shopper"
    )
    if user.sees_everything:
        return visits
    if user.role == Role.REGIONAL_MANAGER:
        return visits.filter(branch__region__in=user.regions.all())
    if user.role == Role.SHOPPER:
        return visits.filter(shopper=user)
    return visits.none()


def assignments_visible_to(user) -> QuerySet[Assignment]:
    assignments = Assignment.objects.select_related(
        "branch__region", "checklist_version__checklist", "shopper"
    )
    if user.sees_everything:
        return assignments
    if user.role == Role.REGIONAL_MANAGER:
        return assignments.filter(branch__region__in=user.regions.all())
    if user.role == Role.SHOPPER:
        return assignments.filter(shopper=user)
    return assignments.none()


def shows_shopper_identity(user) -> bool:
    """Regional managers never learn which shopper made a visit."""
    return user.role != Role.REGIONAL_MANAGER
