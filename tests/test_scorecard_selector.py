"""reports.selectors.scorecard — what a branch scorecard shows, read from stored scores."""

from __future__ import annotations

import base64
import io
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from audits.models import Photo, Visit, VisitScore
from audits.storage import private_storage
from checklists.models import Item
from reports.periods import parse_period
from reports.selectors.scorecard import (
    period_label,
    report_checklist_default,
    scorecard_checklist,
    scorecard_data,
)
from tests.factories import BranchFactory, ChecklistFactory, VersionFactory
from tests.report_data import complainant_type_item, report_checklist, rescore, visit

D = Decimal
OCTOBER = parse_period("2026-10", date_from=None, date_to=None)


@pytest.fixture
def version(db):
    return report_checklist("branch-visit")


@pytest.fixture(autouse=True)
def rank_every_scored_branch(settings):
    """Most tests here rank branches scored from one or two visits, so the small-sample
    rule is switched off (1); the tests of that rule set their own threshold."""
    settings.SMALL_SAMPLE_VISITS = 1


@pytest.fixture
def xuhui(east):
    return BranchFactory(
        region=east, code="sh-xuhui", name_zh="上海徐汇支行", name_en="Shanghai Xuhui"
    )


def card(branch, version, lang="en", period=OCTOBER):
    return scorecard_data(branch=branch, checklist=version.checklist, period=period, lang=lang)


def test_the_score_is_the_mean_of_the_periods_approved_visits_only(east_branch, version):
    visit(east_branch, version, "2026-10-02", 80.0)
    visit(east_branch, version, "2026-10-30", 90.0)
    visit(east_branch, version, "2026-10-15", 10.0, status=Visit.Status.SUBMITTED)
    visit(east_branch, version, "2026-09-30", 10.0)

    data = card(east_branch, version)

    assert (data.visit_count, data.score, data.band) == (2, D("85.0"), "meets")
    assert (data.expected, data.tolerance) == (D("80.0"), D("5.0"))


def test_branches_with_equal_scores_share_a_rank_in_region_and_company(
    east_branch, pudong, xuhui, west_branch, version
):
    visit(xuhui, version, "2026-10-05", 90.0)
    visit(east_branch, version, "2026-10-05", 85.0)
    visit(pudong, version, "2026-10-06", 80.0)
    visit(pudong, version, "2026-10-07", 90.0)
    visit(west_branch, version, "2026-10-08", 95.0)

    jingan, pudong_card = card(east_branch, version), card(pudong, version)

    assert (jingan.rank_region, jingan.region_size) == (2, 3)
    assert (pudong_card.rank_region, pudong_card.region_size) == (2, 3)
    assert (jingan.rank_company, jingan.company_size) == (3, 4)
    assert (pudong_card.rank_company, pudong_card.company_size) == (3, 4)


@pytest.mark.parametrize(
    ("channel", "lang", "label"),
    [
        ("phone", "zh-Hans", "电话（神秘来电）"),
        ("phone", "en", "Phone call (mystery call)"),
        ("written", "zh-Hans", "书面（信件、电子邮件或网上表单）"),
        ("written", "en", "Written (letter, e-mail or web form)"),
    ],
)
def test_a_card_names_the_channel_of_a_checklist_not_shopped_in_the_branch(
    east_branch, version, channel, lang, label
):
    version.checklist.channel = channel
    version.checklist.save()
    visit(east_branch, version, "2026-10-05", 80.0)

    assert card(east_branch, version, lang=lang).channel_label == label


def test_a_branch_visits_card_names_no_channel(east_branch, version):
    visit(east_branch, version, "2026-10-05", 80.0)

    assert card(east_branch, version).channel_label == ""


def test_a_branch_without_approved_visits_gets_an_empty_card_not_an_error(
    east_branch, pudong, version
):
    visit(pudong, version, "2026-10-05", 90.0)
    visit(east_branch, version, "2026-08-05", 70.0)

    data = card(east_branch, version)

    assert not data.has_visits
    assert (data.score, data.band, data.rank_region, data.rank_company) == (None, None, None, None)
    assert data.items == () and data.focus == () and data.photos == () and data.comments == ()
    assert [point.score for point in data.trend] == [None, None, None, D("70.0"), None, None]


def test_the_trend_shows_six_periods_oldest_first_ending_with_this_one(east_branch, version):
    visit(east_branch, version, "2026-05-31", 60.0)
    visit(east_branch, version, "2026-07-01", 70.0)
    visit(east_branch, version, "2026-10-01", 80.0)

    data = card(east_branch, version, lang="zh-Hans")

    assert [point.label for point in data.trend] == [
        "2026年5月",
        "2026年6月",
        "2026年7月",
        "2026年8月",
        "2026年9月",
        "2026年10月",
    ]
    assert [point.score for point in data.trend] == [
        D("60.0"),
        None,
        D("70.0"),
        None,
        None,
        D("80.0"),
    ]


def test_sections_stand_against_the_average_branch_of_the_region_and_company(
    east_branch, pudong, west_branch, version
):
    visit(east_branch, version, "2026-10-01", 80.0, sections={"core": 70, "env": 90})
    visit(east_branch, version, "2026-10-02", 80.0, sections={"core": 80, "env": 90})
    visit(pudong, version, "2026-10-03", 80.0, sections={"core": 95})
    visit(west_branch, version, "2026-10-04", 80.0, sections={"core": 50, "env": 60})

    sections = {row.label: row for row in card(east_branch, version).sections}

    # Branch means: jing'an core 75, env 90; pudong core 95; west core 50, env 60.
    assert sections["Core service"].score == D("75.0")
    assert sections["Core service"].region_avg == D("85.0")
    assert sections["Core service"].company_avg == D("73.3")
    assert (sections["Environment"].region_avg, sections["Environment"].company_avg) == (
        D("90.0"),
        D("75.0"),
    )


def test_rater_dimensions_and_areas_come_from_the_stored_visit_scores(east_branch, version):
    first = visit(east_branch, version, "2026-10-01", 80.0, dimensions={"empathy": 70})
    second = visit(east_branch, version, "2026-10-02", 80.0, dimensions={"empathy": 81})
    VisitScore.objects.create(visit=first, kind=VisitScore.Kind.AREA, key="people", score=D("60"))
    VisitScore.objects.create(visit=second, kind=VisitScore.Kind.AREA, key="people", score=D("71"))

    data = card(east_branch, version)

    assert [d.code for d in data.dimensions] == [
        "reliability",
        "assurance",
        "tangibles",
        "empathy",
        "responsiveness",
    ]
    assert {d.code: d.score for d in data.dimensions}["empathy"] == D("75.5")
    assert {a.code: a.score for a in data.areas} == {
        "procedure": None,
        "people": D("65.5"),
        "environment": None,
    }


def test_items_list_critical_failures_first_then_checklist_order(east_branch, version):
    visit(
        east_branch,
        version,
        "2026-10-01",
        40.0,
        answers={"greet": 0, "attitude": 25, "wait": 100, "clean": 100},
    )
    visit(east_branch, version, "2026-10-02", 90.0, answers={"greet": 100, "attitude": 75})

    items = card(east_branch, version).items

    assert [row.code for row in items] == ["greet", "attitude", "wait", "clean", "resolved"]
    greet, attitude = items[0], items[1]
    assert (greet.critical, greet.critical_failures, greet.failures, greet.score) == (
        True,
        1,
        1,
        D("50.0"),
    )
    assert (attitude.answered, attitude.failures, attitude.score) == (2, 1, D("50.0"))
    assert (items[-1].answered, items[-1].score) == (0, None)


def test_unscored_text_and_photo_items_stay_out_of_the_item_table(east_branch, version):
    visit(
        east_branch, version, "2026-10-01", 80.0, answers={"greet": 100, "remark": {"score": None}}
    )

    codes = [row.code for row in card(east_branch, version).items]

    assert "remark" not in codes and "entrance" not in codes
    assert codes[0] == "greet"


def test_focus_is_the_three_items_that_cost_the_most_points_per_visit(east_branch, version):
    Item.objects.filter(version=version, code="clean").update(
        good_practice_zh="地面、柜台整洁无杂物。", good_practice_en="Floor and counters clean."
    )
    visit(
        east_branch,
        version,
        "2026-10-01",
        60.0,
        answers={
            "greet": {"score": 100, "gain": "1.00"},
            "attitude": {"score": 50, "gain": "4.00"},
            "wait": {"score": 60, "gain": "3.00"},
            "clean": {"score": 40, "gain": "6.20"},
        },
    )
    visit(
        east_branch,
        version,
        "2026-10-02",
        80.0,
        answers={"attitude": {"score": 75, "gain": "2.00"}, "wait": {"score": 60, "gain": "0.50"}},
    )

    focus = card(east_branch, version).focus

    assert [(f.code, f.points) for f in focus] == [
        ("clean", D("3.1")),
        ("attitude", D("3.0")),
        ("wait", D("1.8")),
    ]
    assert focus[0].good_practice == "Floor and counters clean."


def jpeg(colour: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(buffer, format="JPEG")
    return buffer.getvalue()


def test_photos_are_print_renditions_captioned_with_their_item_and_never_a_date(
    east_branch, version
):
    stored = visit(east_branch, version, "2026-10-03", 60.0, answers={"clean": 0, "attitude": 100})
    storage = private_storage()
    for code, colour in (("attitude", "blue"), ("clean", "red"), ("entrance", "green")):
        photo = Photo.objects.create(
            visit=stored, item_code=code, sha256="0" * 64, received_at=timezone.now()
        )
        photo.original_name = storage.save(f"o/{photo.pk}.jpg", ContentFile(b"original bytes"))
        photo.print_name = storage.save(f"p/{photo.pk}.jpg", ContentFile(jpeg(colour)))
        photo.save()

    photos = card(east_branch, version).photos

    # The failed item's photo comes first. No date: a regional manager reads the card
    # and must never learn when a visit was made (issue 11).
    assert [p.caption for p in photos] == [
        "A clean environment",
        "Warm, willing service",
        "Photo of the entrance",
    ]
    prefix = "data:image/jpeg;base64,"
    assert photos[0].data_uri.startswith(prefix)
    assert base64.b64decode(photos[0].data_uri.removeprefix(prefix)) == jpeg("red")


def test_comments_are_the_shoppers_words_and_nothing_about_the_shopper(east_branch, version):
    stored = visit(east_branch, version, "2026-10-03", 60.0, answers={"greet": 0})
    stored.comment = "柜员没有微笑。"
    stored.save(update_fields=["comment"])
    stored.answers.filter(item_code="greet").update(comment="进门无人问候")

    comments = card(east_branch, version, lang="zh-Hans").comments

    assert comments == ("柜员没有微笑。", "主动问候：进门无人问候")
    assert all(stored.shopper.username not in comment for comment in comments)


def test_the_default_checklist_is_the_one_most_visited_at_the_branch_in_the_period(
    east_branch, version
):
    other = report_checklist("other-visit")
    visit(east_branch, version, "2026-10-01", 80.0)
    visit(east_branch, other, "2026-10-02", 80.0)
    visit(east_branch, other, "2026-10-03", 80.0)
    visit(east_branch, version, "2026-09-03", 80.0)
    visit(east_branch, version, "2026-09-04", 80.0)

    assert scorecard_checklist(branch=east_branch, period=OCTOBER) == other.checklist


def test_without_visits_in_the_period_the_default_checklist_comes_from_the_trend_window(
    east_branch, version
):
    ChecklistFactory(code="standard-branch-visit")
    visit(east_branch, version, "2026-06-01", 80.0)

    assert scorecard_checklist(branch=east_branch, period=OCTOBER) == version.checklist


def test_a_branch_never_visited_gets_the_standard_branch_visit(east_branch, version):
    standard = VersionFactory(checklist__code="standard-branch-visit").checklist

    assert scorecard_checklist(branch=east_branch, period=OCTOBER) == standard


def test_a_report_page_opens_with_the_most_visited_checklist_of_its_branches(
    east_branch, west_branch, version
):
    other = report_checklist("other-visit")
    visit(west_branch, other, "2026-10-02", 80.0)
    visit(west_branch, other, "2026-10-03", 80.0)
    visit(east_branch, version, "2026-10-03", 80.0)

    assert report_checklist_default(branches=[east_branch], period=OCTOBER) == version.checklist


@pytest.mark.parametrize(
    ("period", "lang", "label"),
    [
        ("2026-10", "en", "Oct 2026"),
        ("2026-Q3", "zh-Hans", "2026年第3季度"),
        ("2026-Q3", "en", "Q3 2026"),
    ],
)
def test_periods_are_named_in_the_cards_language(period, lang, label):
    assert period_label(parse_period(period, date_from=None, date_to=None), lang) == label


def test_the_company_league_table_is_built_once_for_all_the_periods_scorecards(
    east_branch, pudong, version, monkeypatch
):
    from reports.selectors import comparison as selector

    visit(east_branch, version, "2026-10-05", 85.0)
    visit(pudong, version, "2026-10-06", 80.0)
    built = []
    real = selector.branch_comparison
    monkeypatch.setattr(selector, "branch_comparison", lambda **kw: built.append(1) or real(**kw))

    card(east_branch, version)
    card(pudong, version, lang="zh-Hans")

    assert len(built) == 1


def test_a_changed_visit_rebuilds_the_company_league_table(
    east_branch, pudong, version, monkeypatch
):
    from reports.selectors import comparison as selector

    visit(east_branch, version, "2026-10-05", 85.0)
    late = visit(pudong, version, "2026-10-06", 80.0)
    built = []
    real = selector.branch_comparison
    monkeypatch.setattr(selector, "branch_comparison", lambda **kw: built.append(1) or real(**kw))
    card(east_branch, version)

    rescore(late, "95.0")
    data = card(east_branch, version)

    assert len(built) == 2
    assert data.rank_company == 2


# --- small samples and intervals -------------------------------------------------


def test_a_branch_scored_from_fewer_visits_than_the_threshold_is_a_small_sample_without_a_rank(
    east_branch, pudong, version, settings
):
    settings.SMALL_SAMPLE_VISITS = 3
    for day in ("2026-10-05", "2026-10-15", "2026-10-25"):
        visit(pudong, version, day, 70.0)
    visit(east_branch, version, "2026-10-05", 95.0)
    visit(east_branch, version, "2026-10-15", 95.0)

    small, ranked = card(east_branch, version), card(pudong, version)

    assert (small.small_sample, small.small_sample_visits) == (True, 3)
    assert (small.rank_region, small.rank_company, small.score) == (None, None, D("95.0"))
    assert (ranked.small_sample, ranked.rank_region, ranked.region_size) == (False, 1, 1)


def test_the_score_carries_its_90_percent_interval(east_branch, version):
    for day, score in (("2026-10-05", 80), ("2026-10-15", 85), ("2026-10-25", 90)):
        visit(east_branch, version, day, score)

    data = card(east_branch, version)

    assert (data.interval.low, data.interval.high) == (D("76.6"), D("93.4"))


def test_one_visit_gives_no_interval(east_branch, version):
    visit(east_branch, version, "2026-10-05", 80.0)

    assert card(east_branch, version).interval is None


def test_the_change_is_significant_when_the_two_periods_intervals_do_not_overlap(
    east_branch, version, settings
):
    settings.SMALL_SAMPLE_VISITS = 3
    for day, score in (("2026-10-05", 90), ("2026-10-15", 92), ("2026-10-25", 94)):
        visit(east_branch, version, day, score)
    for day, score in (("2026-09-05", 70), ("2026-09-15", 72), ("2026-09-25", 74)):
        visit(east_branch, version, day, score)

    assert card(east_branch, version).change_significant


def test_a_change_within_the_intervals_is_not_significant(east_branch, version, settings):
    settings.SMALL_SAMPLE_VISITS = 3
    for day, score in (("2026-10-05", 80), ("2026-10-15", 85), ("2026-10-25", 90)):
        visit(east_branch, version, day, score)
    for day, score in (("2026-09-05", 78), ("2026-09-15", 80), ("2026-09-25", 82)):
        visit(east_branch, version, day, score)

    assert not card(east_branch, version).change_significant


def test_the_card_is_stamped_with_the_time_it_was_generated(east_branch, version):
    for day in ("2026-10-05", "2026-10-15", "2026-10-25"):
        visit(east_branch, version, day, 80.0)
    at = timezone.make_aware(timezone.datetime(2026, 11, 2, 9, 30))

    data = scorecard_data(
        branch=east_branch, checklist=version.checklist, period=OCTOBER, lang="en", now=at
    )

    assert data.generated_at == at


def test_the_card_carries_the_figures_shoppers_recorded_against_region_and_company(
    east_branch, pudong, version
):
    visit(east_branch, version, "2026-10-02", 80.0, answers={"wait": {"score": 100, "value": 8}})
    visit(east_branch, version, "2026-10-09", 80.0, answers={"wait": {"score": 60, "value": 15}})
    visit(pudong, version, "2026-10-03", 80.0, answers={"wait": {"score": 0, "value": 40}})

    [wait] = card(east_branch, version).figures

    assert (wait.code, wait.stats.count, wait.stats.mean, wait.stats.bands) == (
        "wait",
        2,
        D("11.5"),
        (1, 1, 0),
    )
    assert (wait.region.mean, wait.company.mean) == (D("21.0"), D("21.0"))


def test_a_card_without_visits_has_no_figures(east_branch, pudong, version):
    visit(pudong, version, "2026-10-03", 80.0, answers={"wait": {"score": 0, "value": 40}})
    assert card(east_branch, version).figures == ()


def test_the_card_carries_the_complainant_types_played_with_their_mean_visit_score(
    east_branch, version
):
    complainant_type_item(version)
    visit(east_branch, version, "2026-10-02", 64.0, answers={"type": {"value": "venting"}})
    visit(east_branch, version, "2026-10-09", 90.0, answers={"type": {"value": "dependent"}})

    [played] = card(east_branch, version).choices

    assert [(row.option.value, row.stats.visits, row.stats.mean_score) for row in played.rows] == [
        ("problem_driven", 0, None),
        ("venting", 1, D("64.0")),
        ("wants_to_feel_important", 0, None),
        ("dependent", 1, D("90.0")),
    ]


def test_a_descriptive_choice_stays_out_of_the_item_table(east_branch, version):
    complainant_type_item(version)
    visit(east_branch, version, "2026-10-02", 80.0, answers={"type": {"value": "venting"}})

    assert "type" not in [row.code for row in card(east_branch, version).items]


def test_a_weight_0_item_is_in_the_item_table_marked_as_not_scored(east_branch, version):
    version.items.filter(code="wait").update(weight=0)
    visit(east_branch, version, "2026-10-02", 80.0, answers={"wait": {"score": 100, "value": 8}})

    rows = {row.code: row for row in card(east_branch, version).items}

    assert (rows["wait"].scored, rows["greet"].scored) == (False, True)
