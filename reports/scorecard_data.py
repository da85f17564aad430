"""The data a branch scorecard shows, already computed and ordered.

The scorecard is rendered to PDF (WeasyPrint) and to web pages from the same
template, so everything the template needs is resolved up front: labels are
already translated, items already ordered, photos already shrunk to a
print-size data URI. Frozen dataclasses keep the renderer a pure function of
its input, which is what makes the output reproducible and cheap to test.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from reports.selectors.figures import ChoiceFigure, Figure
from reports.stats import Interval


@dataclass(frozen=True)
class TrendPoint:
    """One period on the trend line; ``score`` is None when nobody visited."""

    label: str
    score: Decimal | None


@dataclass(frozen=True)
class SectionRow:
    """A checklist section, with the averages the branch is compared against."""

    label: str
    score: Decimal | None
    region_avg: Decimal | None
    company_avg: Decimal | None


@dataclass(frozen=True)
class NamedScore:
    """A score on one axis: a RATER dimension or a service-standard area."""

    code: str
    label: str
    score: Decimal | None


@dataclass(frozen=True)
class ItemRow:
    """One checklist item aggregated over the period's approved visits."""

    code: str
    label: str
    factor: int | None
    score: Decimal | None
    answered: int
    failures: int
    critical: bool
    critical_failures: int
    # Visits of the period in which an upheld appeal re-scored this item.
    appealed: int = 0
    # False for a weight-0 item (a call's length): its answers are scored, but never count.
    scored: bool = True


@dataclass(frozen=True)
class PhotoEvidence:
    """A photo embedded as a ``data:image/jpeg;base64,…`` URI.

    A data URI (not a storage URL) because the PDF renderer is not allowed to
    fetch anything over the network.
    """

    data_uri: str
    caption: str


@dataclass(frozen=True)
class FocusItem:
    """An item that cost the branch points, with the wording of good practice."""

    code: str
    label: str
    points: Decimal
    good_practice: str


@dataclass(frozen=True)
class PlanRow:
    """An action plan of the branch, worded in the card's language.

    The month the plan is about, never the date of a visit: the card is read by
    regional managers, who are not told when the shopper came.
    """

    month: str  # the month the plan is about, named as the card names periods
    reason: str  # why it was opened: a critical item failed, or a month below standard
    items: str  # the plan's items, joined
    status: str  # the status code, for styling ("open", "reopened", …)
    status_label: str  # for last period's plans: what the next visit made of it
    due_date: date | None
    overdue: bool


@dataclass(frozen=True)
class ActionPlans:
    """The branch's action plans on the card's checklist, as they stood when the card was made."""

    open: tuple[PlanRow, ...]  # not verified yet: overdue first, then by due date
    more_open: int  # open plans beyond those listed
    previous: tuple[PlanRow, ...]  # accepted plans about the previous period, with their outcome
    previous_label: str  # the previous period's name


@dataclass(frozen=True)
class ScorecardData:
    """Everything one branch scorecard shows for one period."""

    lang: str  # "zh-Hans" or "en"
    branch_name: str
    branch_code: str
    region_name: str
    address: str
    period_label: str
    checklist_title: str
    visit_count: int
    score: Decimal | None
    band: str | None  # "below" | "meets" | "exceeds"
    expected: Decimal
    tolerance: Decimal
    rank_region: int | None
    region_size: int
    rank_company: int | None
    company_size: int
    interval: Interval | None  # 90 % confidence interval of `score`; None under two visits
    small_sample: bool  # scored from fewer than small_sample_visits visits: not ranked
    small_sample_visits: int
    change_significant: bool  # the intervals of this and the previous period do not overlap
    trend: tuple[TrendPoint, ...]  # 6 periods, oldest first, last = this period
    sections: tuple[SectionRow, ...]
    dimensions: tuple[NamedScore, ...]  # RATER, 5 entries
    areas: tuple[NamedScore, ...]  # procedure/people/environment
    items: tuple[ItemRow, ...]  # critical failures first, then checklist order
    photos: tuple[PhotoEvidence, ...]
    comments: tuple[str, ...]
    focus: tuple[FocusItem, ...]  # up to 3 items that cost the most points
    generated_at: datetime
    # Filled through settings.SCORECARD_EXTRAS (reports.scorecard_extras); None without a hook.
    action_plans: ActionPlans | None = None
    # The number items' raw figures (reports.selectors.figures), branch against region and company.
    figures: tuple[Figure, ...] = ()
    # The descriptive choices (the complainant type played), the same way.
    choices: tuple[ChoiceFigure, ...] = ()
    # The BPMP classes the checklist tags, against the region's and the company's average
    # branch; the reward class is the share of delighters shown.
    bpmp: tuple[SectionRow, ...] = ()
    # The key factors the branch has a score for, over every checklist that tags them,
    # against the company's average branch (region_avg None).
    factors: tuple[SectionRow, ...] = ()
    # How the checklist is shopped, named only when it is not a visit to the branch.
    channel_label: str = ""

    @property
    def has_visits(self) -> bool:
        """Whether the period has anything to show beyond the trend line."""
        return self.visit_count > 0
