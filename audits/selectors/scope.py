"""Branches, visits and assignments a user sees: accounts.scope's rule applied to audits' models."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.scope import scope_of
from audits.models import Assignment, Branch, Visit


def branches_visible_to(user) -> QuerySet[Branch]:
    return scope_of(user).filter(Branch.objects.select_related("region"), region="region")


def visits_visible_to(user) -> QuerySet[Visit]:
    """Shoppers see their own visits; regional managers their regions'; reviewers and head office all."""
    visits = Visit.objects.select_related(
        "branch__region", "checklist", "checklist_version", "assignment", "shopper"
    )
    return scope_of(user).filter(visits, region="branch__region", shopper="shopper")


def assignments_visible_to(user) -> QuerySet[Assignment]:
    assignments = Assignment.objects.select_related(
        "branch__region", "checklist_version__checklist", "shopper"
    )
    return scope_of(user).filter(assignments, region="branch__region", shopper="shopper")
