"""People, organisation, assignments, visits, answers, photos and review.

Writes to these models happen only in audits.services; reads that do more than
a lookup live in audits.selectors.
"""

import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Now

from accounts import roles
from accounts.roles import Role


class Region(models.Model):
    code = models.SlugField(max_length=30, unique=True)
    name_zh = models.CharField(max_length=100)
    name_en = models.CharField(max_length=100)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name_en


class User(AbstractUser):
    """A person who signs in. The model stays here, its rules live in accounts.

    AUTH_USER_MODEL is "audits.User": moving it to accounts once its tables
    exist would mean rewriting the migration history (Django ticket #25313).
    """

    role = models.CharField(max_length=20, choices=Role.choices, default=Role.SHOPPER)
    regions = models.ManyToManyField(
        Region,
        blank=True,
        related_name="managers",
        help_text="For regional managers: the regions they may see.",
    )

    # The rules live in accounts.roles; these delegates serve templates and old call sites.
    @property
    def sees_everything(self) -> bool:
        return roles.sees_everything(self)

    @property
    def configures(self) -> bool:
        return roles.configures(self)


class Branch(models.Model):
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="branches")
    code = models.SlugField(max_length=30, unique=True)
    name_zh = models.CharField(max_length=150)
    name_en = models.CharField(max_length=150)
    address_zh = models.CharField(max_length=300, blank=True)
    address_en = models.CharField(max_length=300, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    active = models.BooleanField(default=True)
    # Branches are edited in the admin, outside the services that bump report stamps:
    # memoised company-wide reports stamp the latest edit (reports.selectors.company_stamp).
    # A database default too, so rows loaded with plain SQL have one.
    updated_at = models.DateTimeField(auto_now=True, db_default=Now())

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "branches"

    def __str__(self) -> str:
        return f"{self.code} {self.name_en}"


class ShopperProfile(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="shopper_profile")
    phone = models.CharField(max_length=30, blank=True)
    languages = models.CharField(max_length=100, blank=True, help_text="e.g. zh-Hans, en")
    home_city = models.CharField(max_length=100, blank=True)

    def __str__(self) -> str:
        return f"profile of {self.user.username}"


class ShopperExclusion(models.Model):
    """A branch a shopper must never visit, e.g. where they or family work."""

    # No index of its own: unique_exclusion leads with it.
    shopper = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="exclusions", db_index=False
    )
    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="excluded_shoppers")
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["shopper", "branch"], name="unique_exclusion"),
        ]

    def __str__(self) -> str:
        return f"{self.shopper.username} never visits {self.branch.code}"


class Assignment(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        SUBMITTED = "submitted", "Submitted"
        CLOSED = "closed", "Closed"
        EXPIRED = "expired", "Expired"
        CANCELLED = "cancelled", "Cancelled"

    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="assignments")
    checklist_version = models.ForeignKey(
        "checklists.ChecklistVersion", on_delete=models.PROTECT, related_name="assignments"
    )
    # No index of its own: assignment_shopper_status and assignment_rotation lead with it.
    shopper = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="assignments", db_index=False
    )
    scenario = models.TextField(blank=True, help_text='e.g. "ask for a refund"')
    window_from = models.DateField()
    window_to = models.DateField()
    time_from = models.TimeField(null=True, blank=True)
    time_to = models.TimeField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="assignments_created", null=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["window_from", "id"]
        indexes = [
            models.Index(fields=["shopper", "status"], name="assignment_shopper_status"),
            models.Index(fields=["shopper", "branch", "window_to"], name="assignment_rotation"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.branch.code} → {self.shopper.username}"


class Visit(models.Model):
    class Status(models.TextChoices):
        INCOMPLETE = "incomplete", "Incomplete (photos missing)"
        SUBMITTED = "submitted", "Submitted"
        RETURNED = "returned", "Returned to shopper"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    class Band(models.TextChoices):
        BELOW = "below", "Below expectation"
        MEETS = "meets", "Meets expectation"
        EXCEEDS = "exceeds", "Exceeds expectation"

    # The phone generates the id, which is what makes a retried upload idempotent.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    assignment = models.OneToOneField(Assignment, on_delete=models.PROTECT, related_name="visit")
    shopper = models.ForeignKey(User, on_delete=models.PROTECT, related_name="visits")
    # No index of its own: visit_branch_period leads with branch, visit_report_period with checklist.
    branch = models.ForeignKey(
        Branch, on_delete=models.PROTECT, related_name="visits", db_index=False
    )
    checklist = models.ForeignKey(
        "checklists.Checklist", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    checklist_version = models.ForeignKey(
        "checklists.ChecklistVersion", on_delete=models.PROTECT, related_name="visits"
    )
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField()
    visited_on = models.DateField(help_text="Local date of the visit, for reporting periods.")
    location_lat = models.FloatField(null=True, blank=True)
    location_lng = models.FloatField(null=True, blank=True)
    location_accuracy_m = models.FloatField(null=True, blank=True)
    comment = models.TextField(blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.INCOMPLETE)
    revision = models.PositiveIntegerField(default=1)
    body_hash = models.CharField(max_length=64, help_text="sha256 of the canonical upload body.")
    score = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    band = models.CharField(max_length=8, choices=Band.choices, blank=True)
    critical_failure = models.BooleanField(default=False)
    confidence = models.PositiveSmallIntegerField(null=True, blank=True)
    flagged = models.BooleanField(default=False, help_text="Doubtful: a human must look.")
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    review_note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [
            # Reports: approved visits of one checklist in a period, by branch.
            models.Index(
                fields=["checklist", "status", "visited_on"],
                include=["branch", "score"],
                name="visit_report_period",
            ),
            models.Index(fields=["branch", "visited_on"], name="visit_branch_period"),
            models.Index(fields=["status", "submitted_at"], name="visit_review_queue"),
            models.Index(fields=["visited_on", "updated_at"], name="visit_period_changes"),
        ]

    def __str__(self) -> str:
        return f"visit {self.id} ({self.status})"


class VisitRevision(models.Model):
    """An earlier body of a visit, kept when the shopper corrects a returned visit."""

    # No index of its own: unique_visit_revision leads with it.
    visit = models.ForeignKey(
        Visit, on_delete=models.CASCADE, related_name="revisions", db_index=False
    )
    revision = models.PositiveIntegerField()
    body = models.JSONField()
    score = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["revision"]
        constraints = [
            models.UniqueConstraint(fields=["visit", "revision"], name="unique_visit_revision"),
        ]

    def __str__(self) -> str:
        return f"visit {self.visit_id} revision {self.revision}"


class Answer(models.Model):
    # Every index an answer carries is paid 26 times per uploaded visit: no index of
    # its own for the visit (unique_answer_per_item and answer_report lead with it)
    # nor for the code (read only through the visit, never alone).
    visit = models.ForeignKey(
        Visit, on_delete=models.CASCADE, related_name="answers", db_index=False
    )
    item = models.ForeignKey("checklists.Item", on_delete=models.PROTECT, related_name="+")
    item_code = models.SlugField(max_length=40, db_index=False)
    value = models.JSONField(null=True, blank=True)
    na = models.BooleanField(default=False)
    comment = models.TextField(blank=True)
    # Computed by checklists.scoring when the visit is scored or re-scored, so
    # reports never re-score answers.
    score = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    failed = models.BooleanField(default=False)
    critical_failure = models.BooleanField(default=False)
    gain = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["item__section__position", "item__position"]
        constraints = [
            models.UniqueConstraint(fields=["visit", "item"], name="unique_answer_per_item"),
        ]
        indexes = [
            # Drivers from the visits (the roll-ups' baseline) and rebuild_rollups read
            # only these columns of a period's answers.
            models.Index(
                fields=["visit"],
                include=["item_code", "score", "failed", "gain"],
                name="answer_report",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_code} = {self.value!r}{' (N/A)' if self.na else ''}"


class VisitScore(models.Model):
    """A pre-computed score of one visit: per section, RATER dimension, area or factor."""

    class Kind(models.TextChoices):
        SECTION = "section", "Section"
        DIMENSION = "dimension", "RATER dimension"
        AREA = "area", "Service-standard area"
        FACTOR = "factor", "Key factor"

    # No index of its own: unique_visit_score and visitscore_report lead with it.
    visit = models.ForeignKey(
        Visit, on_delete=models.CASCADE, related_name="scores", db_index=False
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    key = models.CharField(max_length=40)
    score = models.DecimalField(max_digits=4, decimal_places=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["visit", "kind", "key"], name="unique_visit_score"),
        ]
        indexes = [
            # Section and dimension columns of the comparison, read index-only.
            models.Index(
                fields=["visit"], include=["kind", "key", "score"], name="visitscore_report"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}: {self.score}"


class Photo(models.Model):
    """A photo declared in a visit's manifest; `received_at` is set when its bytes arrive."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="photos")
    item_code = models.SlugField(max_length=40, blank=True)
    sha256 = models.CharField(max_length=64)
    received_at = models.DateTimeField(null=True, blank=True)
    # Names in the private storage; never exposed as URLs except signed, short-lived ones.
    original_name = models.CharField(max_length=200, blank=True)
    thumb_name = models.CharField(max_length=200, blank=True)
    print_name = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=40, blank=True)
    size_bytes = models.PositiveIntegerField(null=True, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    taken_at = models.DateTimeField(
        null=True, blank=True, help_text="From EXIF, for review checks."
    )
    gps_lat = models.FloatField(null=True, blank=True)
    gps_lng = models.FloatField(null=True, blank=True)
    phash = models.CharField(max_length=16, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"photo {self.id} of visit {self.visit_id}"

    @property
    def received(self) -> bool:
        return self.received_at is not None


class VisitCheck(models.Model):
    """One automatic review check of a visit, with its evidence."""

    # No index of its own: unique_visit_check leads with it.
    visit = models.ForeignKey(
        Visit, on_delete=models.CASCADE, related_name="checks", db_index=False
    )
    code = models.SlugField(max_length=40)
    passed = models.BooleanField()
    message = models.CharField(max_length=300)
    evidence = models.JSONField(default=dict)
    penalty = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["passed", "code"]
        constraints = [
            models.UniqueConstraint(fields=["visit", "code"], name="unique_visit_check"),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {'passed' if self.passed else self.message}"


class Review(models.Model):
    class Decision(models.TextChoices):
        APPROVE = "approve", "Approve"
        RETURN = "return", "Return to shopper"
        REJECT = "reject", "Reject"

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=8, choices=Decision.choices)
    note = models.TextField(blank=True)
    question_notes = models.JSONField(default=dict, blank=True)
    revision = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.decision} by {self.reviewer_id} at revision {self.revision}"


class AnswerCorrection(models.Model):
    """The audit trail of a reviewer's correction of an answer."""

    class Source(models.TextChoices):
        REVIEW = "review", "Review"
        # An upheld appeal amends an approved visit; the appeal itself lives in the
        # appeals app, above audits, so only its kind can be named here.
        APPEAL = "appeal", "Appeal"

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="corrections")
    item_code = models.SlugField(max_length=40)
    old_value = models.JSONField(null=True)
    new_value = models.JSONField(null=True)
    old_na = models.BooleanField(default=False)
    new_na = models.BooleanField(default=False)
    old_score = models.DecimalField(max_digits=4, decimal_places=1, null=True)
    new_score = models.DecimalField(max_digits=4, decimal_places=1, null=True)
    old_visit_score = models.DecimalField(max_digits=4, decimal_places=1, null=True)
    new_visit_score = models.DecimalField(max_digits=4, decimal_places=1, null=True)
    reason = models.TextField()
    corrected_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    corrected_at = models.DateTimeField(auto_now_add=True)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.REVIEW)

    class Meta:
        ordering = ["corrected_at", "id"]

    def __str__(self) -> str:
        return f"{self.item_code}: {self.old_value!r} → {self.new_value!r}"


# Roll-ups: the approved visits' numbers summed per branch and day and per branch
# and month (RollupGrain), so that head office's reports over 10,000 branches read
# thousands of rows, not a million visits; any from/to range is a sum of whole
# months and the days at its edges. Written only
# by audits.services.rollups, in the transaction of the visit change they follow;
# `manage.py rebuild_rollups` recomputes them from the visits and reports drift.
# Sums are exact decimals (one place for scores, two for squares and gains), so a
# mean or an interval taken from them equals the one taken from the visits.
# Counts are plain integers, not positive ones: a roll-up that drifted below zero
# must not make an approval fail; rebuild_rollups --check finds it instead.


class RollupGrain(models.TextChoices):
    """How much time one roll-up row sums.

    Every approved visit is in one day row and one month row (day = the month's
    first day). A report over a range reads month rows for the whole months in it
    and day rows for the days at its edges (audits.selectors.rollups.rollup_days):
    at ~8 visits per branch a month a day row holds one visit, so day rows alone
    save no reading, while a month's report reads one row per branch and key.
    """

    DAY = "day", "day"
    MONTH = "month", "month"


class VisitRollup(models.Model):
    """Approved visits of one branch on one day, per checklist version they were scored against.

    Keyed by version rather than checklist so the comparison can name the
    section columns of the versions a period used without reading visits.
    """

    # No indexes of their own: unique_visit_rollup leads with branch, the report index
    # with checklist.
    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="+", db_index=False)
    # Denormalised from the version: reports filter by checklist and day.
    checklist = models.ForeignKey(
        "checklists.Checklist", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    checklist_version = models.ForeignKey(
        "checklists.ChecklistVersion", on_delete=models.CASCADE, related_name="+"
    )
    grain = models.CharField(max_length=5, choices=RollupGrain.choices, default=RollupGrain.DAY)
    day = models.DateField(help_text="The day, or the month's first day for a month row.")
    visits = models.IntegerField(default=0)
    scored = models.IntegerField(default=0, help_text="Visits with a score.")
    score_total = models.DecimalField(max_digits=20, decimal_places=1, default=0)
    score_squares = models.DecimalField(max_digits=24, decimal_places=2, default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["branch", "checklist_version", "grain", "day"],
                name="unique_visit_rollup",
            ),
        ]
        indexes = [
            models.Index(
                fields=["checklist", "grain", "day"],
                include=["branch", "visits", "scored", "score_total", "score_squares"],
                name="visit_rollup_report",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.branch_id} {self.day}: {self.visits} visit(s)"


class ScoreRollup(models.Model):
    """Approved visits' section, dimension, area or factor scores of one branch on one day."""

    # No indexes of their own: the unique constraint leads with branch, the report index
    # with checklist.
    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="+", db_index=False)
    checklist = models.ForeignKey(
        "checklists.Checklist", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    grain = models.CharField(max_length=5, choices=RollupGrain.choices, default=RollupGrain.DAY)
    day = models.DateField(help_text="The day, or the month's first day for a month row.")
    kind = models.CharField(max_length=10, choices=VisitScore.Kind.choices)
    key = models.CharField(max_length=40)
    count = models.IntegerField(default=0)
    total = models.DecimalField(max_digits=20, decimal_places=1, default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["branch", "checklist", "grain", "day", "kind", "key"],
                name="unique_score_rollup",
            ),
        ]
        indexes = [
            models.Index(
                fields=["checklist", "grain", "day"],
                include=["branch", "kind", "key", "count", "total"],
                name="score_rollup_report",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.branch_id} {self.day} {self.kind} {self.key}: {self.count}"


class ItemRollup(models.Model):
    """Approved visits' scored answers to one item, of one branch on one day: what drivers sums.

    Keyed by item code, not item, so the versions of a checklist add up under the
    code the drivers report lists them by. Only scored answers count (N/A and
    unanswered items are not), as in the drivers report.
    """

    # No indexes of their own: the unique constraint leads with branch, the report index
    # with checklist.
    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="+", db_index=False)
    checklist = models.ForeignKey(
        "checklists.Checklist", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    grain = models.CharField(max_length=5, choices=RollupGrain.choices, default=RollupGrain.DAY)
    day = models.DateField(help_text="The day, or the month's first day for a month row.")
    item_code = models.SlugField(max_length=40, db_index=False)  # read through the report index
    answers = models.IntegerField(default=0, help_text="Scored answers.")
    failures = models.IntegerField(default=0, help_text="Scored answers that failed.")
    score_total = models.DecimalField(max_digits=20, decimal_places=1, default=0)
    gain_total = models.DecimalField(max_digits=20, decimal_places=2, default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["branch", "checklist", "grain", "day", "item_code"],
                name="unique_item_rollup",
            ),
        ]
        indexes = [
            models.Index(
                fields=["checklist", "grain", "day"],
                include=["branch", "item_code", "answers", "failures", "score_total", "gain_total"],
                name="item_rollup_report",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.branch_id} {self.day} {self.item_code}: {self.answers} answer(s)"


class ReportStamp(models.Model):
    """A counter of the changes to what reports show of one checklist's month of approved visits.

    Bumped, never set: every change a scorecard can show adds one to the row of
    the visit's checklist and month, in the transaction of the change (approval,
    withdrawal, re-score of an approved visit, a print copy of its photo, a
    roll-up rebuild; audits.services.report_stamps). The scorecard cache key
    reads these few rows instead of aggregating the visits. Only a change of
    value matters, not the value: a month without a row is simply one nothing
    has changed since the stamps began.
    """

    # No index of its own: unique_report_stamp leads with it.
    checklist = models.ForeignKey(
        "checklists.Checklist", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    month = models.DateField(help_text="The month's first day.")
    changes = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            # Also the index the cache key reads by (checklist, months of the trend window).
            models.UniqueConstraint(fields=["checklist", "month"], name="unique_report_stamp"),
        ]

    def __str__(self) -> str:
        return f"{self.checklist_id} {self.month:%Y-%m}: {self.changes} change(s)"
