"""Rendering branch scorecards to PDF, caching them, and zipping a region's.

One render path for everyone: the API, the Celery task and the zip builder all
call scorecard_get_or_render, so a scorecard looks the same however it is
asked for and is never rendered twice for the same inputs.

The cache key hashes everything a scorecard shows. Ranks and company averages
depend on other branches, so the key reads the report change stamps of the
checklist's months in the trend window, company-wide (audits bumps them with
every change an approved visit can show), and what the SCORECARD_EXTRAS hooks
return (the branch's action plans). A changed visit or plan makes a new key;
the old file is simply never served again.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import logging
import shutil
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from celery import group
from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Sum
from django.utils import timezone

from audits.models import Branch, Region, User, Visit
from audits.selectors.report_stamps import report_stamps
from audits.storage import private_storage, storage_overwrite
from checklists.models import Checklist, ChecklistVersion
from outbox.services import event_enqueue
from reports.models import Scorecard, ScorecardBatch, ScorecardBatchPart
from reports.periods import RANGE_DASH, Period, date_range, parse_period
from reports.scorecard_extras import extras_fingerprint, scorecard_extras, scorecard_extras_changed
from reports.scorecard_fonts import FONT_FILES
from reports.selectors.comparison import compared_checklist_ids
from reports.selectors.scorecard import scorecard_checklist, scorecard_data, trend_window

logger = logging.getLogger(__name__)

# Bump when the scorecard's numbers or layout change in code, so stored PDFs are redrawn.
SCORECARD_CODE_VERSION = "scorecard-2026-7"
_TEMPLATE_FILES = (
    Path(__file__).resolve().parent.parent / "templates" / "reports" / "scorecard.html",
    Path(__file__).resolve().parent.parent / "templates" / "reports" / "figures_table.html",
    Path(__file__).resolve().parent.parent / "templates" / "reports" / "choices_table.html",
    Path(__file__).resolve().parent.parent / "static" / "reports" / "scorecard.css",
)
# What a stored PDF is drawn with besides its data: a rebuilt font redraws them too.
_DIGESTED_FILES = (*_TEMPLATE_FILES, *FONT_FILES.values())

Progress = Callable[[int, int, str], None]

# A build asked for this long ago and still running is presumed lost (its
# worker died past the outbox's retries): the next download starts another.
ZIP_BUILD_STALE = dt.timedelta(hours=1)


# --- names -------------------------------------------------------------------


def period_slug(period: Period) -> str:
    """The period in file names: "2026-10", "2026-Q3", "2026-10-01_2026-10-31" (ASCII only)."""
    return period.label.replace(RANGE_DASH, "_")


def period_from_label(label: str) -> Period:
    """The inverse of Period.label, for periods passed to tasks as plain strings."""
    if RANGE_DASH in label:
        start, end = label.split(RANGE_DASH)
        return date_range(dt.date.fromisoformat(start), dt.date.fromisoformat(end))
    return parse_period(label, date_from=None, date_to=None)


def scorecard_download_name(*, branch: Branch, period: Period, lang: str) -> str:
    return f"scorecard-{branch.code}-{period_slug(period)}-{lang}.pdf"


def scorecard_storage_name(*, branch: Branch, period: Period, lang: str, key: str) -> str:
    return f"reports/{branch.code}/{period_slug(period)}-{lang}-{key[:12]}.pdf"


def region_zip_storage_name(
    *, region: Region, period: Period, lang: str, checklist: Checklist | None = None
) -> str:
    suffix = f"-{checklist.code}" if checklist else ""
    return f"reports/zips/{region.code}-{period_slug(period)}-{lang}{suffix}.zip"


def region_zip_download_name(*, region: Region, period: Period, lang: str) -> str:
    return f"scorecards-{region.code}-{period_slug(period)}-{lang}.zip"


# --- the cache key -----------------------------------------------------------


@functools.cache
def _template_digest() -> str:
    """Hash of the template, stylesheet and PDF fonts, so a deployed layout or font change
    redraws stored PDFs even when nobody remembered to bump SCORECARD_CODE_VERSION.
    Once per process: files only change on deploy, and the fonts are two megabytes."""
    digest = hashlib.sha256()
    for path in _DIGESTED_FILES:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def scorecard_cache_key(
    *,
    branch: Branch,
    checklist: Checklist,
    period: Period,
    lang: str,
    extras: dict[str, object] | None = None,
) -> str:
    """sha256 of everything the scorecard shows; equal keys mean an identical PDF.

    - the branch and region (ids, and the names and address printed on the card);
    - the checklist (and its channel, named on the card), and its latest
      published version (expectation, wording);
    - the period (kind, start, end: the trend window follows from them) and `lang`;
    - the code version and a digest of the template and stylesheet;
    - the report change stamps (audits.models.ReportStamp) of the months of the
      trend window, company-wide, of the checklist and of every checklist that
      tags key factors (the card's factor profile is read over all of them):
      audits bumps them in the transaction of every change to what an approved
      visit shows (approval, withdrawal, re-score by an appeal or a reviewer,
      a photo's print copy, a roll-up rebuild); see audits.services.report_stamps;
    - a stamp of the active branches (count, sum of ids, sum of region ids),
      since deactivating or moving a branch changes ranks: branches are edited
      in the admin, outside the services that bump stamps, and 10,000 rows
      are cheap to sum;
    - the small-sample threshold, which decides who is ranked;
    - what the settings.SCORECARD_EXTRAS hooks return (the branch's action
      plans), hashed whole: `extras` when the caller already asked them.

    Four small queries, none of which reads a visit, and the hooks' own (two
    for the action plans: the branch's plans and their items).
    """
    if extras is None:
        extras = scorecard_extras(branch=branch, checklist=checklist, period=period, lang=lang)
    window_start, window_end = trend_window(period)
    stamps = report_stamps(
        checklist_ids=compared_checklist_ids(checklist),
        start=window_start,
        end=window_end,
    )
    branches = Branch.objects.filter(active=True).aggregate(
        count=Count("pk"), ids=Sum("pk"), regions=Sum("region_id")
    )
    # Published versions are frozen, but publishing is checklists' (below audits): read here.
    version = (
        checklist.versions.filter(status=ChecklistVersion.Status.PUBLISHED)
        .order_by("-number")
        .values_list("pk", flat=True)
        .first()
    )
    region = branch.region
    parts = {
        "code": SCORECARD_CODE_VERSION,
        "template": _template_digest(),
        "branch": [
            branch.pk,
            branch.code,
            branch.name_zh,
            branch.name_en,
            branch.address_zh,
            branch.address_en,
        ],
        "region": [region.pk, region.code, region.name_zh, region.name_en],
        "checklist": [
            checklist.pk,
            checklist.code,
            checklist.title_zh,
            checklist.title_en,
            checklist.channel,
            version,
        ],
        "period": [period.kind, period.start.isoformat(), period.end.isoformat()],
        "lang": lang,
        "stamps": stamps,
        # int(): PostgreSQL sums bigints as numeric, which arrives as a Decimal.
        "branches": [branches["count"], int(branches["ids"] or 0), int(branches["regions"] or 0)],
        "small_sample_visits": settings.SMALL_SAMPLE_VISITS,
        "extras": extras_fingerprint(extras),
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


# --- one scorecard -------------------------------------------------------------


def _render_pdf(card) -> bytes:
    # Imported at call time: loading WeasyPrint is slow, and a process that only
    # serves cached PDFs or web pages should not pay for it.
    from reports.pdf import render_scorecard_pdf

    return render_scorecard_pdf(card)


def scorecard_get_or_render(
    *, branch: Branch, checklist: Checklist, period: Period, lang: str
) -> Scorecard:
    """The stored scorecard PDF for these inputs, rendering and storing it on a miss.

    The returned row carries `cache_hit` (not a column): True when the PDF was
    already stored. Two requests racing on a miss both render; the file name is
    deterministic and get_or_create keeps one row, so the race costs one render.
    The render runs outside any transaction: it takes half a second.
    """
    # Asked once: the key stamps exactly the plans the card then draws.
    extras = scorecard_extras(branch=branch, checklist=checklist, period=period, lang=lang)
    key = scorecard_cache_key(
        branch=branch, checklist=checklist, period=period, lang=lang, extras=extras
    )
    stored = Scorecard.objects.filter(key=key).first()
    if stored is not None and private_storage().exists(stored.file_name):
        stored.cache_hit = True
        return stored

    card = scorecard_data(
        branch=branch, checklist=checklist, period=period, lang=lang, extras=extras
    )
    pdf = _render_pdf(card)
    name = storage_overwrite(
        scorecard_storage_name(branch=branch, period=period, lang=lang, key=key), pdf
    )
    scorecard, created = Scorecard.objects.get_or_create(
        key=key,
        defaults={
            "branch": branch,
            "period": period.label,
            "lang": lang,
            "file_name": name,
            "size_bytes": len(pdf),
        },
    )
    if not created and (scorecard.file_name, scorecard.size_bytes) != (name, len(pdf)):
        # The row outlived its file (storage cleaned up): point it at the new one.
        scorecard.file_name = name
        scorecard.size_bytes = len(pdf)
        scorecard.save(update_fields=["file_name", "size_bytes"])
    scorecard.cache_hit = False
    logger.info(
        "scorecard rendered: %s %s %s (%d bytes)", branch.code, period.label, lang, len(pdf)
    )
    return scorecard


def scorecard_render(
    *, branch: Branch, period: Period, lang: str, checklist: Checklist | None = None
) -> Scorecard:
    """scorecard_get_or_render for a branch, choosing its default checklist when none is given."""
    chosen = checklist or scorecard_checklist(branch=branch, period=period)
    return scorecard_get_or_render(branch=branch, checklist=chosen, period=period, lang=lang)


# --- a region's zip --------------------------------------------------------------


def region_branches(region: Region) -> list[Branch]:
    return list(
        Branch.objects.filter(region=region, active=True).select_related("region").order_by("code")
    )


def _batch_start(
    *,
    region: Region,
    period: Period,
    lang: str,
    checklist: Checklist | None,
    total: int,
    requested_by: User | None,
) -> ScorecardBatch:
    return ScorecardBatch.objects.create(
        region=region,
        checklist=checklist,
        period=period.label,
        lang=lang,
        total=total,
        requested_by=requested_by if requested_by and requested_by.pk else None,
    )


@transaction.atomic
def scorecard_batch_count_done(*, batch_id: int, branch_id: int, file_name: str = "") -> None:
    """Count a branch's scorecard done in its batch, once however often its task runs.

    F() so parallel workers never lose a count; the part row so a task run
    again after its worker was killed (acks late) never counts twice. The part
    records `file_name`, the PDF the task stored, for the zip; a second run
    keeps the first's, which is still in storage.
    """
    _, created = ScorecardBatchPart.objects.get_or_create(
        batch_id=batch_id, branch_id=branch_id, defaults={"file_name": file_name}
    )
    if created:
        ScorecardBatch.objects.filter(pk=batch_id).update(done=F("done") + 1)


def scorecard_batch_fail(*, batch_id: int) -> None:
    ScorecardBatch.objects.filter(pk=batch_id).update(
        status=ScorecardBatch.Status.FAILED, finished_at=timezone.now()
    )


def _zip_write(
    *,
    batch: ScorecardBatch,
    region: Region,
    period: Period,
    lang: str,
    checklist: Checklist | None,
    branches: list[Branch],
    on_progress: Progress | None = None,
    count_done: bool = True,
) -> ScorecardBatch:
    """Collect every branch's scorecard into the region's zip.

    A branch whose task recorded its PDF in the batch's parts is copied from
    that file: its cache key and extras were computed once, by the task. The
    others (an outbox build runs no tasks) go through the cache, rendering
    what it lacks; a part without a file is a branch deleted meanwhile.
    """
    storage = private_storage()
    recorded = dict(batch.parts.values_list("branch_id", "file_name"))
    # On disk, not in memory: a big region's zip is hundreds of megabytes. Each
    # PDF is copied in chunks, and the finished file is streamed to storage.
    with tempfile.TemporaryFile() as spool:
        # Stored, not deflated: a PDF's streams are compressed already.
        with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_STORED) as archive:
            for done, branch in enumerate(branches, start=1):
                file_name = recorded.get(branch.pk)
                if file_name is None:
                    file_name = scorecard_render(
                        branch=branch, period=period, lang=lang, checklist=checklist
                    ).file_name
                if file_name:
                    entry = scorecard_download_name(branch=branch, period=period, lang=lang)
                    with storage.open(file_name, "rb") as pdf, archive.open(entry, "w") as out:
                        shutil.copyfileobj(pdf, out)
                if count_done:
                    ScorecardBatch.objects.filter(pk=batch.pk).update(done=done)
                if on_progress is not None:
                    on_progress(done, len(branches), branch.code)
        spool.seek(0)
        name = storage_overwrite(
            region_zip_storage_name(region=region, period=period, lang=lang, checklist=checklist),
            spool,
        )
    batch.status = ScorecardBatch.Status.DONE
    batch.done = len(branches)
    batch.file_name = name
    batch.finished_at = timezone.now()
    batch.save(update_fields=["status", "done", "file_name", "finished_at"])
    return batch


def region_zip_request(
    *,
    region: Region,
    period: Period,
    lang: str,
    requested_by: User | None = None,
) -> ScorecardBatch:
    """The region's zip for a download: finished and current, or being built.

    A download never builds the zip in the request (four uncached zips from one
    manager once made a shopper's phone wait 33 s). It gets the newest current
    zip, or the build already under way, or starts one: a RUNNING batch and an
    outbox event in one transaction, so a crash cannot lose the build. The
    outbox drain runs it (region_zip_handle) in a worker, or in-process after
    the commit in the embedded default.
    """
    latest = region_zip_latest(region=region, period=period, lang=lang)
    if latest is not None:
        return latest
    with transaction.atomic():
        running = (
            ScorecardBatch.objects.select_for_update()
            .filter(
                region=region,
                checklist=None,
                period=period.label,
                lang=lang,
                status=ScorecardBatch.Status.RUNNING,
                created_at__gte=timezone.now() - ZIP_BUILD_STALE,
            )
            .order_by("-created_at", "-pk")
            .first()
        )
        if running is not None and not _changed_since(region, period, running.created_at):
            return running
        batch = _batch_start(
            region=region,
            period=period,
            lang=lang,
            checklist=None,
            total=len(region_branches(region)),
            requested_by=requested_by,
        )
        event_enqueue(kind="scorecards.region_zip", key=str(batch.pk))
    # In the embedded default the drain ran after the commit: the zip may be done.
    batch.refresh_from_db()
    return batch


def region_zip_handle(*, key: str, payload: dict | None = None) -> None:
    """Outbox handler: build the zip of batch `key`. Idempotent: a finished batch is left alone,
    and a second run finds every scorecard in the cache."""
    batch = ScorecardBatch.objects.select_related("region", "checklist").filter(pk=key).first()
    if batch is None or batch.status == ScorecardBatch.Status.DONE:
        return
    branches = region_branches(batch.region)
    _zip_write(
        batch=batch,
        region=batch.region,
        period=period_from_label(batch.period),
        lang=batch.lang,
        checklist=batch.checklist,
        branches=branches,
    )


def region_zip_latest(
    *, region: Region, period: Period, lang: str, checklist: Checklist | None = None
) -> ScorecardBatch | None:
    """The newest finished zip of the region that is still current, or None.

    Current: its file exists, and since the zip was started no visit in the
    trend window changed (the visit_period_changes index answers this) and no
    scorecard extra its cards show (the branches' action plans) may have
    changed (scorecard_extras_changed). A deleted visit is not noticed; the
    next rebuild picks it up.
    """
    batch = (
        ScorecardBatch.objects.filter(
            region=region,
            checklist=checklist,
            period=period.label,
            lang=lang,
            status=ScorecardBatch.Status.DONE,
        )
        .exclude(file_name="")
        .order_by("-created_at", "-pk")
        .first()
    )
    if batch is None or not private_storage().exists(batch.file_name):
        return None
    return None if _changed_since(region, period, batch.created_at) else batch


def _changed_since(region: Region, period: Period, moment: dt.datetime) -> bool:
    """Whether a zip of the region's cards started at `moment` may be stale."""
    window_start, window_end = trend_window(period)
    return Visit.objects.filter(
        visited_on__range=(window_start, window_end), updated_at__gt=moment
    ).exists() or scorecard_extras_changed(region=region, since=moment)


def _batch_wait(
    *,
    batch: ScorecardBatch,
    total: int,
    on_progress: Progress | None,
    poll_seconds: float,
    deadline: float,
) -> None:
    """Follow the batch's `done` count (no result backend needed) until its last branch is in."""
    reported = -1
    while True:
        batch.refresh_from_db(fields=["done", "status"])
        if batch.done != reported and on_progress is not None:
            reported = batch.done
            on_progress(batch.done, total, batch.region.code)
        if batch.status == ScorecardBatch.Status.FAILED:
            raise RuntimeError(f"a scorecard of region {batch.region.code} failed to render")
        if batch.done >= total:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"scorecards of region {batch.region.code} did not finish")
        time.sleep(poll_seconds)


def regions_scorecards_render(
    *,
    regions: Iterable[Region],
    period: Period,
    lang: str,
    checklist: Checklist | None = None,
    requested_by: User | None = None,
    on_progress: Progress | None = None,
    poll_seconds: float = 0.5,
    timeout_seconds: float = 3600,
) -> Iterator[ScorecardBatch]:
    """Render every active branch of each region as Celery tasks, and zip each region's.

    Yields each region's finished batch, in the order given. With real workers
    every region's tasks are queued before waiting on any, so the workers never
    idle at the end of a region while this writes its zip; regions are then
    waited on and zipped one after another. Eager (the embedded default) the
    tasks run here, region by region, reporting progress after each branch.
    The zip copies the PDFs the tasks recorded in the batch's parts.
    """
    # reports.tasks imports this module; importing it at call time breaks the cycle.
    from reports.tasks import scorecard_render_task

    planned: list[tuple[ScorecardBatch, list[Branch]]] = []
    try:
        for region in regions:
            branches = region_branches(region)
            batch = _batch_start(
                region=region,
                period=period,
                lang=lang,
                checklist=checklist,
                total=len(branches),
                requested_by=requested_by,
            )
            planned.append((batch, branches))
        eager = scorecard_render_task.app.conf.task_always_eager
        # Lists, not generators: celery's group reads a generator lazily, after
        # the loop has moved `batch` on to the last region.
        jobs = [
            group(
                [
                    scorecard_render_task.si(
                        branch.pk, period.label, lang, checklist.pk if checklist else None, batch.pk
                    )
                    for branch in branches
                ]
            )
            for batch, branches in planned
        ]
        if not eager:
            for job in jobs:
                job.apply_async()
        deadline = time.monotonic() + timeout_seconds
        for (batch, branches), job in zip(planned, jobs, strict=True):
            if eager:
                for done, (branch, signature) in enumerate(
                    zip(branches, job.tasks, strict=True), 1
                ):
                    signature.apply(throw=True)
                    if on_progress is not None:
                        on_progress(done, len(branches), branch.code)
            else:
                _batch_wait(
                    batch=batch,
                    total=len(branches),
                    on_progress=on_progress,
                    poll_seconds=poll_seconds,
                    deadline=deadline,
                )
            yield _zip_write(
                batch=batch,
                region=batch.region,
                period=period,
                lang=lang,
                checklist=checklist,
                branches=branches,
                count_done=False,
            )
    except BaseException:
        # Every batch of this run not yet zipped, not only the failing one: a
        # batch left RUNNING would look like a build under way to downloads.
        for batch, _ in planned:
            if batch.status != ScorecardBatch.Status.DONE:
                scorecard_batch_fail(batch_id=batch.pk)
        raise
