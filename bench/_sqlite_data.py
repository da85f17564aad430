"""Scored visits written straight to a throwaway database, for the scorecard benchmarks.

Like tests/report_data.py, the rows are created directly rather than through
the upload API, but the numbers are real: every visit's answers are drawn at
random around a branch-specific quality and scored with checklists.scoring, so
Visit.score/band, the VisitScore rows (sections, RATER dimensions, areas,
factors) and Answer.score/failed/gain are exactly what scoring would store.
Everything goes in with bulk_create, a few thousand rows per statement.

Call ``populate`` after ``_common.setup_django`` on a migrated database with
the checklist library loaded.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import random
import uuid
from decimal import Decimal

CITIES = (
    ("上海", "Shanghai"),
    ("北京", "Beijing"),
    ("广州", "Guangzhou"),
    ("深圳", "Shenzhen"),
    ("成都", "Chengdu"),
    ("杭州", "Hangzhou"),
    ("武汉", "Wuhan"),
    ("南京", "Nanjing"),
    ("重庆", "Chongqing"),
    ("西安", "Xi'an"),
    ("苏州", "Suzhou"),
    ("天津", "Tianjin"),
)
COMMENTS = (
    "柜员态度友好，但等候时间较长，叫号屏幕有一台不亮。",
    "大堂经理主动引导取号，环境整洁。",
    "办理过程中柜员接了两次私人电话。",
    "Staff were friendly; the queue display was broken and the wait was long.",
)
ITEM_COMMENTS = (
    "没有主动问候。",
    "等候超过二十分钟。",
    "宣传资料已过期。",
    "No greeting at the door.",
)


def print_size() -> tuple[int, int]:
    """The print copy a phone photo gets (a 4:3 photo at RENDITION_SIDES["print"])."""
    from audits.services.photos import RENDITION_SIDES

    side = RENDITION_SIDES["print"]
    return side, side * 3 // 4


def print_photo(seed: int, size: tuple[int, int] | None = None) -> bytes:
    """A print-size JPEG (the rendition scorecards embed, print_size()), with some grain.

    Flat drawn shapes would compress to a few kilobytes; the grain brings the
    file to a size closer to a real photo's print rendition, which is what the
    PDF renderer has to decode and embed.
    """
    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    size = size or print_size()
    width, height = size
    wall = tuple(rng.randint(180, 240) for _ in range(3))
    image = Image.new("RGB", size, wall)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, int(height * 0.68), width, height), fill=(150, 130, 110))
    for i in range(4):
        x = int(width * (0.08 + 0.23 * i))
        colour = tuple(rng.randint(40, 160) for _ in range(3))
        draw.rectangle(
            (x, int(height * 0.28), x + int(width * 0.16), int(height * 0.68)), fill=colour
        )
    grain = Image.effect_noise(size, 28).convert("RGB")
    image = Image.blend(image, grain, 0.18)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85, optimize=True)
    return out.getvalue()


def _value(rule, quality: float, rng: random.Random):
    """A random answer to `rule` from a branch whose quality is `quality` (0–1)."""
    kind = rule.answer_type
    luck = quality + rng.uniform(-0.3, 0.3)
    if kind == "yes_no":
        return rng.random() < min(0.98, 0.35 + 0.7 * quality)
    if kind in ("scale5", "scale6"):
        top = 5 if kind == "scale5" else 6
        return max(1, min(top, 1 + int(luck * top)))
    if kind == "number":
        bands = sorted(rule.thresholds, key=lambda t: t.score, reverse=True)
        if not bands:
            return rng.randint(0, 30)
        chosen = bands[0] if rng.random() < quality else rng.choice(bands)
        low = chosen.min if chosen.min is not None else (chosen.max or Decimal(0)) - 5
        high = chosen.max if chosen.max is not None else low + 10
        return int(rng.uniform(float(low), float(high)))
    if kind == "choice":
        options = sorted(rule.options, key=lambda o: o[1], reverse=True)
        return (options[0] if rng.random() < quality else rng.choice(options))[0]
    if kind == "text":
        return rng.choice(COMMENTS)
    return None  # photo items: the photo itself is the evidence, not scored


def populate(
    *,
    checklist_code: str,
    period,
    branches: int,
    regions: int,
    visits_per_branch: int = 3,
    history_months: int = 5,
    photos_per_visit: int = 1,
    seed: int = 20251,
) -> dict[str, int]:
    """Regions, branches and approved, scored visits; returns row counts.

    `visits_per_branch` visits in `period` (a month) and one visit in each of
    the `history_months` months before it, so the scorecard's trend line has
    points. Photos: `photos_per_visit` print renditions on each visit of the
    period, written to the private storage (a handful of distinct files).
    """
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from accounts.roles import Role
    from audits.models import Answer, Assignment, Branch, Photo, Region, User, Visit, VisitScore
    from audits.storage import storage_overwrite
    from checklists.models import Checklist, ChecklistVersion
    from checklists.rules import version_rules
    from checklists.scoring import AnswerInput, score_visit
    from reports.periods import previous

    rng = random.Random(seed)
    checklist = Checklist.objects.get(code=checklist_code)
    version = (
        checklist.versions.filter(status=ChecklistVersion.Status.PUBLISHED)
        .order_by("-number")
        .first()
    )
    rules, items = version_rules(version)
    photo_items = [code for code, item in items.items() if item.answer_type == "photo"]
    tz = timezone.get_current_timezone()

    months = [period]
    for _ in range(history_months):
        months.append(previous(months[-1]))

    counts = dict.fromkeys(("regions", "branches", "visits", "answers", "scores", "photos"), 0)
    with transaction.atomic():
        region_rows = Region.objects.bulk_create(
            Region(
                code=f"r{n:02d}",
                name_zh=f"{CITIES[n % len(CITIES)][0]}{'' if n < len(CITIES) else n}分行",
                name_en=f"{CITIES[n % len(CITIES)][1]}{'' if n < len(CITIES) else f' {n}'} Region",
            )
            for n in range(regions)
        )
        branch_rows = Branch.objects.bulk_create(
            Branch(
                region=region_rows[n % regions],
                code=f"br-{n:05d}",
                name_zh=f"{CITIES[n % regions % len(CITIES)][0]}第{n + 1}支行",
                name_en=f"{CITIES[n % regions % len(CITIES)][1]} Branch {n + 1}",
                address_zh=f"示范路{n + 1}号",
                address_en=f"{n + 1} Example Road",
                latitude=Decimal("31.230400"),
                longitude=Decimal("121.473700"),
            )
            for n in range(branches)
        )
        shopper = User.objects.create(
            username="bench-shopper", role=Role.SHOPPER, password=make_password(None)
        )
        reviewer = User.objects.create(
            username="bench-reviewer", role=Role.REVIEWER, password=make_password(None)
        )
        counts["regions"], counts["branches"] = len(region_rows), len(branch_rows)

        photo_files = []
        if photos_per_visit:
            for n in range(6):
                data = print_photo(seed + n)
                photo_files.append(
                    (
                        storage_overwrite(f"bench/print-{n}.jpg", data),
                        len(data),
                        hashlib.sha256(data).hexdigest(),
                    )
                )

        assignments: list[Assignment] = []
        visits: list[Visit] = []
        answers: list[Answer] = []
        scores: list[VisitScore] = []
        photos: list[Photo] = []
        for branch in branch_rows:
            quality = rng.uniform(0.45, 0.95)
            drift = rng.uniform(-0.08, 0.08)
            for age, month in enumerate(months):
                for _ in range(visits_per_branch if age == 0 else 1):
                    day = month.start + dt.timedelta(days=rng.randrange(month.days))
                    started = dt.datetime.combine(
                        day, dt.time(9 + rng.randrange(8), rng.randrange(60)), tzinfo=tz
                    )
                    month_quality = min(0.98, max(0.05, quality - drift * age))
                    given = []
                    for rule in rules.items:
                        value = _value(rule, month_quality, rng)
                        if value is None:
                            continue
                        items_na = items[rule.code].allow_na and rng.random() < 0.04
                        given.append(AnswerInput(code=rule.code, value=value, na=items_na))
                    result = score_visit(rules, given)
                    assignment = Assignment(
                        branch=branch,
                        checklist_version=version,
                        shopper=shopper,
                        window_from=day - dt.timedelta(days=7),
                        window_to=day,
                        status=Assignment.Status.CLOSED,
                    )
                    visit = Visit(
                        id=uuid.UUID(int=rng.getrandbits(128), version=4),
                        assignment=assignment,
                        shopper=shopper,
                        branch=branch,
                        checklist=checklist,
                        checklist_version=version,
                        started_at=started,
                        ended_at=started + dt.timedelta(minutes=25),
                        visited_on=day,
                        comment=rng.choice(("", "", *COMMENTS)),
                        status=Visit.Status.APPROVED,
                        body_hash=hashlib.sha256(f"{branch.pk}-{started}".encode()).hexdigest(),
                        score=result.score,
                        band=result.band or "",
                        critical_failure=bool(result.critical_failures),
                        confidence=rng.randint(70, 100),
                        submitted_at=started + dt.timedelta(hours=2),
                        reviewed_at=started + dt.timedelta(days=1),
                        reviewed_by=reviewer,
                    )
                    assignments.append(assignment)
                    visits.append(visit)
                    for answer in given:
                        scored = result.items[answer.code]
                        answers.append(
                            Answer(
                                visit=visit,
                                item=items[answer.code],
                                item_code=answer.code,
                                value=None if answer.na else answer.value,
                                na=answer.na,
                                comment=rng.choice(ITEM_COMMENTS)
                                if scored.failed and rng.random() < 0.3
                                else "",
                                score=scored.score,
                                failed=scored.failed,
                                critical_failure=scored.critical_failure,
                                gain=scored.gain,
                            )
                        )
                    for kind, values in (
                        (VisitScore.Kind.SECTION, result.sections),
                        (VisitScore.Kind.DIMENSION, result.dimensions),
                        (VisitScore.Kind.AREA, result.areas),
                        (VisitScore.Kind.FACTOR, result.factors),
                    ):
                        scores.extend(
                            VisitScore(visit=visit, kind=kind, key=str(key), score=value)
                            for key, value in values.items()
                        )
                    if age == 0:
                        for p in range(photos_per_visit):
                            name, size, digest = photo_files[rng.randrange(len(photo_files))]
                            photos.append(
                                Photo(
                                    visit=visit,
                                    item_code=photo_items[p % len(photo_items)]
                                    if photo_items
                                    else "",
                                    sha256=digest,
                                    received_at=started,
                                    print_name=name,
                                    thumb_name=name,
                                    original_name=name,
                                    content_type="image/jpeg",
                                    size_bytes=size,
                                    width=print_size()[0],
                                    height=print_size()[1],
                                    taken_at=started,
                                )
                            )
        Assignment.objects.bulk_create(assignments, batch_size=2000)
        for visit in visits:
            visit.assignment_id = visit.assignment.pk
        Visit.objects.bulk_create(visits, batch_size=2000)
        Answer.objects.bulk_create(answers, batch_size=5000)
        VisitScore.objects.bulk_create(scores, batch_size=5000)
        Photo.objects.bulk_create(photos, batch_size=2000)
    counts.update(visits=len(visits), answers=len(answers), scores=len(scores), photos=len(photos))
    return counts
