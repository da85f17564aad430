"""reports.selectors.figures — what shoppers measured on the number items, per branch."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from accounts.scope import Scope
from audits.models import Visit
from checklists.models import AnswerType
from checklists.scoring import Threshold
from reports.periods import parse_period
from reports.selectors.figures import (
    Tally,
    band_labels,
    choice_stats,
    figure_stats,
    operational_figures,
)
from tests.factories import ItemFactory, SectionFactory, VersionFactory
from tests.report_data import complainant_type_item, report_checklist, visit

D = Decimal
OCTOBER = parse_period("2026-10", date_from=None, date_to=None)
# small_checklist's "wait": seconds until greeted, ≤ 10 → 100, ≤ 30 → 60, else 0.
WAIT_BANDS = (
    Threshold(score=D(100), max=D(10)),
    Threshold(score=D(60), max=D(30)),
    Threshold(score=D(0)),
)


@pytest.fixture
def version(db):
    return report_checklist("branch-visit")


def waited(branch, version, on: str, seconds, **answers):
    """An approved visit at `branch` on which the shopper waited `seconds` to be greeted."""
    return visit(branch, version, on, 80.0, answers={"wait": {"value": seconds}, **answers})


def figures(user=None, lang="en", **scope):
    return operational_figures(
        user=user or Scope.company(),
        checklist=scope.pop("checklist"),
        period=scope.pop("period", OCTOBER),
        lang=lang,
        **scope,
    )


def by_code(found) -> dict:
    return {figure.code: figure for figure in found.items}


# --- the arithmetic ------------------------------------------------------------------


def numbers(*values) -> list[Fraction]:
    return [Fraction(D(str(value))) for value in values]


def test_mean_median_and_extremes_of_an_odd_count():
    stats = figure_stats(numbers(45, 4, 12, 30, 10), WAIT_BANDS)
    assert (stats.count, stats.mean, stats.median, stats.min, stats.max) == (
        5,
        D("20.2"),
        D("12.0"),
        D("4.0"),
        D("45.0"),
    )


def test_the_median_of_an_even_count_is_the_mean_of_the_middle_two():
    assert figure_stats(numbers(4, 7, 8, 15), WAIT_BANDS).median == D("7.5")


def test_the_90th_percentile_is_the_nearest_rank_a_value_somebody_recorded():
    # ⌈0.9 × 10⌉ = 9th smallest of 1…10; ⌈0.9 × 4⌉ = 4th of four.
    assert figure_stats(numbers(*range(10, 0, -1)), WAIT_BANDS).p90 == D("9.0")
    assert figure_stats(numbers(4, 7, 8, 15), WAIT_BANDS).p90 == D("15.0")


def test_what_a_person_reads_is_rounded_half_up_to_one_decimal():
    stats = figure_stats(numbers(0, "0.1"), WAIT_BANDS)  # mean and median exactly 0.05
    assert (stats.mean, stats.median) == (D("0.1"), D("0.1"))


def test_values_are_counted_in_the_first_band_that_takes_them_as_scoring_does():
    # 10 is "≤ 10", 30 is "≤ 30": the edges belong to the band they close.
    stats = figure_stats(numbers(4, 10, 12, 30, 45), WAIT_BANDS)
    assert (stats.bands, stats.outside) == ((2, 2, 1), 0)


def test_values_no_band_takes_are_counted_apart():
    stats = figure_stats(numbers(5, 50), WAIT_BANDS[:2])
    assert (stats.bands, stats.outside) == ((1, 0), 1)


def test_no_values_give_a_zero_count_and_no_numbers():
    stats = figure_stats([], WAIT_BANDS)
    assert (stats.count, stats.mean, stats.p90, stats.bands) == (0, None, None, (0, 0, 0))


def test_bands_read_as_the_values_they_take():
    assert band_labels(WAIT_BANDS, any_value="any") == ("≤ 10", "> 10, ≤ 30", "> 30")


def test_bands_open_above_read_downwards_and_closed_bands_as_ranges():
    higher_is_better = (
        Threshold(score=D(100), min=D(90)),
        Threshold(score=D(50), min=D("60.5")),
        Threshold(score=D(20), min=D(0), max=D(10)),
        Threshold(score=D(0)),
    )
    assert band_labels(higher_is_better, any_value="any") == (
        "≥ 90",
        "≥ 60.5, < 90",
        "0–10",
        "< 60.5",
    )


def test_a_single_catch_all_band_takes_any_value():
    assert band_labels((Threshold(score=D(100)),), any_value="任意数值") == ("任意数值",)


# --- the reads -----------------------------------------------------------------------


def test_a_branch_gets_its_own_figures_from_the_raw_values(version, east_branch, pudong):
    for day, seconds in (("02", 45), ("05", 4), ("09", 12), ("14", 30), ("20", 10)):
        waited(east_branch, version, f"2026-10-{day}", seconds)
    waited(pudong, version, "2026-10-03", 100)

    wait = by_code(figures(checklist=version.checklist, branch=east_branch))["wait"]

    assert (wait.stats.count, wait.stats.mean, wait.stats.median, wait.stats.p90) == (
        5,
        D("20.2"),
        D("12.0"),
        D("45.0"),
    )
    assert wait.stats.bands == (2, 2, 1)


def test_the_branch_stands_against_its_region_and_the_company_pooled_over_their_visits(
    version, east_branch, pudong, west_branch
):
    waited(east_branch, version, "2026-10-02", 10)
    waited(east_branch, version, "2026-10-09", 20)
    waited(pudong, version, "2026-10-03", 60)
    waited(west_branch, version, "2026-10-04", 100)

    wait = by_code(figures(checklist=version.checklist, branch=east_branch))["wait"]

    assert (wait.stats.mean, wait.region.mean, wait.company.mean) == (
        D("15.0"),
        D("30.0"),  # (10 + 20 + 60) / 3
        D("47.5"),  # (10 + 20 + 60 + 100) / 4
    )
    assert (wait.region.count, wait.company.count) == (3, 4)


def test_label_and_unit_come_in_the_language_asked_for(version, east_branch):
    version.items.filter(code="wait").update(unit_zh="秒", unit_en="seconds")
    waited(east_branch, version, "2026-10-02", 8)

    zh = by_code(figures(checklist=version.checklist, branch=east_branch, lang="zh-Hans"))
    en = by_code(figures(checklist=version.checklist, branch=east_branch, lang="en"))

    assert (zh["wait"].label, zh["wait"].unit) == ("等候问候的秒数", "秒")
    assert (en["wait"].label, en["wait"].unit) == ("Seconds until greeted", "seconds")


def test_an_item_without_a_unit_has_none(version, east_branch):
    waited(east_branch, version, "2026-10-02", 8)
    assert by_code(figures(checklist=version.checklist, branch=east_branch))["wait"].unit == ""


def test_only_number_items_are_figures(version, east_branch):
    waited(east_branch, version, "2026-10-02", 8, greet=100, clean=80)
    assert list(by_code(figures(checklist=version.checklist, branch=east_branch))) == ["wait"]


def test_items_come_from_the_versions_the_periods_visits_used(version, east_branch):
    newer = VersionFactory(checklist=version.checklist, number=version.number + 1)
    core = SectionFactory(version=newer, code="core")
    ItemFactory(section=core, code="queue", answer_type=AnswerType.NUMBER, text_en="Queue")
    waited(east_branch, version, "2026-10-02", 8)

    assert list(by_code(figures(checklist=version.checklist, branch=east_branch))) == ["wait"]


def test_a_weight_0_item_is_a_figure_marked_as_not_scored(version, east_branch):
    version.items.filter(code="wait").update(weight=0)
    waited(east_branch, version, "2026-10-02", 8)

    wait = by_code(figures(checklist=version.checklist, branch=east_branch))["wait"]
    assert (wait.scored, wait.stats.count) == (False, 1)


def test_na_and_unapproved_answers_are_left_out(version, east_branch):
    waited(east_branch, version, "2026-10-02", 8)
    visit(east_branch, version, "2026-10-03", 80.0, answers={"wait": {"na": True}})
    visit(
        east_branch,
        version,
        "2026-10-04",
        80.0,
        status=Visit.Status.SUBMITTED,
        answers={"wait": {"value": 99}},
    )

    found = figures(checklist=version.checklist, branch=east_branch)
    assert (found.visits, by_code(found)["wait"].stats.count) == (2, 1)


def test_without_a_branch_a_regional_manager_gets_their_regions_without_a_region_column(
    version, east_branch, pudong, west_branch, erin
):
    waited(east_branch, version, "2026-10-02", 10)
    waited(pudong, version, "2026-10-03", 30)
    waited(west_branch, version, "2026-10-04", 100)

    found = figures(user=erin, checklist=version.checklist)
    wait = by_code(found)["wait"]

    assert (found.visits, wait.stats.mean, wait.region, wait.company.mean) == (
        2,
        D("20.0"),
        None,
        D("46.7"),
    )


def test_the_company_figures_are_read_once_for_every_branch_of_the_period(
    version, east_branch, pudong, django_assert_max_num_queries
):
    waited(east_branch, version, "2026-10-02", 10)
    waited(pudong, version, "2026-10-03", 30)
    figures(checklist=version.checklist, branch=east_branch)

    # The second branch's read skips the company's items and answers: the cache has them.
    with django_assert_max_num_queries(7):
        figures(checklist=version.checklist, branch=pudong)


def test_a_changed_visit_reads_the_company_figures_again(version, east_branch, pudong):
    waited(east_branch, version, "2026-10-02", 10)
    figures(checklist=version.checklist, branch=east_branch)
    waited(pudong, version, "2026-10-03", 30)

    wait = by_code(figures(checklist=version.checklist, branch=east_branch))["wait"]
    assert wait.company.count == 2


# --- descriptive choices: the complainant type played -------------------------------------


@pytest.fixture
def typed(version):
    complainant_type_item(version)
    return version


def played(branch, version, on: str, complainant_type: str, score=80.0):
    """An approved visit at `branch`, scored `score`, on which the shopper played `complainant_type`."""
    return visit(branch, version, on, score, answers={"type": {"value": complainant_type}})


def chosen(figure, stats=None) -> dict[str, tuple[int, Decimal | None]]:
    """Option value → (visits, mean visit score) of `stats` (the scope's by default)."""
    stats = stats or figure.stats
    return {
        option.value: (each.visits, each.mean_score)
        for option, each in zip(figure.options, stats.options, strict=True)
    }


def complainant_types(found):
    [figure] = found.choices
    return figure


def test_the_mean_visit_score_is_rounded_half_up_to_one_decimal():
    stats = choice_stats(("venting",), {"venting": Tally(visits=2, scored=2, total=D("160.1"))})
    assert stats.options[0].mean_score == D("80.1")  # 80.05


def test_a_descriptive_choice_counts_the_visits_that_chose_each_option(typed, east_branch):
    played(east_branch, typed, "2026-10-02", "venting")
    played(east_branch, typed, "2026-10-09", "venting")
    played(east_branch, typed, "2026-10-16", "dependent")

    figure = complainant_types(figures(checklist=typed.checklist, branch=east_branch))

    assert (figure.code, figure.stats.count) == ("type", 3)
    assert [each.visits for each in figure.stats.options] == [0, 2, 0, 1]


def test_each_option_carries_the_mean_score_of_the_visits_that_chose_it(typed, east_branch):
    played(east_branch, typed, "2026-10-02", "venting", 70.0)
    played(east_branch, typed, "2026-10-09", "venting", 75.5)
    played(east_branch, typed, "2026-10-16", "problem_driven", 90.0)

    figure = complainant_types(figures(checklist=typed.checklist, branch=east_branch))

    assert chosen(figure)["venting"] == (2, D("72.8"))  # 72.75, half up
    assert chosen(figure)["problem_driven"] == (1, D("90.0"))


def test_an_option_nobody_chose_is_listed_with_0_visits_and_no_mean(typed, east_branch):
    played(east_branch, typed, "2026-10-02", "venting")

    figure = complainant_types(figures(checklist=typed.checklist, branch=east_branch))

    assert [option.value for option in figure.options] == [
        "problem_driven",
        "venting",
        "wants_to_feel_important",
        "dependent",
    ]
    assert chosen(figure)["wants_to_feel_important"] == (0, None)
    assert chosen(figure, figure.company)["dependent"] == (0, None)


def test_the_choices_stand_against_the_region_and_the_company(
    typed, east_branch, pudong, west_branch
):
    played(east_branch, typed, "2026-10-02", "venting", 60.0)
    played(pudong, typed, "2026-10-03", "venting", 80.0)
    played(west_branch, typed, "2026-10-04", "venting", 91.0)
    played(west_branch, typed, "2026-10-05", "dependent", 50.0)

    figure = complainant_types(figures(checklist=typed.checklist, branch=east_branch))

    assert chosen(figure)["venting"] == (1, D("60.0"))
    assert chosen(figure, figure.region)["venting"] == (2, D("70.0"))
    assert chosen(figure, figure.company)["venting"] == (3, D("77.0"))
    assert (figure.region.count, figure.company.count) == (2, 4)


def test_a_visit_without_a_score_is_counted_but_leaves_the_mean_alone(typed, east_branch):
    played(east_branch, typed, "2026-10-02", "venting", 70.0)
    played(east_branch, typed, "2026-10-09", "venting", None)

    figure = complainant_types(figures(checklist=typed.checklist, branch=east_branch))
    assert chosen(figure)["venting"] == (2, D("70.0"))


def test_unapproved_visits_are_not_counted(typed, east_branch):
    played(east_branch, typed, "2026-10-02", "venting")
    visit(
        east_branch,
        typed,
        "2026-10-03",
        40.0,
        status=Visit.Status.SUBMITTED,
        answers={"type": {"value": "venting"}},
    )

    figure = complainant_types(figures(checklist=typed.checklist, branch=east_branch))
    assert chosen(figure)["venting"] == (1, D("80.0"))


def test_option_labels_come_in_the_language_asked_for(typed, east_branch):
    played(east_branch, typed, "2026-10-02", "venting")

    zh = complainant_types(figures(checklist=typed.checklist, branch=east_branch, lang="zh-Hans"))
    en = complainant_types(figures(checklist=typed.checklist, branch=east_branch, lang="en"))

    assert (zh.label, zh.options[1].label) == ("扮演的投诉者类型", "表现不满型")
    assert (en.label, en.options[1].label) == ("The complainant type you played", "Venting")


def test_a_scored_choice_is_not_a_descriptive_choice(typed, east_branch):
    visit(
        east_branch,
        typed,
        "2026-10-02",
        80.0,
        answers={"type": {"value": "venting"}, "resolved": {"score": 100, "value": "on_the_spot"}},
    )

    found = figures(checklist=typed.checklist, branch=east_branch)
    assert [figure.code for figure in found.choices] == ["type"]


def test_without_a_branch_a_regional_manager_gets_their_regions_choices_without_a_region(
    typed, east_branch, pudong, west_branch, erin
):
    played(east_branch, typed, "2026-10-02", "venting", 60.0)
    played(pudong, typed, "2026-10-03", "venting", 80.0)
    played(west_branch, typed, "2026-10-04", "venting", 91.0)

    figure = complainant_types(figures(user=erin, checklist=typed.checklist))

    assert (chosen(figure)["venting"], figure.region) == ((2, D("70.0")), None)
