"""Checklist templates, their versions, sections and items.

A Checklist is the template a company audits against ("26 key factors").
Its content lives in ChecklistVersions: a draft is editable; publishing freezes
it, and visits point at the exact version they used, so a later edit never
changes an old score. Edits go through checklists.services, which refuse to
touch a published version.
"""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

LANGUAGES = [("zh-Hans", "简体中文"), ("en", "English")]


class AnswerType(models.TextChoices):
    YES_NO = "yes_no", "Yes / no"
    SCALE5 = "scale5", "Five-level scale"
    SCALE6 = "scale6", "Six-level scale"
    NUMBER = "number", "Number with thresholds"
    CHOICE = "choice", "Single choice"
    TEXT = "text", "Free text (unscored)"
    DATETIME = "datetime", "Date and time (unscored)"
    PHOTO = "photo", "Photo (unscored evidence)"


class Rater(models.TextChoices):
    RELIABILITY = "reliability", "Reliability 信赖度"
    ASSURANCE = "assurance", "Assurance 专业度"
    TANGIBLES = "tangibles", "Tangibles 有形度"
    EMPATHY = "empathy", "Empathy 同理度"
    RESPONSIVENESS = "responsiveness", "Responsiveness 反应度"


class Area(models.TextChoices):
    PROCEDURE = "procedure", "Procedure 程序"
    PEOPLE = "people", "People 个人"
    ENVIRONMENT = "environment", "Environment 环境"


class Bpmp(models.TextChoices):
    BASIC = "basic", "Basic"
    PERFORMANCE = "performance", "Performance"
    MOTIVATION = "motivation", "Motivation (reward)"
    PUNISHMENT = "punishment", "Punishment"


class Channel(models.TextChoices):
    """How the shopper meets the company: the checks that prove a visit depend on it."""

    BRANCH = "branch", "In the branch 到店"
    PHONE = "phone", "Mystery call 神秘来电"
    WRITTEN = "written", "Written (letter, e-mail or web form) 书面"


class Checklist(models.Model):
    code = models.SlugField(max_length=60, unique=True)
    channel = models.CharField(
        max_length=10,
        choices=Channel.choices,
        default=Channel.BRANCH,
        help_text=(
            "Where the shop happens. Location and duration checks apply to branch visits only; "
            "an assignment's channel is its checklist's."
        ),
    )
    language = models.CharField(
        max_length=8,
        choices=LANGUAGES,
        default="zh-Hans",
        help_text="The checklist's own language, used when the caller asks for neither.",
    )
    title_zh = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200)
    description_zh = models.TextField(blank=True)
    description_en = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.title_en} ({self.code})"


class ChecklistVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    checklist = models.ForeignKey(Checklist, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    expected_score = models.DecimalField(
        max_digits=4,
        decimal_places=1,
        default=Decimal("80.0"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="The standard: the score a branch is expected to reach.",
    )
    tolerance = models.DecimalField(
        max_digits=4,
        decimal_places=1,
        default=Decimal("5.0"),
        validators=[MinValueValidator(0), MaxValueValidator(50)],
        help_text="Scores within expected ± tolerance meet expectation.",
    )
    notes = models.TextField(blank=True, help_text="What changed in this version.")
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    library_hash = models.CharField(
        max_length=64,
        blank=True,
        help_text="For versions loaded from the bundled library: hash of the source file.",
    )
    based_on = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["checklist__code", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["checklist", "number"], name="unique_version_number"),
            # One draft at a time: competing drafts would let an older one be
            # published over a newer one.
            models.UniqueConstraint(
                fields=["checklist"],
                condition=models.Q(status="draft"),
                name="one_draft_per_checklist",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.checklist.code} v{self.number} ({self.status})"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class Section(models.Model):
    version = models.ForeignKey(ChecklistVersion, on_delete=models.CASCADE, related_name="sections")
    code = models.SlugField(max_length=40)
    position = models.PositiveIntegerField(default=0)
    title_zh = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200)
    weight = models.DecimalField(
        max_digits=6, decimal_places=2, default=Decimal(1), validators=[MinValueValidator(0)]
    )

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="unique_section_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.title_en}"


class Item(models.Model):
    """One question. Its `code` is what the phone sends back as `question`.

    The code is stable across versions of a checklist ("F24" stays factor 24),
    which is what lets reports compare items over time.
    """

    # The version is implied by the section; it is stored too so that an item
    # code can be unique per version in the database.
    version = models.ForeignKey(ChecklistVersion, on_delete=models.CASCADE, related_name="items")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="items")
    code = models.SlugField(max_length=40)
    position = models.PositiveIntegerField(default=0)
    text_zh = models.CharField(max_length=300)
    text_en = models.CharField(max_length=300)
    help_zh = models.TextField(blank=True)
    help_en = models.TextField(blank=True)
    good_practice_zh = models.TextField(blank=True)
    good_practice_en = models.TextField(blank=True)
    answer_type = models.CharField(max_length=10, choices=AnswerType.choices)
    weight = models.DecimalField(
        max_digits=6, decimal_places=2, default=Decimal(1), validators=[MinValueValidator(0)]
    )
    critical = models.BooleanField(
        default=False, help_text="Knock-out: failing it zeroes the section."
    )
    required = models.BooleanField(default=True)
    allow_na = models.BooleanField(default=False)
    photo_required = models.BooleanField(default=False)
    comment_on_failure = models.BooleanField(default=False)
    rater = models.CharField(max_length=16, choices=Rater.choices, blank=True)
    area = models.CharField(max_length=12, choices=Area.choices, blank=True)
    factor = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(26)],
        help_text="Key-factor number 1–26 from the reference.",
    )
    bpmp = models.CharField(max_length=12, choices=Bpmp.choices, blank=True)
    # [{"min": "0", "max": "10", "score": "100"}, …] — first match wins.
    thresholds = models.JSONField(default=list, blank=True)
    # [{"value": "resolved", "label": {"zh-Hans": …, "en": …}, "score": "100"}, …]
    options = models.JSONField(default=list, blank=True)
    unit_zh = models.CharField(max_length=20, blank=True)
    unit_en = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["section__position", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="unique_item_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.text_en}"

    @property
    def is_descriptive_choice(self) -> bool:
        """A choice whose options carry no score (the complainant type a shopper played).

        Recorded and reported as what shoppers recorded, never scored: a blank
        score is no score, as checklists.rules reads it.
        """
        return (
            self.answer_type == AnswerType.CHOICE
            and bool(self.options)
            and all(option.get("score") in (None, "") for option in self.options)
        )
