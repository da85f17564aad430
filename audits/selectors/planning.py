"""Reads for the assignments page: the planning desk of head office, and the counts a
regional manager may see.

Built on audits.selectors.scope (accounts.scope's rule), so the page and the API scope by the same rules.
A regional manager never learns who visits or when: for them there is only
planned_visit_counts, which carries neither a shopper nor a date.
"""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from accounts.roles import Role, shows_shopper_identity
from audits.models import Assignment, Branch, User
from audits.selectors.scope import assignments_visible_to, branches_visible_to
from checklists.models import Checklist, ChecklistVersion
from checklists.selectors import checklist_versions_for


def planned_visit_counts(user) -> QuerySet[Branch]:
    """The caller's branches, each annotated `planned`: how many open assignments it has.

    Active branches are listed even at zero (a manager wants to see which branches
    have nothing planned); an inactive one only while it still has open visits.
    """
    return (
        branches_visible_to(user)
        .annotate(
            planned=Count("assignments", filter=Q(assignments__status=Assignment.Status.OPEN))
        )
        .filter(Q(active=True) | Q(planned__gt=0))
        .order_by("region__code", "code")
    )


def desk_assignments(
    user,
    *,
    status: str = "",
    region: str = "",
    branch: int | None = None,
    checklist: str = "",
) -> QuerySet[Assignment]:
    """Assignments with who and when, for callers allowed to know both; newest windows first.

    Empty for a regional manager, whatever the filters: this list names shoppers and dates.
    """
    if not shows_shopper_identity(user):
        return Assignment.objects.none()
    assignments = assignments_visible_to(user).select_related("checklist_version__checklist")
    if status:
        assignments = assignments.filter(status=status)
    if region:
        assignments = assignments.filter(branch__region__code=region)
    if branch is not None:
        assignments = assignments.filter(branch_id=branch)
    if checklist:
        assignments = assignments.filter(checklist_version__checklist__code=checklist)
    return assignments.order_by("-window_from", "-id")


def plannable_branches(user) -> QuerySet[Branch]:
    """Active branches the caller may plan visits to, by region then code."""
    return branches_visible_to(user).filter(active=True).order_by("region__code", "code")


def plannable_versions(user) -> QuerySet[ChecklistVersion]:
    """Published versions only: the service refuses a draft, so the form does not offer one."""
    return checklist_versions_for(user).filter(status=ChecklistVersion.Status.PUBLISHED)


def plannable_shoppers() -> QuerySet[User]:
    """Active shoppers, the only users the service accepts as a visit's shopper."""
    return User.objects.filter(role=Role.SHOPPER, is_active=True).order_by("username")


def checklists_assigned() -> QuerySet[Checklist]:
    """Checklists with at least one assignment, for the list's filter."""
    return Checklist.objects.filter(versions__assignments__isnull=False).distinct().order_by("code")
