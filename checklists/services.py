"""Writes to checklists. A published version is frozen: every edit here refuses it."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from backend.errors import Conflict
from checklists.models import Channel, Checklist, ChecklistVersion, Item, Section
from checklists.validation import validate_version_content

EDITABLE_VERSION_FIELDS = {"expected_score", "tolerance", "notes"}
EDITABLE_ITEM_FIELDS = {
    "text_zh",
    "text_en",
    "help_zh",
    "help_en",
    "good_practice_zh",
    "good_practice_en",
    "weight",
    "critical",
    "required",
    "allow_na",
    "photo_required",
    "comment_on_failure",
    "rater",
    "area",
    "factor",
    "bpmp",
    "thresholds",
    "options",
    "position",
}


def _refuse_published(version: ChecklistVersion) -> None:
    if version.is_published:
        raise Conflict(
            f"Version {version.number} of {version.checklist.code} is published and frozen; "
            "create a new draft to change it.",
            code="version_published",
        )


@transaction.atomic
def checklist_version_update(*, version: ChecklistVersion, fields: dict) -> ChecklistVersion:
    version = ChecklistVersion.objects.select_for_update().get(pk=version.pk)
    _refuse_published(version)
    unknown = set(fields) - EDITABLE_VERSION_FIELDS
    if unknown:
        raise ValidationError({name: "This field cannot be changed." for name in sorted(unknown)})
    for name, value in fields.items():
        setattr(version, name, value)
    version.full_clean()
    version.save()
    return version


@transaction.atomic
def checklist_item_update(*, item: Item, fields: dict) -> Item:
    version = ChecklistVersion.objects.select_for_update().get(pk=item.version_id)
    _refuse_published(version)
    unknown = set(fields) - EDITABLE_ITEM_FIELDS
    if unknown:
        raise ValidationError({name: "This field cannot be changed." for name in sorted(unknown)})
    for name, value in fields.items():
        setattr(item, name, value)
    item.full_clean()
    item.save()
    validate_version_content(version)
    return item


def _refuse_outdated_draft(version: ChecklistVersion) -> None:
    """Refuse to publish a draft when a newer version of its checklist exists.

    Publishing it would make an older edit the current checklist and silently
    undo whatever the newer version changed (a library reload, say).
    """
    newest = (
        ChecklistVersion.objects.filter(checklist_id=version.checklist_id)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    if newest is not None and newest > version.number:
        message = (
            f"Version {version.number} of {version.checklist.code} is an outdated draft: "
            f"version {newest} is newer. Delete this draft and start a new one from "
            f"version {newest}."
        )
        raise Conflict(
            message,
            code="draft_outdated",
            extra={"errors": {"version": [message]}, "newest_version": newest},
        )


@transaction.atomic
def checklist_version_publish(*, version: ChecklistVersion) -> ChecklistVersion:
    # The checklist row is the lock every new version takes (new drafts, library
    # loads), so no newer version can appear between the check and the publish.
    Checklist.objects.select_for_update().get(pk=version.checklist_id)
    version = ChecklistVersion.objects.select_for_update().get(pk=version.pk)
    _refuse_published(version)
    _refuse_outdated_draft(version)
    validate_version_content(version)
    version.status = ChecklistVersion.Status.PUBLISHED
    version.published_at = timezone.now()
    version.save(update_fields=["status", "published_at"])
    return version


def _refuse_second_draft(checklist: Checklist) -> None:
    existing = checklist.versions.filter(status=ChecklistVersion.Status.DRAFT).first()
    if existing is not None:
        message = (
            f"{checklist.code} already has a draft (version {existing.number}); "
            "edit or delete it before starting another."
        )
        raise Conflict(
            message,
            code="draft_exists",
            extra={
                "errors": {"checklist": [message]},
                "draft": {"id": existing.pk, "version": existing.number},
            },
        )


@transaction.atomic
def checklist_version_new_draft(*, source: ChecklistVersion) -> ChecklistVersion:
    """Copy a version into a new draft: the way to change a published checklist.

    A checklist has at most one draft at a time (also a database constraint), so
    two people never edit competing drafts and the newest version is always the
    one that gets published.
    """
    checklist = Checklist.objects.select_for_update().get(pk=source.checklist_id)
    _refuse_second_draft(checklist)
    number = (checklist.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    try:
        # A savepoint, so a draft created concurrently (SQLite takes no row
        # lock) turns into the same 409 rather than a broken transaction.
        with transaction.atomic():
            draft = ChecklistVersion.objects.create(
                checklist=checklist,
                number=number,
                expected_score=source.expected_score,
                tolerance=source.tolerance,
                based_on=source,
                notes=f"Draft based on version {source.number}.",
            )
    except IntegrityError:
        _refuse_second_draft(checklist)
        raise
    for section in source.sections.prefetch_related("items"):
        items = list(section.items.all())
        section.pk = None
        section.version = draft
        section.save()
        for item in items:
            item.pk = None
            item.version = draft
            item.section = section
        Item.objects.bulk_create(items)
    return draft


@transaction.atomic
def checklist_load(*, data: dict, library_hash: str) -> tuple[ChecklistVersion, bool]:
    """Publish one bundled library file as a version, unless it is already the current one.

    Returns the version and whether it was created. The current library version
    is the newest one loaded from the library (a draft head office made from it
    does not count). The same file again changes nothing. A changed file, even
    one changed back to older content, becomes the next version, published and
    based on the one it replaces. A published version is never edited, so visits
    keep the version they were scored against.
    """
    checklist, _ = Checklist.objects.select_for_update().get_or_create(
        code=data["code"],
        defaults={"title_zh": data["title"]["zh-Hans"], "title_en": data["title"]["en"]},
    )
    current = checklist.versions.exclude(library_hash="").order_by("-number").first()
    if current is not None and current.library_hash == library_hash:
        return current, False
    checklist.language = data.get("language", "zh-Hans")
    # A file without a channel is a branch visit, as every checklist was before channels.
    checklist.channel = data.get("channel", Channel.BRANCH)
    checklist.title_zh = data["title"]["zh-Hans"]
    checklist.title_en = data["title"]["en"]
    checklist.description_zh = data.get("description", {}).get("zh-Hans", "")
    checklist.description_en = data.get("description", {}).get("en", "")
    checklist.full_clean()
    checklist.save()
    number = (checklist.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    # Created published rather than as a draft published at the end: head office
    # may have its one draft open, and a second draft row would break the
    # one-draft-per-checklist constraint. The whole load is one transaction, so
    # content that fails validation below is never seen published.
    version = ChecklistVersion.objects.create(
        checklist=checklist,
        number=number,
        status=ChecklistVersion.Status.PUBLISHED,
        published_at=timezone.now(),
        library_hash=library_hash,
        expected_score=Decimal(data.get("expected_score", "80")),
        tolerance=Decimal(data.get("tolerance", "5")),
        based_on=current,
        notes=(
            "Loaded from the bundled checklist library."
            if current is None
            else f"Loaded from the bundled checklist library; replaces version {current.number}."
        ),
    )
    for s_pos, s in enumerate(data["sections"], start=1):
        section = Section.objects.create(
            version=version,
            code=s["code"],
            position=s_pos,
            title_zh=s["title"]["zh-Hans"],
            title_en=s["title"]["en"],
            weight=Decimal(s.get("weight", "1")),
        )
        for i_pos, i in enumerate(s["items"], start=1):
            tags = i.get("tags") or {}
            unit = i.get("unit") or {}
            item = Item(
                version=version,
                section=section,
                code=i["code"],
                position=i_pos,
                text_zh=i["text"]["zh-Hans"],
                text_en=i["text"]["en"],
                help_zh=(i.get("help") or {}).get("zh-Hans", ""),
                help_en=(i.get("help") or {}).get("en", ""),
                good_practice_zh=(i.get("good_practice") or {}).get("zh-Hans", ""),
                good_practice_en=(i.get("good_practice") or {}).get("en", ""),
                answer_type=i["answer_type"],
                weight=Decimal(i.get("weight", "1")),
                critical=i.get("critical", False),
                required=i.get("required", True),
                allow_na=i.get("allow_na", False),
                photo_required=i.get("photo_required", False),
                comment_on_failure=i.get("comment_on_failure", False),
                rater=tags.get("rater") or "",
                area=tags.get("area") or "",
                factor=tags.get("factor"),
                bpmp=tags.get("bpmp") or "",
                thresholds=i.get("thresholds") or [],
                options=i.get("options") or [],
                unit_zh=unit.get("zh-Hans", ""),
                unit_en=unit.get("en", ""),
            )
            item.full_clean(exclude=["version", "section"])
            item.save()
    validate_version_content(version)
    return version, True
