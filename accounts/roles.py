"""The roles people have, and what each role may do in general.

Role's values are stored in audits.User.role (the model stays in audits: see
accounts/__init__.py); the migrations keep its choices as literals.
"""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    SHOPPER = "shopper", "Shopper"
    REVIEWER = "reviewer", "Reviewer"
    REGIONAL_MANAGER = "regional_manager", "Regional manager"
    HEAD_OFFICE = "head_office", "Head office"
    ADMIN = "admin", "Administrator"


def sees_everything(user) -> bool:
    """Reviewers, head office and admins read across the whole company."""
    return user.role in {Role.REVIEWER, Role.HEAD_OFFICE, Role.ADMIN} or user.is_superuser


def configures(user) -> bool:
    """Head office and admins change checklists and the organisation."""
    return user.role in {Role.HEAD_OFFICE, Role.ADMIN} or user.is_superuser


def shows_shopper_identity(user) -> bool:
    """Regional managers never learn which shopper made a visit, nor when.

    Asked per row by lists, so it is a role check without a query; the Scope
    (accounts/scope.py) carries the same answer for callers that have one.
    """
    return user.role != Role.REGIONAL_MANAGER


def manages_assignments(user) -> bool:
    """Head office, admins and regional managers plan visits (managers in their regions only)."""
    return configures(user) or user.role == Role.REGIONAL_MANAGER


def reads_reports(user) -> bool:
    """Reports and the organisation are read company-wide or by a regional manager, never by shoppers."""
    return sees_everything(user) or user.role == Role.REGIONAL_MANAGER
