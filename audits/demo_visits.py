"""Demo Bank's visit history: six months of approved visits and a review queue.

Visits go through the real services (visit_submit, photo_upload, the review
checks, visit_review), so the demo shows exactly what the product produces.
Everything is deterministic: ids come from uuid5 and quality from a seeded
random generator, so a second run finds every visit already stored and adds
nothing.

Each branch has its own service level and drift, so scores differ believably
between branches and move over time: some branches improve month by month,
others slip.

Each shopper is also left with open assignments in a window that includes
today, so the phone app has work from the first `make run`.

A few mystery calls and written complaints (the library's phone-enquiry and
written-complaint-reply) are approved or wait for review next to the branch
visits, so every channel shows in the review desk and the reports.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import random
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from audits.demo import OPEN_WORK, DemoOrganisation
from audits.models import Assignment, Branch, User, Visit
from audits.services.assignments import assignment_create
from audits.services.photos import photo_upload
from audits.services.review import visit_review
from audits.services.visit_body import AnswerBody, PhotoBody, VisitBody
from audits.services.visits import visit_submit
from checklists.models import AnswerType, Channel, ChecklistVersion
from checklists.rules import version_rules
from checklists.scoring import PASS_MARK, item_score

NAMESPACE = uuid.UUID("6f1c3b2e-8d4a-4f5e-9b7c-2a1d0e3f4c5b")
CHECKLIST = "standard-branch-visit"
MONTHS = 6
# As many as reports need to rank a branch (settings.SMALL_SAMPLE_VISITS, 3 by
# default): with fewer, every branch of a monthly league table is a small sample.
VISITS_PER_MONTH = 3
SCENARIOS = [
    "咨询开立储蓄账户 · Ask about opening a savings account",
    "咨询个人贷款利率 · Ask about personal loan rates",
    "办理外币兑换 · Exchange foreign currency",
    "投诉转账延迟 · Complain about a delayed transfer",
    "咨询理财产品 · Ask about wealth-management products",
]
# The shoppers' words, in the language of the checklist they fill in: the demo's
# visits use the standard branch visit, a zh-Hans checklist, so every comment is
# Chinese. A comment sits on the item it is about, and a scorecard quotes it
# after that item's name, so each item that can fail has its own: what a shopper
# saw when that item went wrong. A scorecard of an English checklist would need
# English ones; the demo has none.
COMMENTS_LANGUAGE = "zh-Hans"
FAILURE_COMMENTS: dict[str, tuple[str, ...]] = {
    "ENV02": ("门口招牌被广告牌挡住，营业时间看不清楚。", "找了两圈才找到入口，附近没有指引标识。"),
    "ENV03": ("大厅地面有积水和纸屑，柜台上有污渍。", "入口玻璃门上满是手印，垃圾桶已经溢出来了。"),
    "ENV04": ("大厅空调开得太冷，灯光也偏暗。", "大厅里有刺鼻的气味，背景噪音很大。"),
    "ENV05": ("叫号机坏了，填单台上没有笔。", "有两把座椅是坏的，表格架上是空的。"),
    "ENV06": ("通道被宣传展架挡住，走动很不方便。", "大厅布局混乱，不知道该去哪个窗口。"),
    "CS01": ("进门后没有员工主动招呼，我先开口才有人理我。", "大堂经理在打电话，没有招呼我。"),
    "CS02": ("进门大约一分钟后才有人问候。", "在门口站了很久才有员工过来询问。"),
    "CS03": ("接待的员工全程没有笑容。", "员工的笑容很勉强，一闪而过。"),
    "CS04": ("员工态度冷淡，回答很敷衍。", "我询问时员工显得很不耐烦。"),
    "CS05": ("员工说话语气生硬。", "我问了两遍，员工就提高了嗓门。"),
    "CS06": ("员工面无表情，没有眼神交流。", "员工一直低头看屏幕，表情冷漠。"),
    "CS07": ("我在柜台前站了几分钟，员工在和同事聊天。", "员工忙着整理单据，让我一直等着。"),
    "CS08": ("听说我只是咨询，员工明显敷衍。", "员工说“这个跟你说了你也不懂”，让人很不舒服。"),
    "CS09": ("办完业务员工没有道谢。", "业务结束时员工没有任何致谢，直接叫了下一位。"),
    "CT01": ("我还没说完员工就打断了我。", "员工一边听一边处理别的事，几次打断我。"),
    "CT02": ("员工没有问我的具体需要，直接推荐了产品。", "只按流程办理，没有了解我的实际情况。"),
    "CT03": ("员工答不上利率的问题，去问了同事。", "员工的解释前后矛盾，最后也没说清楚。"),
    "CT04": ("手续费是办完之后才告诉我的。", "没有说明提前支取的条件和损失。"),
    "CT05": ("问题没有解决，也没有告诉我下一步怎么办。", "员工让我改天再来，但没有留联系方式。"),
    "CT06": ("柜员没有佩戴工号牌。", "员工制服不整洁，衬衫没有扎好。"),
    "CT07": ("员工没有根据我的情况给任何建议。", "我提到要出国留学，员工没有介绍相关业务。"),
    "WT01": ("排队等了二十多分钟。", "取号后等了将近半小时才轮到我。"),
    "WT02": ("有人插队，员工没有制止。", "叫号顺序混乱，后到的客户先办理。"),
    "WT03": ("等了很久，没有员工来致意或说明还要等多久。", "问员工要等多久，只说“快了”。"),
    "WT04": ("等候区座位不够，只能站着等。", "等候区没有饮水，也没有可看的资料。"),
    "WT05": ("客户很多时仍只开了两个窗口。", "排队的人很多，却没有员工引导分流。"),
    "LV01": ("员工没有问我是否还有其他需要。", "办完就结束了，没有询问还有什么可以帮忙。"),
    "LV02": ("离开时员工没有道别。", "我起身离开时员工已经在忙别的事了。"),
    "LV03": ("银行卡没有还给我，我提醒后才拿到。", "回单少给了一张。"),
}
# The visit's own comment, also the answer to the free-text "overall impression":
# praise when nothing failed, otherwise a word on what fell short.
VISIT_COMMENTS: dict[bool, tuple[str, ...]] = {
    False: (
        "整体服务专业，大堂经理主动引导，办理顺利。",
        "环境整洁，员工热情，解答清楚。",
        "从进门到离开都很顺畅，体验很好。",
        "柜员耐心细致，主动说明了注意事项。",
        "等候时间短，员工始终面带微笑。",
    ),
    True: (
        "整体尚可，但有几处细节需要改进。",
        "业务办成了，但服务过程中有明显不足。",
        "员工业务熟练，但服务态度和细节有待加强。",
        "有好有坏：柜台服务不错，其他环节还需改进。",
        "这次体验一般，希望下次能更好。",
    ),
}


# What a mystery call or a written complaint records in its text items.
DEMO_TEXTS: dict[str, str] = {
    "CALL_NUMBER": "400-820-0000 转 2",
    "CLAIM": "信用卡年费在已达免年费条件的情况下仍被扣收，要求退还并说明原因。",
}


def failure_comment(item, rng: random.Random) -> str:
    """What the shopper writes on `item` when it fails, in the checklist's language.

    An item the demo has no words for (one added to the library later) gets a
    comment naming the item itself, so a comment is never about another item.
    """
    comments = FAILURE_COMMENTS.get(item.code)
    if comments:
        return rng.choice(comments)
    return f"未做到：{item.text_zh}"


@dataclass(frozen=True)
class BranchQuality:
    level: float  # 0–1: how often things are done right
    drift: float  # change of level per month


def _quality(branch: Branch) -> BranchQuality:
    rng = random.Random(f"quality-{branch.code}")
    return BranchQuality(level=rng.uniform(0.55, 0.93), drift=rng.uniform(-0.035, 0.035))


def _month_start(today: dt.date, months_back: int) -> dt.date:
    year, month = today.year, today.month - months_back
    while month <= 0:
        year, month = year - 1, month + 12
    return dt.date(year, month, 1)


def _answer(item, rule, p: float, rng: random.Random) -> AnswerBody | None:
    if item.answer_type == AnswerType.PHOTO:
        return None
    if item.allow_na and rng.random() < 0.08:
        return AnswerBody(question=item.code, na=True)
    # Basic (critical) items are what staff are drilled on: they fail rarely,
    # but each failure knocks out a whole section, as it should.
    good = rng.random() < (0.8 + 0.2 * p if item.critical else p)
    if item.answer_type == AnswerType.YES_NO:
        value = good
    elif item.answer_type == AnswerType.SCALE5:
        value = max(1, min(5, round(1 + 4 * p + rng.gauss(0, 0.8))))
    elif item.answer_type == AnswerType.SCALE6:
        value = max(1, min(6, round(1 + 5 * p + rng.gauss(0, 0.9))))
    elif item.answer_type == AnswerType.NUMBER:
        top = float(item.thresholds[0].get("max") or 10)
        value = round(rng.uniform(0.3, 1.0) * top if good else rng.uniform(1.2, 5.0) * top)
    elif item.answer_type == AnswerType.CHOICE and any(
        o.get("score") is None for o in item.options
    ):
        value = rng.choice(item.options)["value"]  # recorded, not scored: the type played
    elif item.answer_type == AnswerType.CHOICE:
        options = sorted(item.options, key=lambda o: float(o["score"]), reverse=True)
        value = options[0]["value"] if good else rng.choice(options[1:])["value"]
    else:
        # Free text and date-times: written once all is scored, from the visit's own times.
        return None
    comment = ""
    score = item_score(rule, value)
    # As scoring judges a failure: a missing bonus (reward) item is nothing to fix.
    if score is not None and score < PASS_MARK and not rule.is_bonus:
        comment = failure_comment(item, rng)
    return AnswerBody(question=item.code, value=value, comment=comment)


def _photo(branch: Branch, taken_at: dt.datetime, seed: str) -> bytes:
    """A small picture of the branch entrance, with an EXIF capture time."""
    rng = random.Random(seed)
    # Every picture gets its own composition, so the perceptual-hash check
    # flags only the photos the demo reuses on purpose.
    image = Image.new("RGB", (640, 480), tuple(rng.randint(120, 240) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    for _ in range(6):
        x0, y0 = rng.randint(-100, 560), rng.randint(-100, 400)
        x1, y1 = x0 + rng.randint(80, 400), y0 + rng.randint(60, 300)
        draw.rectangle((x0, y0, x1, y1), fill=tuple(rng.randint(0, 255) for _ in range(3)))
    door_x = rng.randint(60, 460)
    draw.rectangle((door_x, 260, door_x + 120, 480), fill=(210, 225, 235))
    draw.text(
        (rng.randint(20, 300), rng.randint(20, 200)),
        f"DEMO BANK  {branch.code}",
        fill=(255, 255, 255),
    )
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0x9003] = timezone.localtime(taken_at).strftime("%Y:%m:%d %H:%M:%S")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80, exif=exif)
    return buffer.getvalue()


def _shopper_for(branch: Branch, shoppers: tuple[User, ...], turn: int) -> User:
    # A shopper never visits the branches kept for their open work: the rotation
    # rule would otherwise refuse that work (every pair was visited within 90 days).
    kept = {work.shopper for work in OPEN_WORK if work.branch == branch.code}
    allowed = [
        s
        for s in shoppers
        if s.username not in kept and not s.exclusions.filter(branch=branch).exists()
    ]
    return allowed[turn % len(allowed)]


def _visit(
    *,
    branch: Branch,
    shopper: User,
    version: ChecklistVersion,
    day: dt.date,
    key: str,
    p: float,
    rules,
    items,
    location_offset: float = 0.0003,
    minutes: int = 18,
    photo_seed: str | None = None,
    identical: bool = False,
) -> Visit:
    """Store one visit through the services, unless this key was stored before."""
    visit_id = uuid.uuid5(NAMESPACE, key)
    existing = Visit.objects.filter(pk=visit_id).first()
    if existing is not None:
        return existing
    rng = random.Random(key)
    assignment, _ = Assignment.objects.get_or_create(
        branch=branch,
        shopper=shopper,
        checklist_version=version,
        window_from=day - dt.timedelta(days=3),
        window_to=day + dt.timedelta(days=3),
        defaults={"scenario": rng.choice(SCENARIOS)},
    )
    started = timezone.make_aware(
        dt.datetime.combine(day, dt.time(rng.randint(9, 15), rng.randint(0, 59)))
    )
    ended = started + dt.timedelta(minutes=minutes)
    rule_by_code = {r.code: r for r in rules.items}
    answers = []
    for item in items.values():
        answer = _answer(item, rule_by_code[item.code], p, rng)
        if answer is not None:
            if identical and item.answer_type == AnswerType.SCALE5:
                answer = AnswerBody(question=item.code, value=4)
            answers.append(answer)
    impression = rng.choice(VISIT_COMMENTS[any(answer.comment for answer in answers)])
    answers += [
        AnswerBody(question=item.code, value=DEMO_TEXTS.get(item.code, impression))
        for item in items.values()
        if item.answer_type == AnswerType.TEXT
    ]
    answers += _date_times(items, answered={a.question for a in answers}, started=started)
    in_branch = version.checklist.channel == Channel.BRANCH
    photos: tuple[PhotoBody, ...] = ()
    if in_branch:  # a call or a letter has no entrance to photograph
        photo_item = next(
            (code for code, i in items.items() if i.answer_type == AnswerType.PHOTO), ""
        )
        photo_bytes = _photo(branch, started + dt.timedelta(minutes=2), photo_seed or key)
        photo_id = uuid.uuid5(NAMESPACE, f"{key}-photo")
        photos = (
            PhotoBody(
                id=photo_id, sha256=hashlib.sha256(photo_bytes).hexdigest(), question=photo_item
            ),
        )
    body = VisitBody(
        id=visit_id,
        assignment=assignment.pk,
        checklist_version=version.pk,
        started_at=started,
        ended_at=ended,
        location=(
            {
                "lat": float(branch.latitude) + rng.uniform(-1, 1) * location_offset,
                "lng": float(branch.longitude) + rng.uniform(-1, 1) * location_offset,
                "accuracy_m": rng.randint(6, 30),
            }
            if in_branch
            else None
        ),
        answers=tuple(answers),
        comment=impression,
        photos=photos,
    )
    visit = visit_submit(shopper=shopper, body=body).visit
    for photo in photos:
        photo_upload(
            visit=visit,
            photo_id=photo.id,
            file=io.BytesIO(photo_bytes),
            size=len(photo_bytes),
            question=photo.question,
        )
    visit.refresh_from_db()
    return visit


def _date_times(items, *, answered: set[str], started: dt.datetime) -> list[AnswerBody]:
    """The date-time items not already N/A, as the phone's picker gives them (local time).

    In checklist order, a day apart and ending at the visit's start: a written
    complaint is sent before its answer comes; a call has one, when it started.
    """
    codes = [
        code
        for code, item in items.items()
        if item.answer_type == AnswerType.DATETIME and code not in answered
    ]
    local = timezone.localtime(started)
    return [
        AnswerBody(
            question=code,
            value=(local - dt.timedelta(days=len(codes) - 1 - n)).strftime("%Y-%m-%dT%H:%M"),
        )
        for n, code in enumerate(codes)
    ]


def _newest_published(code: str) -> ChecklistVersion | None:
    return (
        ChecklistVersion.objects.filter(
            checklist__code=code, status=ChecklistVersion.Status.PUBLISHED
        )
        .order_by("-number")
        .first()
    )


def demo_visits_seed(
    *, organisation: DemoOrganisation, today: dt.date | None = None, months: int = MONTHS
) -> int:
    """Seed the visit history and a small review queue. Returns how many visits exist."""
    today = today or timezone.localdate()
    version = _newest_published(CHECKLIST)
    if version is None:
        raise RuntimeError("Load the checklist library first: python manage.py load_checklists")
    rules, items = version_rules(version)
    reviewer = organisation.users["reviewer"]
    turn = 0
    for branch in organisation.active_branches:
        quality = _quality(branch)
        for months_back in range(months, 0, -1):
            start = _month_start(today, months_back)
            p = max(0.2, min(0.98, quality.level + quality.drift * (months - months_back)))
            for n in range(VISITS_PER_MONTH):
                turn += 1
                day = start + dt.timedelta(days=5 + n * 8 + turn % 4)  # 5th–24th: any month
                with transaction.atomic():
                    visit = _visit(
                        branch=branch,
                        shopper=_shopper_for(branch, organisation.shoppers, turn),
                        version=version,
                        day=day,
                        key=f"{branch.code}-{start:%Y-%m}-{n}",
                        p=random.Random(f"{branch.code}{start}{n}").gauss(p, 0.05),
                        rules=rules,
                        items=items,
                    )
                if visit.status == Visit.Status.SUBMITTED:
                    visit_review(
                        visit=visit,
                        reviewer=reviewer,
                        decision="approve",
                        note="Consistent with the photos and timings.",
                    )
    _seed_review_queue(
        organisation=organisation, version=version, rules=rules, items=items, today=today
    )
    _seed_other_channels(organisation=organisation, reviewer=reviewer, today=today)
    _seed_open_work(organisation=organisation, today=today)
    return Visit.objects.count()


def _seed_review_queue(*, organisation, version, rules, items, today: dt.date) -> None:
    """A few fresh visits waiting for review, some of them doubtful."""
    active = organisation.active_branches
    branches = [active[i % len(active)] for i in range(6)]
    shared_photo = f"{branches[0].code}-queue-shared-photo"
    doubtful = [
        ("plain", branches[0], {}),
        ("far-away", branches[1], {"location_offset": 0.05}),
        ("too-short", branches[2], {"minutes": 2}),
        ("reused-photo", branches[3], {"photo_seed": shared_photo}),
        ("reused-photo-original", branches[4], {"photo_seed": shared_photo}),
        ("identical-answers", branches[5], {"identical": True}),
    ]
    for turn, (name, branch, options) in enumerate(doubtful):
        with transaction.atomic():
            _visit(
                branch=branch,
                shopper=_shopper_for(branch, organisation.shoppers, turn),
                version=version,
                day=today - dt.timedelta(days=1 + turn),
                key=f"queue-{name}-{branch.code}",
                p=0.8,
                rules=rules,
                items=items,
                **options,
            )


# The library's checklists shopped by phone and in writing, seeded next to the branch visits.
OTHER_CHANNELS = ("phone-enquiry", "written-complaint-reply")


def _seed_other_channels(*, organisation, reviewer, today: dt.date) -> None:
    """Per other channel: two branches' approved shops last month, and one waiting for review."""
    active = organisation.active_branches
    last_month = _month_start(today, 1)
    for offset, code in enumerate(OTHER_CHANNELS):
        version = _newest_published(code)
        if version is None:
            continue  # a library without it (an older one): the demo shows branch visits only
        rules, items = version_rules(version)
        shops = [
            (active[(2 * offset + n) % len(active)], last_month + dt.timedelta(days=9 + n), "")
            for n in range(2)
        ]
        shops.append((active[2 * offset % len(active)], today - dt.timedelta(days=1), "queue-"))
        for turn, (branch, day, prefix) in enumerate(shops):
            with transaction.atomic():
                visit = _visit(
                    branch=branch,
                    shopper=_shopper_for(branch, organisation.shoppers, turn),
                    version=version,
                    day=day,
                    key=f"{prefix}{code}-{branch.code}-{day:%Y-%m}",
                    p=0.75,
                    rules=rules,
                    items=items,
                    minutes=6,
                )
            if not prefix and visit.status == Visit.Status.SUBMITTED:
                visit_review(
                    visit=visit, reviewer=reviewer, decision="approve", note="Matches the call log."
                )


OPEN_WORK_DAYS = 14


def _seed_open_work(*, organisation: DemoOrganisation, today: dt.date) -> None:
    """Open assignments for every shopper, through the real service and its rules.

    A shopper who already has open work there (an earlier run) gets nothing new;
    one whose earlier demo work was done is refused by the rotation rule and
    simply gets none there: the demo never bends the rules it shows.
    """
    head_office = organisation.users["hq"]
    users = organisation.users
    for work in OPEN_WORK:
        branch = organisation.branches.get(work.branch)
        shopper = users.get(work.shopper)
        if branch is None or shopper is None:
            continue  # a slice of the organisation (tests)
        version = (
            ChecklistVersion.objects.filter(
                checklist__code=work.checklist, status=ChecklistVersion.Status.PUBLISHED
            )
            .order_by("-number")
            .first()
        )
        if version is None:
            continue
        if Assignment.objects.filter(
            shopper=shopper,
            branch=branch,
            checklist_version__checklist=version.checklist,
            status=Assignment.Status.OPEN,
            window_from__lte=today,
            window_to__gte=today,
        ).exists():
            continue
        try:
            assignment_create(
                created_by=head_office,
                branch=branch.pk,
                checklist_version=version.pk,
                shopper=shopper.pk,
                window_from=today,
                window_to=today + dt.timedelta(days=OPEN_WORK_DAYS),
                scenario=work.scenario,
                today=today,
            )
        except ValidationError:
            continue
