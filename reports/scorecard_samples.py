"""Hand-built scorecards for tests, benchmarks and eyeballing the layout.

Not fixtures in a conftest because the benchmark and the "render a sample
PDF" check reuse them outside pytest. The data is deliberately rich: a long
item table that spills onto a second page, a critical failure, a period with
no visits in the trend, a missing RATER dimension, as many comments as a
scorecard shows (COMMENT_LIMIT, the visits' own and those on failed items) and
Chinese and English wording, so one look at the output shows most of the
layout's edge cases.
"""

from __future__ import annotations

import base64
import io
from datetime import UTC, date, datetime
from decimal import Decimal
from fractions import Fraction

from checklists.scoring import Threshold
from reports.labels import bpmp_titles, key_factor_titles, labels_for
from reports.scorecard_data import (
    ActionPlans,
    FocusItem,
    ItemRow,
    NamedScore,
    PhotoEvidence,
    PlanRow,
    ScorecardData,
    SectionRow,
    TrendPoint,
)
from reports.selectors.figures import (
    Band,
    ChoiceFigure,
    Figure,
    Option,
    Tally,
    band_labels,
    choice_stats,
    figure_stats,
)
from reports.stats import Interval

D = Decimal

# (zh-Hans, en) pairs, so both language variants carry the same numbers.
_BRANCH = ("上海静安支行", "Shanghai Jing'an Branch")
_REGION = ("上海分行", "Shanghai Region")
_ADDRESS = ("上海市静安区南京西路1266号", "1266 West Nanjing Road, Jing'an District, Shanghai")
_CHECKLIST = ("网点标准暗访检查表 v3", "Standard branch visit checklist v3")
_PERIODS = (
    ("2025年1月", "Jan 2025"),
    ("2025年2月", "Feb 2025"),
    ("2025年3月", "Mar 2025"),
    ("2025年4月", "Apr 2025"),
    ("2025年5月", "May 2025"),
    ("2025年6月", "Jun 2025"),
)
_TREND_SCORES = (D("76.5"), D("79.0"), None, D("81.2"), D("84.5"), D("82.4"))

_SECTIONS = (
    (("到达与第一印象", "Arrival and first impression"), D("88.0"), D("84.5"), D("82.1")),
    (("等候与网点环境", "Waiting area and environment"), D("91.5"), D("86.0"), D("85.3")),
    (("柜台服务", "Counter service"), D("79.0"), D("81.2"), D("80.4")),
    (
        ("了解需求与专业建议", "Understanding needs and professional advice"),
        D("72.5"),
        D("76.8"),
        D("74.9"),
    ),
    (("结束与致谢", "Closing and thanks"), D("85.0"), D("83.0"), D("84.2")),
    (("投诉处理", "Complaint handling"), None, D("70.5"), D("72.0")),
)

_DIMENSIONS = (
    ("reliability", D("84.0")),
    ("assurance", D("78.5")),
    ("tangibles", D("92.0")),
    ("empathy", D("71.0")),
    ("responsiveness", D("80.5")),
)
_AREAS = (("procedure", D("79.5")), ("people", D("82.0")), ("environment", D("91.0")))
# BPMP class, branch, region average, company average; reward = share of delighters shown.
_BPMP = (
    ("basic", D("87.5"), D("90.2"), D("88.9")),
    ("performance", D("78.4"), D("76.0"), D("77.3")),
    ("motivation", D("37.5"), D("42.0"), D("35.8")),
    ("punishment", D("93.8"), D("91.5"), D("92.4")),
)
# Key factor, branch, company average: 18 of the 26, as a branch visited on several
# checklists has them, enough to split the profile into two tables.
_FACTORS = tuple(
    (number, D(branch), D(company))
    for number, branch, company in (
        (1, "85.0", "82.3"),
        (2, "75.0", "80.1"),
        (3, "91.7", "88.4"),
        (4, "100.0", "93.0"),
        (5, "70.0", "74.6"),
        (7, "100.0", "86.2"),
        (8, "100.0", "90.5"),
        (9, "62.5", "71.8"),
        (11, "80.0", "78.9"),
        (12, "55.0", "66.7"),
        (14, "87.5", "84.0"),
        (16, "75.0", "72.4"),
        (18, "75.0", "81.0"),
        (19, "90.0", "85.5"),
        (21, "66.7", "70.2"),
        (23, "83.3", "79.9"),
        (24, "68.8", "73.1"),
        (26, "40.0", "52.6"),
    )
)

# code, (zh, en), factor, score, answered, failures, critical, critical_failures
_ITEMS = (
    (
        "C2",
        ("主动问候，真心微笑", "Proactive greeting and a genuine smile"),
        None,
        D("50.0"),
        4,
        2,
        True,
        2,
    ),
    (
        "P7",
        ("办理业务前核对客户身份", "Customer identity checked before the transaction"),
        18,
        D("75.0"),
        4,
        1,
        True,
        1,
    ),
    (
        "A1",
        ("进门30秒内有员工问候", "Greeted by staff within 30 seconds of entering"),
        2,
        D("75.0"),
        4,
        1,
        False,
        0,
    ),
    (
        "A2",
        ("大堂经理主动询问来访目的", "Lobby manager asks the purpose of the visit unprompted"),
        7,
        D("100.0"),
        4,
        0,
        False,
        0,
    ),
    (
        "A3",
        ("取号与分流指引清晰", "Clear queue ticket and directions"),
        8,
        D("100.0"),
        4,
        0,
        False,
        0,
    ),
    (
        "E1",
        ("营业厅地面、柜台整洁无杂物", "Floor and counters clean and uncluttered"),
        3,
        D("100.0"),
        4,
        0,
        False,
        0,
    ),
    (
        "E2",
        ("等候区座位充足，环境舒适", "Enough seats in the waiting area, comfortable setting"),
        4,
        D("87.5"),
        4,
        0,
        False,
        0,
    ),
    (
        "E3",
        ("宣传资料摆放整齐、内容为最新", "Leaflets tidy and up to date"),
        11,
        D("75.0"),
        4,
        1,
        False,
        0,
    ),
    (
        "W1",
        ("等候时间不超过15分钟", "Waited no longer than 15 minutes"),
        24,
        D("50.0"),
        4,
        2,
        False,
        0,
    ),
    (
        "K1",
        ("柜员仪容仪表符合规范", "Teller's appearance meets the standard"),
        25,
        D("100.0"),
        4,
        0,
        False,
        0,
    ),
    (
        "K2",
        ("双手递接单据与银行卡", "Documents and cards handed over with both hands"),
        2,
        D("87.5"),
        4,
        0,
        False,
        0,
    ),
    (
        "K3",
        ("耐心倾听，不打断客户", "Listens patiently without interrupting"),
        16,
        D("75.0"),
        4,
        1,
        False,
        0,
    ),
    ("K4", ("办理效率与安全兼顾", "Efficient and safe handling"), 18, D("87.5"), 4, 0, False, 0),
    (
        "N1",
        ("站在客户角度推荐合适产品", "Recommends a product from the customer's point of view"),
        14,
        D("62.5"),
        4,
        2,
        False,
        0,
    ),
    (
        "N2",
        ("清楚说明费用与风险，无隐藏条款", "Explains fees and risks clearly, no hidden terms"),
        15,
        D("75.0"),
        4,
        1,
        False,
        0,
    ),
    ("N3", ("专业解答客户问题", "Answers questions professionally"), 25, D("87.5"), 4, 0, False, 0),
    (
        "X1",
        ("业务结束时感谢客户", "Thanks the customer at the end"),
        None,
        D("100.0"),
        4,
        0,
        False,
        0,
    ),
    (
        "X2",
        ("主动告知后续服务渠道", "Points to follow-up service channels"),
        9,
        D("62.5"),
        4,
        1,
        False,
        0,
    ),
    (
        "X3",
        ("前后一致的待客态度", "Consistent attitude before and after the sale"),
        26,
        D("87.5"),
        4,
        0,
        False,
        0,
    ),
    (
        "Q1",
        ("投诉时耐心倾听、不辩解", "Listens to a complaint patiently without arguing"),
        23,
        None,
        0,
        0,
        False,
        0,
    ),
)

_FOCUS = (
    (
        "C2",
        ("主动问候，真心微笑", "Proactive greeting and a genuine smile"),
        D("6.0"),
        (
            "客户进门即起身问候并微笑致意，只有真心的微笑才有魅力。",
            "Stand and greet the customer with a genuine smile as they come in — only a genuine smile is appealing.",
        ),
    ),
    (
        "W1",
        ("等候时间不超过15分钟", "Waited no longer than 15 minutes"),
        D("4.5"),
        (
            "高峰时段增开窗口，并由大堂经理主动预处理业务，缩短客户等待。",
            "Open extra counters at peak times and have the lobby manager prepare transactions in the queue.",
        ),
    ),
    (
        "N1",
        ("站在客户角度推荐合适产品", "Recommends a product from the customer's point of view"),
        D("3.5"),
        (
            "先了解客户的需求与风险偏好，再推荐产品，说明为何适合该客户。",
            "Ask about the customer's needs and risk appetite first, then explain why the product suits them.",
        ),
    ),
)

_COMMENTS = (
    (
        "大堂经理非常热情，主动帮我取号并介绍了手机银行的预约功能。",
        "The lobby manager was very warm, took a ticket for me and showed me the app's booking feature.",
    ),
    (
        "柜员业务熟练，但全程没有微笑，结束时也没有道谢。",
        "The teller knew the job well but did not smile once and did not say thank you at the end.",
    ),
    (
        "等候了大约20分钟，只开了两个窗口，等候区人很多。",
        "I waited about 20 minutes with only two counters open; the waiting area was crowded.",
    ),
    # Comments on failed items come after the visits' own, named after their item.
    (
        "主动问候，真心微笑：进门后没有员工招呼，柜员也始终没有笑容。",
        "Proactive greeting and a genuine smile: nobody greeted me as I came in, "
        "and the teller never smiled.",
    ),
    (
        "等候时间不超过15分钟：取号后等了22分钟才轮到我。",
        "Waited no longer than 15 minutes: I waited 22 minutes after taking a ticket.",
    ),
    (
        "站在客户角度推荐合适产品：没有问我的需要，就直接推荐了理财产品。",
        "Recommends a product from the customer's point of view: offered a wealth "
        "product without asking what I needed.",
    ),
    (
        "宣传资料摆放整齐、内容为最新：资料架上有两份宣传单已经过期。",
        "Leaflets tidy and up to date: two leaflets on the stand were out of date.",
    ),
    (
        "清楚说明费用与风险，无隐藏条款：办完之后才告诉我要收手续费。",
        "Explains fees and risks clearly, no hidden terms: I was told about the fee "
        "only after the transaction.",
    ),
)

_PHOTO_CAPTIONS = (
    ("营业厅入口与取号机", "Entrance and queue-ticket machine"),
    ("等候区，仅开放两个窗口", "Waiting area, only two counters open"),
    ("宣传资料架（部分资料已过期）", "Leaflet stand (some leaflets out of date)"),
)


# Action plans: (month zh, en), reason, items (zh, en), status, due date, overdue.
# One of each kind a card marks: overdue, reopened ("did not fix"), waiting on head office.
_OPEN_PLANS = (
    (
        ("2025年4月", "Apr 2025"),
        "critical_failure",
        (("双手递接单据与银行卡",), ("Documents and cards handed over with both hands",)),
        "reopened",
        date(2025, 5, 20),
        True,
    ),
    (
        ("2025年6月", "Jun 2025"),
        "below_standard",
        (
            ("等候时间不超过15分钟", "站在客户角度推荐合适产品"),
            (
                "Waited no longer than 15 minutes",
                "Recommends a product from the customer's point of view",
            ),
        ),
        "submitted",
        date(2025, 7, 31),
        False,
    ),
    (
        ("2025年6月", "Jun 2025"),
        "critical_failure",
        (("办理业务前核对客户身份",), ("Customer identity checked before the transaction",)),
        "open",
        None,
        False,
    ),
)
# Last period's accepted plans and what the next visit made of them.
_PREVIOUS_PLANS = (
    (
        ("2025年5月", "May 2025"),
        "below_standard",
        (("宣传资料摆放整齐、内容为最新",), ("Leaflets tidy and up to date",)),
        "verified",
        date(2025, 6, 10),
    ),
    (
        ("2025年5月", "May 2025"),
        "critical_failure",
        (("主动问候，真心微笑",), ("Proactive greeting and a genuine smile",)),
        "did_not_fix",
        date(2025, 6, 20),
    ),
)


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if lang == "zh-Hans" else pair[1]


def sample_photo(seed: int = 0, size: tuple[int, int] = (480, 320)) -> str:
    """Return a small generated JPEG as a data URI.

    Drawn (not loaded from disk) so the samples carry no binary files; the
    shapes only hint at a room so the layout can be judged with something
    photo-like in the frame. Deterministic for a given seed.
    """
    from PIL import Image, ImageDraw

    palettes = (
        ((214, 224, 235), (120, 140, 165), (60, 90, 130)),
        ((232, 226, 214), (170, 150, 120), (110, 85, 60)),
        ((222, 232, 222), (130, 160, 130), (70, 105, 80)),
    )
    wall, floor, accent = palettes[seed % len(palettes)]
    width, height = size
    image = Image.new("RGB", size, wall)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, int(height * 0.68), width, height), fill=floor)
    for i in range(3):
        x = int(width * (0.12 + 0.28 * i))
        draw.rectangle(
            (x, int(height * 0.30), x + int(width * 0.18), int(height * 0.68)), fill=accent
        )
        draw.rectangle(
            (x + 8, int(height * 0.36), x + int(width * 0.18) - 8, int(height * 0.46)), fill=wall
        )
    draw.rectangle((0, 0, width, int(height * 0.10)), fill=accent)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=70)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _trend(lang: str, scores: tuple[Decimal | None, ...]) -> tuple[TrendPoint, ...]:
    return tuple(
        TrendPoint(label=_pick(period, lang), score=score)
        for period, score in zip(_PERIODS, scores, strict=True)
    )


def sample_action_plans(lang: str = "zh-Hans") -> ActionPlans:
    """The branch's plans as reports.selectors.scorecard words them."""
    t = labels_for(lang)
    join = "、" if lang == "zh-Hans" else "; "
    return ActionPlans(
        open=tuple(
            PlanRow(
                month=_pick(month, lang),
                reason=t[f"plan_reason_{reason}"],
                items=join.join(_pick(items, lang)),
                status=status,
                status_label=t[f"plan_status_{status}"],
                due_date=due,
                overdue=overdue,
            )
            for month, reason, items, status, due, overdue in _OPEN_PLANS
        ),
        more_open=0,
        previous=tuple(
            PlanRow(
                month=_pick(month, lang),
                reason=t[f"plan_reason_{reason}"],
                items=join.join(_pick(items, lang)),
                status=outcome,
                status_label=t[f"plan_outcome_{outcome}"],
                due_date=due,
                overdue=False,
            )
            for month, reason, items, outcome, due in _PREVIOUS_PLANS
        ),
        previous_label=_pick(_PERIODS[-2], lang),
    )


# Number items: (code, label, unit, weight > 0, thresholds, this branch's values, the
# region's, the company's). Real values through the real arithmetic, so the sample
# shows what a card prints; two, as the standard branch visit has.
_FIGURES = (
    (
        "CS02",
        ("从进门到被问候的秒数", "Seconds until greeted"),
        ("秒", "seconds"),
        True,
        ((None, "10", "100"), (None, "30", "60"), (None, None, "0")),
        (8, 12, 25, 41),
        (5, 8, 9, 12, 12, 14, 18, 25, 33, 41, 7, 6),
        (3, 5, 6, 8, 9, 10, 11, 12, 14, 15, 18, 20, 22, 25, 33, 41, 7, 6, 4, 9),
    ),
    (
        "WT01",
        ("排队等候的分钟数", "Minutes in the queue"),
        ("分钟", "minutes"),
        True,
        ((None, "5", "100"), (None, "10", "60"), (None, "20", "20"), (None, None, "0")),
        (3, 6, 4.5, 12),
        (2, 3, 4, 6, 8, 12, 15, 3.5, 5, 7),
        (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 15, 18, 25, 3.5, 4.5),
    ),
)


def _number(value: int | float) -> Fraction:
    return Fraction(Decimal(str(value)))


def sample_figures(lang: str = "zh-Hans") -> tuple[Figure, ...]:
    """The number items' figures of the sample card, in ``lang``."""
    figures = []
    for code, label, unit, scored, bounds, own, region, company in _FIGURES:
        thresholds = tuple(
            Threshold(
                score=D(score),
                min=None if low is None else D(low),
                max=None if high is None else D(high),
            )
            for low, high, score in bounds
        )
        labels = band_labels(thresholds, any_value=labels_for(lang)["figures_band_any"])
        figures.append(
            Figure(
                code=code,
                label=_pick(label, lang),
                unit=_pick(unit, lang),
                scored=scored,
                bands=tuple(
                    Band(label=text, min=t.min, max=t.max, score=t.score)
                    for text, t in zip(labels, thresholds, strict=True)
                ),
                stats=figure_stats(map(_number, own), thresholds),
                region=figure_stats(map(_number, region), thresholds),
                company=figure_stats(map(_number, company), thresholds),
            )
        )
    return tuple(figures)


# The complainant type played: (value, label), then the overall scores of the visits that
# chose it at this branch, in its region and in the company. One type nobody played here.
_COMPLAINANT_TYPES = (
    (
        "problem_driven",
        ("问题解决型", "Problem-driven"),
        ("84.5", "80.0"),
        ("84.5", "80.0", "77.5", "90.0", "71.0"),
        ("84.5", "80.0", "77.5", "90.0", "71.0", "86.0", "79.5", "83.0"),
    ),
    (
        "venting",
        ("表现不满型", "Venting"),
        ("71.0",),
        ("71.0", "66.5", "74.0"),
        ("71.0", "66.5", "74.0", "69.0", "72.5", "80.0"),
    ),
    (
        "wants_to_feel_important",
        ("自我表现型", "Wants to feel important"),
        ("88.0",),
        ("88.0", "79.0"),
        ("88.0", "79.0", "82.5", "76.0"),
    ),
    (
        "dependent",
        ("撒娇倚赖型", "Dependent/unreasonable"),
        (),
        ("62.0", "70.5"),
        ("62.0", "70.5", "58.0", "66.0", "73.5"),
    ),
)


def _tally(scores: tuple[str, ...]) -> Tally:
    return Tally(visits=len(scores), scored=len(scores), total=sum(map(D, scores), D(0)))


def sample_choices(lang: str = "zh-Hans") -> tuple[ChoiceFigure, ...]:
    """The complainant type played, as the sample card's one descriptive choice, in ``lang``."""
    values = tuple(value for value, *_ in _COMPLAINANT_TYPES)

    def stats(column: int):
        return choice_stats(values, {row[0]: _tally(row[column]) for row in _COMPLAINANT_TYPES})

    return (
        ChoiceFigure(
            code="TYPE",
            label=_pick(("扮演的投诉者类型", "The complainant type you played"), lang),
            options=tuple(
                Option(value=value, label=_pick(label, lang))
                for value, label, *_ in _COMPLAINANT_TYPES
            ),
            stats=stats(2),
            region=stats(3),
            company=stats(4),
        ),
    )


def sample_scorecard(lang: str = "zh-Hans") -> ScorecardData:
    """A full scorecard for 上海静安支行 in ``lang`` ("zh-Hans" or "en")."""
    t = labels_for(lang)
    return ScorecardData(
        lang=lang,
        branch_name=_pick(_BRANCH, lang),
        branch_code="SH-0217",
        region_name=_pick(_REGION, lang),
        address=_pick(_ADDRESS, lang),
        period_label=_pick(_PERIODS[-1], lang),
        checklist_title=_pick(_CHECKLIST, lang),
        visit_count=4,
        score=D("82.4"),
        band="meets",
        expected=D("80"),
        tolerance=D("5"),
        rank_region=3,
        region_size=8,
        rank_company=12,
        company_size=46,
        interval=Interval(low=D("76.1"), high=D("88.7")),
        small_sample=False,
        small_sample_visits=3,
        change_significant=False,
        trend=_trend(lang, _TREND_SCORES),
        sections=tuple(
            SectionRow(
                label=_pick(label, lang), score=score, region_avg=region, company_avg=company
            )
            for label, score, region, company in _SECTIONS
        ),
        dimensions=tuple(
            NamedScore(code=code, label=t[f"dimension_{code}"], score=score)
            for code, score in _DIMENSIONS
        ),
        areas=tuple(
            NamedScore(code=code, label=t[f"area_{code}"], score=score) for code, score in _AREAS
        ),
        items=tuple(
            ItemRow(
                code=code,
                label=_pick(label, lang),
                factor=factor,
                score=score,
                answered=answered,
                failures=failures,
                critical=critical,
                critical_failures=critical_failures,
            )
            for code, label, factor, score, answered, failures, critical, critical_failures in _ITEMS
        ),
        photos=tuple(
            PhotoEvidence(data_uri=sample_photo(i), caption=_pick(caption, lang))
            for i, caption in enumerate(_PHOTO_CAPTIONS)
        ),
        comments=tuple(_pick(comment, lang) for comment in _COMMENTS),
        focus=tuple(
            FocusItem(
                code=code,
                label=_pick(label, lang),
                points=points,
                good_practice=_pick(practice, lang),
            )
            for code, label, points, practice in _FOCUS
        ),
        generated_at=datetime(2025, 7, 3, 9, 30, tzinfo=UTC),
        action_plans=sample_action_plans(lang),
        figures=sample_figures(lang),
        choices=sample_choices(lang),
        bpmp=tuple(
            SectionRow(
                label=_pick(bpmp_titles()[code], lang),
                score=score,
                region_avg=region,
                company_avg=company,
            )
            for code, score, region, company in _BPMP
        ),
        factors=tuple(
            SectionRow(
                label=_pick(key_factor_titles()[number], lang),
                score=score,
                region_avg=None,
                company_avg=company,
            )
            for number, score, company in _FACTORS
        ),
    )


def sample_empty_scorecard(lang: str = "zh-Hans") -> ScorecardData:
    """The same branch in a period with no approved visits.

    Earlier periods did have visits, so the trend still has something to
    show; everything that depends on this period's visits is empty.
    """
    t = labels_for(lang)
    full = sample_scorecard(lang)
    return ScorecardData(
        lang=lang,
        branch_name=full.branch_name,
        branch_code=full.branch_code,
        region_name=full.region_name,
        address=full.address,
        period_label=full.period_label,
        checklist_title=full.checklist_title,
        visit_count=0,
        score=None,
        band=None,
        expected=full.expected,
        tolerance=full.tolerance,
        rank_region=None,
        region_size=full.region_size,
        rank_company=None,
        company_size=full.company_size,
        interval=None,
        small_sample=False,
        small_sample_visits=full.small_sample_visits,
        change_significant=False,
        trend=_trend(lang, (*_TREND_SCORES[:-1], None)),
        sections=(),
        dimensions=tuple(
            NamedScore(code=code, label=t[f"dimension_{code}"], score=None)
            for code, _ in _DIMENSIONS
        ),
        areas=(),
        items=(),
        photos=(),
        comments=(),
        focus=(),
        generated_at=full.generated_at,
        action_plans=full.action_plans,
    )
