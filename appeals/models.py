"""Appeals: a regional manager contests items of an approved visit; head office decides.

The app sits above reports (it may import audits, checklists and reports; nothing
below imports it). Writes happen only in appeals.services. An upheld item amends
the visit through audits.services.amendments, whose AnswerCorrection row keeps the
old answer and score: that row is the score revision, linked from the item.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q


class Category(models.TextChoices):
    SCORING_ERROR = "scoring_error", "Scoring error"
    COMMENT_CONTRADICTS = "comment_contradicts", "The comment contradicts the score"
    OPERATIONAL_EXCEPTION = "operational_exception", "Operational exception"
    SHOPPER_ERROR = "shopper_error", "Shopper error"
    EVIDENCE_CONTRADICTS = "evidence_contradicts", "Evidence contradicts (CCTV, receipt)"


class Decision(models.TextChoices):
    """What head office may decide: an appeal's status once decided."""

    UPHELD = "upheld", "Upheld"
    PARTIALLY_UPHELD = "partially_upheld", "Partially upheld"
    REJECTED = "rejected", "Rejected"


class Appeal(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        UPHELD = "upheld", "Upheld"
        PARTIALLY_UPHELD = "partially_upheld", "Partially upheld"
        REJECTED = "rejected", "Rejected"

    visit = models.ForeignKey("audits.Visit", on_delete=models.PROTECT, related_name="appeals")
    # The visit's branch, copied so appeals are scoped by branch without a join through visits.
    branch = models.ForeignKey("audits.Branch", on_delete=models.PROTECT, related_name="appeals")
    submitted_by = models.ForeignKey("audits.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    decision_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        "audits.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["branch", "status"], name="appeal_branch_status")]

    def __str__(self) -> str:
        return f"appeal #{self.pk} of visit {self.visit_id} ({self.status})"


class AppealItem(models.Model):
    class Outcome(models.TextChoices):
        UPHELD = "upheld", "Upheld"
        REJECTED = "rejected", "Rejected"

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="items")
    # Copied from the appeal, for the constraint below: one open appeal per visit item.
    visit = models.ForeignKey("audits.Visit", on_delete=models.PROTECT, related_name="+")
    item_code = models.SlugField(max_length=40)
    category = models.CharField(max_length=24, choices=Category.choices)
    argument = models.TextField()
    evidence = models.CharField(
        max_length=500, blank=True, help_text='A reference, e.g. "CCTV 10:42, receipt no. 123".'
    )
    open = models.BooleanField(default=True)
    outcome = models.CharField(max_length=8, choices=Outcome.choices, blank=True)
    new_na = models.BooleanField(default=False)
    new_value = models.JSONField(null=True, blank=True)
    # The score revision an upheld item made: old and new answer, item and visit score.
    correction = models.OneToOneField(
        "audits.AnswerCorrection",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appeal_item",
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["visit", "item_code"],
                condition=Q(open=True),
                name="one_open_appeal_per_visit_item",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_code} ({self.category})"


class AppealEvidence(models.Model):
    """A file the regional manager attached to an appeal: a photo (re-encoded) or a PDF.

    Written by appeals.services.appeal_evidence_add; the files are at
    `appeals/<appeal>/evidence/<id>/{thumb,full}.jpg` or `.../pdf.pdf`
    (audits.services.evidence_files). The items' text `evidence` references stay.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="evidence_files")
    uploaded_by = models.ForeignKey("audits.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    filename = models.CharField(max_length=200, blank=True, help_text="As uploaded, for display.")
    content_type = models.CharField(max_length=40, help_text="Of the served file.")
    size_bytes = models.PositiveIntegerField(help_text="Of the upload.")
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    # Names in the private storage; served only through the scoped API view.
    file_name = models.CharField(max_length=200)
    thumb_name = models.CharField(max_length=200, blank=True, help_text="Photos only.")

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"evidence {self.id} of appeal {self.appeal_id}"
