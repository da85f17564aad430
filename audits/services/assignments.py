"""Writes of assignments: create (one or a batch), cancel, expire.

Every rule is checked for every row before anything is written, and all
problems are reported at once, keyed by field (`branch`) or, in a batch, by row
(`assignments[2].branch`): head office plans a month of visits in one go and
should fix the whole plan in one round.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.roles import Role, manages_assignments, shows_shopper_identity
from audits.models import Assignment, Branch, ShopperExclusion, User
from audits.selectors.scope import branches_visible_to
from backend.errors import Conflict
from checklists.models import ChecklistVersion

BULK_MAX = 500


@dataclass(frozen=True)
class AssignmentSpec:
    """One assignment to create, by the ids the API receives."""

    branch: int
    checklist_version: int
    shopper: int
    window_from: dt.date
    window_to: dt.date
    scenario: str = ""
    time_from: dt.time | None = None
    time_to: dt.time | None = None


def _gap_days(a_from: dt.date, a_to: dt.date, b_from: dt.date, b_to: dt.date) -> int:
    """Days between two windows; 0 when they overlap or touch."""
    return max(0, (b_from - a_to).days, (a_from - b_to).days)


def _too_close(a_from: dt.date, a_to: dt.date, b_from: dt.date, b_to: dt.date) -> bool:
    # Exactly ROTATION_DAYS apart is allowed: the rule is "not again within N days".
    rotation = settings.ROTATION_DAYS
    return rotation > 0 and _gap_days(a_from, a_to, b_from, b_to) < rotation


def _problems(
    *,
    created_by,
    specs: Sequence[AssignmentSpec],
    today: dt.date,
    where: Callable[[int, str], str],
) -> dict[str, list[str]]:
    """Every problem with every row, keyed by where(row index, field)."""
    errors: dict[str, list[str]] = {}

    def add(index: int, field: str, message: str) -> None:
        errors.setdefault(where(index, field), []).append(message)

    branch_ids = {s.branch for s in specs}
    shopper_ids = {s.shopper for s in specs}
    # Only branches in the caller's scope load: another region's branch reads
    # exactly like a missing one, so the answer does not reveal that it exists.
    branches = {b.pk: b for b in branches_visible_to(created_by).filter(pk__in=branch_ids)}
    versions = {
        v.pk: v
        for v in ChecklistVersion.objects.filter(pk__in={s.checklist_version for s in specs})
    }
    shoppers = {
        u.pk: u for u in User.objects.filter(pk__in=shopper_ids, role=Role.SHOPPER, is_active=True)
    }
    excluded = set(
        ShopperExclusion.objects.filter(
            shopper_id__in=shopper_ids, branch_id__in=branch_ids
        ).values_list("shopper_id", "branch_id")
    )
    earlier: dict[tuple[int, int], list[Assignment]] = defaultdict(list)
    for stored in (
        Assignment.objects.filter(shopper_id__in=shopper_ids, branch_id__in=branch_ids)
        .exclude(status=Assignment.Status.CANCELLED)
        .order_by("window_from", "id")
    ):
        earlier[(stored.shopper_id, stored.branch_id)].append(stored)
    in_batch: dict[tuple[int, int], list[int]] = defaultdict(list)
    # Regional managers never learn who visits (accounts.scope): for them a
    # refused shopper is reported as in _shopper_refusal, never naming the shopper,
    # their other assignments or windows.
    shopper_hidden = not shows_shopper_identity(created_by)
    refused: list[int] = []

    for index, spec in enumerate(specs):
        branch: Branch | None = branches.get(spec.branch)
        version = versions.get(spec.checklist_version)
        shopper = shoppers.get(spec.shopper)
        window_ok = spec.window_from <= spec.window_to and today <= spec.window_from

        # The rules that tie this shopper to this branch: exclusion and rotation.
        tied: list[str] = []
        if branch is not None and shopper is not None:
            pair = (shopper.pk, branch.pk)
            if pair in excluded:
                tied.append(f"Shopper {shopper.username} is excluded from branch {branch.code}.")
            for other in earlier[pair] if window_ok else []:
                if _too_close(spec.window_from, spec.window_to, other.window_from, other.window_to):
                    tied.append(
                        f"Shopper {shopper.username} already has assignment {other.pk} at branch "
                        f"{branch.code} ({other.window_from} to {other.window_to}); the same "
                        f"branch needs {settings.ROTATION_DAYS} days between windows."
                    )

        if branch is None:
            add(index, "branch", f"No branch {spec.branch} in the regions you manage.")
        elif not branch.active:
            add(index, "branch", f"Branch {branch.code} is inactive.")

        if version is None:
            add(index, "checklist_version", f"No checklist version {spec.checklist_version}.")
        elif not version.is_published:
            add(
                index,
                "checklist_version",
                f"Checklist version {version.pk} is a draft: only published versions can be assigned.",
            )

        if shopper_hidden:
            if shopper is None or tied:
                refused.append(index)
        elif shopper is None:
            add(index, "shopper", f"User {spec.shopper} is not an active shopper.")

        if spec.window_from > spec.window_to:
            add(index, "window_to", "The window cannot end before it starts.")
        if spec.window_from < today:
            add(index, "window_from", f"The window cannot start in the past (today is {today}).")
        if spec.window_to < today:
            add(index, "window_to", f"The window cannot end in the past (today is {today}).")
        if (
            spec.time_from is not None
            and spec.time_to is not None
            and spec.time_from >= spec.time_to
        ):
            add(index, "time_to", "The time window must end after it starts.")

        if not shopper_hidden:
            for problem in tied:
                add(index, "branch", problem)
        # Rows of the batch against each other, by the shopper id sent: for a regional
        # manager this must not depend on whether that id is a shopper's.
        if branch is None or (shopper is None and not shopper_hidden) or not window_ok:
            continue
        pair = (spec.shopper, branch.pk)
        for other_index in in_batch[pair]:
            other = specs[other_index]
            if not _too_close(spec.window_from, spec.window_to, other.window_from, other.window_to):
                continue
            if shopper_hidden:
                add(
                    index,
                    "branch",
                    f"The same shopper is also sent to branch {branch.code} by "
                    f"assignments[{other_index}] of this batch; the same branch needs "
                    f"{settings.ROTATION_DAYS} days between windows.",
                )
            else:
                add(
                    index,
                    "branch",
                    f"Shopper {shopper.username} is also sent to branch {branch.code} by "
                    f"assignments[{other_index}] of this batch "
                    f"({other.window_from} to {other.window_to}); the same branch needs "
                    f"{settings.ROTATION_DAYS} days between windows.",
                )
        in_batch[pair].append(index)
    if refused and not errors:
        errors.update(_shopper_refusal(single=len(specs) == 1, where=where))
    return errors


def _shopper_refusal(*, single: bool, where: Callable[[int, str], str]) -> dict[str, list[str]]:
    """How a regional manager learns that a shopper id was refused: as little as can be.

    Only once everything else in the request is right, one message whatever the
    reason (not an active shopper, excluded, rotation), and in a batch without
    naming the row: otherwise a request that creates nothing (another error, or
    another row, fails it) would tell which ids are shoppers' and where they went.
    """
    reasons = (
        f"not an active shopper, excluded from the branch, or sent to it within "
        f"{settings.ROTATION_DAYS} days"
    )
    if single:
        return {where(0, "shopper"): [f"This shopper cannot be given this assignment: {reasons}."]}
    message = f"A shopper of this batch cannot be given their assignment: {reasons}."
    return {"assignments": [message]}


def _create(
    *,
    created_by,
    specs: Sequence[AssignmentSpec],
    today: dt.date | None,
    where: Callable[[int, str], str],
) -> list[Assignment]:
    if not manages_assignments(created_by):
        raise PermissionDenied("Only head office and regional managers may create assignments.")
    today = today or timezone.localdate()
    with transaction.atomic():
        # Locking the shoppers serialises concurrent plans for the same shopper,
        # so two requests cannot both pass the rotation check and both insert.
        list(
            User.objects.select_for_update()
            .filter(pk__in={s.shopper for s in specs})
            .order_by("pk")
        )
        errors = _problems(created_by=created_by, specs=specs, today=today, where=where)
        if errors:
            raise ValidationError(errors)
        return Assignment.objects.bulk_create(
            [
                Assignment(
                    branch_id=s.branch,
                    checklist_version_id=s.checklist_version,
                    shopper_id=s.shopper,
                    scenario=s.scenario,
                    window_from=s.window_from,
                    window_to=s.window_to,
                    time_from=s.time_from,
                    time_to=s.time_to,
                    created_by=created_by,
                )
                for s in specs
            ]
        )


def assignment_check(*, created_by, spec: AssignmentSpec, today: dt.date | None = None) -> None:
    """Raise ValidationError naming every problem with one assignment, or return None."""
    errors = _problems(
        created_by=created_by,
        specs=[spec],
        today=today or timezone.localdate(),
        where=lambda _index, field: field,
    )
    if errors:
        raise ValidationError(errors)


def assignment_create(
    *,
    created_by,
    branch: int,
    checklist_version: int,
    shopper: int,
    window_from: dt.date,
    window_to: dt.date,
    scenario: str = "",
    time_from: dt.time | None = None,
    time_to: dt.time | None = None,
    today: dt.date | None = None,
) -> Assignment:
    spec = AssignmentSpec(
        branch=branch,
        checklist_version=checklist_version,
        shopper=shopper,
        scenario=scenario,
        window_from=window_from,
        window_to=window_to,
        time_from=time_from,
        time_to=time_to,
    )
    (assignment,) = _create(
        created_by=created_by, specs=[spec], today=today, where=lambda _index, field: field
    )
    return assignment


def assignments_create(
    *,
    created_by,
    specs: Sequence[AssignmentSpec],
    today: dt.date | None = None,
) -> list[Assignment]:
    """Create a batch all or nothing; errors are keyed `assignments[<row>].<field>`."""
    if not specs:
        raise ValidationError({"assignments": ["Send at least one assignment."]})
    if len(specs) > BULK_MAX:
        raise ValidationError({"assignments": [f"At most {BULK_MAX} assignments at once."]})
    return _create(
        created_by=created_by,
        specs=specs,
        today=today,
        where=lambda index, field: f"assignments[{index}].{field}",
    )


@transaction.atomic
def assignment_cancel(*, assignment: Assignment, cancelled_by) -> Assignment:
    """Cancel an open assignment; anything the shopper has already acted on is a conflict."""
    if not (
        manages_assignments(cancelled_by)
        and branches_visible_to(cancelled_by).filter(pk=assignment.branch_id).exists()
    ):
        raise PermissionDenied("Only head office and the region's managers may cancel this.")
    # Locking the row makes cancel and a racing visit upload exclude each other.
    locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
    if locked.status != Assignment.Status.OPEN:
        raise Conflict(
            f"Assignment {locked.pk} is {locked.status}; only open assignments can be cancelled.",
            code="not_open",
            extra={"status": locked.status},
        )
    locked.status = Assignment.Status.CANCELLED
    locked.save(update_fields=["status", "updated_at"])
    return locked


@transaction.atomic
def assignments_expire(*, today: dt.date) -> int:
    """Mark open assignments whose window ended before `today` as expired; return how many."""
    # One conditional UPDATE: an upload committing first leaves the row submitted,
    # which the status filter then skips. update() bypasses auto_now, hence updated_at.
    return Assignment.objects.filter(status=Assignment.Status.OPEN, window_to__lt=today).update(
        status=Assignment.Status.EXPIRED,
        updated_at=timezone.now(),
    )
