"""What a person may see: the one scope rule every view, page, export and task asks.

- reviewers, head office and admins (and superusers) see the whole company;
- a regional manager sees the branches of their regions, and never who made a
  visit or when;
- a shopper sees their own work only;
- anyone else sees nothing.

A Scope is a small immutable value, made once per question by scope_of(user),
or by Scope.company() for system work (the company-wide league table a
scorecard compares against, a plan opened below standard). It knows no model:
the caller names the path from its queryset to a region (and to a shopper,
where shoppers see their own rows), so the same rule filters branches, visits,
assignments, appeals, plans and regions alike.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from accounts.roles import Role, sees_everything, shows_shopper_identity


@dataclass(frozen=True)
class Scope:
    company_wide: bool = False
    regions: frozenset[int] = frozenset()
    # Set for a shopper: their own rows, found by the `shopper` path a caller names.
    shopper_id: int | None = None
    shows_identity: bool = True

    @classmethod
    def company(cls) -> Scope:
        """Everything, with who and when: for work the system does on nobody's behalf."""
        return cls(company_wide=True)

    @classmethod
    def nothing(cls) -> Scope:
        return cls()

    def filter(self, queryset: QuerySet, *, region: str, shopper: str | None = None) -> QuerySet:
        """`queryset` narrowed to this scope.

        `region` is the path from the queryset's model to a region ("branch__region",
        or "pk" for regions themselves); `shopper` the path to the shopper of a row a
        shopper may see as their own. Without `shopper`, a shopper sees no rows.
        """
        if self.company_wide:
            return queryset
        if self.shopper_id is not None:
            if shopper is None:
                return queryset.none()
            return queryset.filter(**{shopper: self.shopper_id})
        if self.regions:
            return queryset.filter(**{f"{region}__in": self.regions})
        return queryset.none()

    def includes_region(self, region_id: int) -> bool:
        """Whether the region's branches are in scope (a shopper's never are as a whole)."""
        return self.company_wide or region_id in self.regions


def scope_of(user) -> Scope:
    """The scope of `user`; a Scope passed in is its own scope (system work)."""
    if isinstance(user, Scope):
        return user
    if user is None or not user.is_authenticated:
        return Scope.nothing()
    identity = shows_shopper_identity(user)
    if sees_everything(user):
        # A superuser who is also a regional manager keeps the manager's blind spot.
        return Scope(company_wide=True, shows_identity=identity)
    if user.role == Role.REGIONAL_MANAGER:
        regions = frozenset(user.regions.values_list("pk", flat=True))
        return Scope(regions=regions, shows_identity=identity)
    if user.role == Role.SHOPPER:
        return Scope(shopper_id=user.pk, shows_identity=identity)
    return Scope(shows_identity=identity)


def manages_region(user, region_id: int) -> bool:
    """Whether `user` acts for the region as its regional manager: appeals its visits, submits its plans."""
    return user.role == Role.REGIONAL_MANAGER and scope_of(user).includes_region(region_id)
