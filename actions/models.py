"""Action plans: what a branch does about a failed visit or a period below standard.

The layer above reports ("closing the loop": measure → act → re-measure). It may
import audits, checklists, reports and outbox; nothing below imports it. Writes
happen only in actions.services; reads in actions.selectors.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class ActionPlan(models.Model):
    class Reason(models.TextChoices):
        CRITICAL_FAILURE = "critical_failure", "Critical item failed"
        BELOW_STANDARD = "below_standard", "Period score below standard"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        SUBMITTED = "submitted", "Submitted"
        SENT_BACK = "sent_back", "Sent back"
        ACCEPTED = "accepted", "Accepted"
        VERIFIED = "verified", "Verified"
        REOPENED = "reopened", "Reopened"

    branch = models.ForeignKey("audits.Branch", on_delete=models.PROTECT, related_name="+")
    checklist = models.ForeignKey(
        "checklists.Checklist", on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(max_length=20, choices=Reason.choices)
    # The month the plan is about ("2026-10"): what a regional manager is told instead
    # of the visit's date, which would help them work out who visited.
    period = models.CharField(max_length=7)
    # The visit whose critical failure opened the plan; null for a period below standard.
    # Never shown to regional managers.
    visit = models.ForeignKey(
        "audits.Visit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # For a period below standard: the branch's period score and the standard then.
    score = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    expected_score = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    did_not_fix = models.BooleanField(
        default=False, help_text="A later visit failed the plan's items again after acceptance."
    )
    root_cause = models.TextField(blank=True)
    actions = models.TextField(blank=True)
    owner = models.CharField(max_length=150, blank=True, help_text="Who carries the actions out.")
    due_date = models.DateField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision_note = models.TextField(blank=True, help_text="Head office's note when sending back.")
    accepted_at = models.DateTimeField(null=True, blank=True)
    # The approved visit that verified or reopened the plan. Never shown to regional managers.
    checked_by_visit = models.ForeignKey(
        "audits.Visit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    checked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_date", "-period", "id"]
        constraints = [
            # The outbox may run the opening handler twice: these make a second run a no-op.
            models.UniqueConstraint(
                fields=["visit"],
                condition=Q(reason="critical_failure"),
                name="one_plan_per_critical_visit",
            ),
            models.UniqueConstraint(
                fields=["branch", "checklist", "period"],
                condition=Q(reason="below_standard"),
                name="one_plan_per_branch_period_below_standard",
            ),
            models.CheckConstraint(
                condition=Q(reason="below_standard") | Q(visit__isnull=False),
                name="critical_plan_has_visit",
            ),
        ]
        indexes = [models.Index(fields=["branch", "status"], name="actionplan_branch_status")]

    def __str__(self) -> str:
        return f"plan #{self.pk} {self.branch_id} {self.reason} {self.period} ({self.status})"


class ActionPlanItem(models.Model):
    """A checklist item the plan is about, with its wording when the plan was opened."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="items")
    item_code = models.SlugField(max_length=40)
    text_zh = models.CharField(max_length=300)
    text_en = models.CharField(max_length=300)
    critical = models.BooleanField(default=False)
    failures = models.PositiveIntegerField(
        default=1, help_text="Failed answers to the item behind the plan."
    )

    class Meta:
        ordering = ["-critical", "item_code"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "item_code"], name="unique_plan_item"),
        ]

    def __str__(self) -> str:
        return f"{self.item_code} of plan {self.plan_id}"


class ActionPlanEvidence(models.Model):
    """A photo the regional manager attached to a plan, stored only as re-encoded copies.

    Written by actions.services.action_plan_evidence_add; the files are at
    `action-plans/<plan>/evidence/<id>/{thumb,full}.jpg` (audits.services.evidence_files).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="evidence")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    filename = models.CharField(max_length=200, blank=True, help_text="As uploaded, for display.")
    content_type = models.CharField(max_length=40, help_text="Of the served copy.")
    size_bytes = models.PositiveIntegerField(help_text="Of the upload.")
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    # Names in the private storage; served only through the scoped API view.
    file_name = models.CharField(max_length=200)
    thumb_name = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"evidence {self.id} of plan {self.plan_id}"
