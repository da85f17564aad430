"""Stored renderings: scorecard PDFs cached by their inputs, and per-region zips."""

from django.conf import settings
from django.db import models


class Scorecard(models.Model):
    """A rendered scorecard PDF.

    `key` hashes everything the PDF depends on (the branch, period, language,
    and a stamp of every visit in the periods it shows), so a changed visit
    makes a new key and the stale file is simply never served again.
    """

    key = models.CharField(max_length=64, unique=True)
    branch = models.ForeignKey("audits.Branch", on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=30)
    lang = models.CharField(max_length=8)
    file_name = models.CharField(max_length=200)
    size_bytes = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["branch", "period", "lang"], name="scorecard_lookup")]

    def __str__(self) -> str:
        return f"scorecard {self.branch_id} {self.period} {self.lang}"


class ScorecardBatch(models.Model):
    """A zip of every branch's scorecard in one region for one period."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    region = models.ForeignKey("audits.Region", on_delete=models.CASCADE, related_name="+")
    # Null: each branch's default checklist (the one it was visited with most).
    checklist = models.ForeignKey(
        "checklists.Checklist", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    period = models.CharField(max_length=30)
    lang = models.CharField(max_length=8)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.RUNNING)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    file_name = models.CharField(max_length=200, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["region", "period", "lang"], name="batch_lookup")]

    def __str__(self) -> str:
        return f"scorecards of region {self.region_id} {self.period} ({self.status})"


class ScorecardBatchPart(models.Model):
    """One branch's scorecard finished within a batch.

    A render task whose worker was killed after it counted itself, but before
    the broker heard so, runs again; its row is already here, so it counts
    nothing twice and the batch never looks finished before every branch is.
    """

    batch = models.ForeignKey(ScorecardBatch, on_delete=models.CASCADE, related_name="parts")
    # An id, not a key: a branch deleted while its batch runs still counts as done.
    branch_id = models.PositiveIntegerField()
    # The PDF the task stored, so the zip copies it without recomputing the
    # branch's cache key and extras; blank when the branch was deleted meanwhile.
    file_name = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["batch", "branch_id"], name="one_part_per_branch"),
        ]

    def __str__(self) -> str:
        return f"branch {self.branch_id} of batch {self.batch_id}"
