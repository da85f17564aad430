"""What the layers above reports add to a scorecard, through settings.SCORECARD_EXTRAS.

Reports sits below actions and appeals ("closing the loop"), so it may not
import them; yet the scorecard shows the branch's action plans. As with
OUTBOX_HANDLERS, settings names the hooks by dotted path and reports calls them
without knowing who they are. Reports owns the contract: the parts a hook may
fill (PARTS) and their shape, plain frozen data with codes rather than wording,
which reports words in the card's language itself (reports.labels).

A hook is called as ``hook(branch=, checklist=, period=, lang=)`` and returns a
dict of the parts it fills, e.g. ``{"action_plans": PlanFacts(...)}``.

A region's zip holds every card of the region at once, and asking each hook
for each branch on every download would cost as much as the cards' keys; so
the layer that fills a part also names, in settings.SCORECARD_EXTRAS_CHANGED, a
hook ``changed(region=, since=)`` saying whether what it fills for any branch
of the region may have changed since a moment (scorecard_extras_changed).

What the hooks return is also stamped into the scorecard's cache key
(extras_fingerprint): a plan accepted, verified or turning overdue overnight
then makes a new key, so a stored PDF never shows stale plans.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from reports.periods import Period

if TYPE_CHECKING:  # models only for the hints: the contract stays importable without apps
    from audits.models import Branch, Region
    from checklists.models import Checklist


@dataclass(frozen=True)
class PlanFact:
    """One action plan, as the scorecard needs it.

    Only the month the plan is about: never the date of the visit that opened
    or checked it, which would help a regional manager work out who visited.
    """

    month: str  # "2026-10"
    reason: str  # "critical_failure" | "below_standard"
    status: str  # open | submitted | sent_back | accepted | verified | reopened
    items: tuple[str, ...]  # the plan's items, worded in the card's language
    due_date: dt.date | None
    overdue: bool  # due date passed and not yet accepted or verified
    did_not_fix: bool  # a later visit failed the plan's items again after acceptance


@dataclass(frozen=True)
class PlanFacts:
    """The branch's plans on the card's checklist.

    - open: not yet verified (about this period or earlier), most urgent first;
    - previous: plans about the previous period that head office accepted,
      whatever the next visit made of them (verified, reopened, still waiting).
    """

    open: tuple[PlanFact, ...]
    previous: tuple[PlanFact, ...]


# The parts of a card a hook may fill, and the type each must have.
PARTS: dict[str, type] = {"action_plans": PlanFacts}


def scorecard_extras(
    *, branch: Branch, checklist: Checklist, period: Period, lang: str
) -> dict[str, object]:
    """Call every hook in settings.SCORECARD_EXTRAS and merge the parts they fill.

    A hook that fills an unknown part, a part with the wrong type, or a part
    another hook already filled is a configuration error, raised rather than
    drawn wrong.
    """
    extras: dict[str, object] = {}
    for path in getattr(settings, "SCORECARD_EXTRAS", ()):
        parts = import_string(path)(branch=branch, checklist=checklist, period=period, lang=lang)
        for name, value in parts.items():
            expected = PARTS.get(name)
            if expected is None or not isinstance(value, expected):
                raise ImproperlyConfigured(
                    f"{path} filled scorecard part {name!r} with {type(value).__name__}; "
                    f"the parts are {', '.join(f'{k}: {v.__name__}' for k, v in PARTS.items())}."
                )
            if name in extras:
                raise ImproperlyConfigured(f"Two SCORECARD_EXTRAS hooks fill {name!r}.")
            extras[name] = value
    return extras


def extras_fingerprint(extras: dict[str, object]) -> str:
    """sha256 of what the hooks returned: equal when, and only when, the card shows the same.

    The content itself rather than a stamp of rows (count, latest updated_at):
    a plan turns overdue when a day passes, without any row changing. The parts
    are frozen dataclasses of strings, dates, booleans and tuples, whose repr is
    stable across processes.
    """
    return hashlib.sha256(repr(sorted(extras.items())).encode()).hexdigest()


def scorecard_extras_changed(*, region: Region, since: dt.datetime) -> bool:
    """Whether a hook of settings.SCORECARD_EXTRAS_CHANGED says what the extras show on a
    card of `region` may have changed after `since`: a zip made then is stale."""
    return any(
        import_string(path)(region=region, since=since)
        for path in getattr(settings, "SCORECARD_EXTRAS_CHANGED", ())
    )
