"""Example tests for checklists.scoring: one rule of the product spec per test."""

from decimal import Decimal
from fractions import Fraction

import pytest

from checklists.scoring import (
    KNOCKOUT_CAP,
    PASS_MARK,
    AnswerInput,
    ChecklistRules,
    ItemRule,
    SectionRule,
    Threshold,
    band,
    check_value,
    item_score,
    round_score,
    score_visit,
)

D = Decimal
EXPECTED = D(80)
TOLERANCE = D(5)


def item(code: str, answer_type: str = "yes_no", section: str = "s1", **kwargs: object) -> ItemRule:
    return ItemRule(code=code, section=section, answer_type=answer_type, **kwargs)


def rules(
    *items: ItemRule,
    sections: tuple[SectionRule, ...] = (SectionRule("s1"),),
    expected: Decimal = EXPECTED,
    tolerance: Decimal = TOLERANCE,
) -> ChecklistRules:
    return ChecklistRules(sections=sections, items=items, expected=expected, tolerance=tolerance)


def choice(code: str, score: str, section: str = "s1", **kwargs: object) -> ItemRule:
    """A choice item with a single option "x" worth ``score``: handy for exact item scores."""
    return item(code, "choice", section, options={"x": D(score)}, **kwargs)


SPEED = item(
    "speed",
    "number",
    thresholds=(
        Threshold(score=D(100), max=D(60)),
        Threshold(score=D(50), min=D(30), max=D(120)),
        Threshold(score=D(20), min=D(121), max=D(300)),
    ),
)


# --- item scores -------------------------------------------------------------


def test_a_yes_scores_100() -> None:
    assert item_score(item("q"), True) == D(100)


def test_a_no_scores_0() -> None:
    assert item_score(item("q"), False) == D(0)


@pytest.mark.parametrize(("value", "expected"), [(1, 0), (2, 25), (3, 50), (4, 75), (5, 100)])
def test_a_five_point_scale_maps_linearly_onto_0_to_100(value: int, expected: int) -> None:
    assert item_score(item("q", "scale5"), value) == D(expected)


@pytest.mark.parametrize(
    ("value", "expected"), [(1, 0), (2, 20), (3, 40), (4, 60), (5, 80), (6, 100)]
)
def test_a_six_point_scale_maps_linearly_onto_0_to_100(value: int, expected: int) -> None:
    assert item_score(item("q", "scale6"), value) == D(expected)


def test_a_number_takes_the_score_of_the_first_threshold_it_meets() -> None:
    # 45 meets both the first ("up to 60") and the second ("30 to 120") threshold.
    assert item_score(SPEED, 45) == D(100)


def test_a_number_meets_a_threshold_at_its_inclusive_bounds() -> None:
    assert item_score(SPEED, 121) == D(20)
    assert item_score(SPEED, 300) == D(20)


def test_a_number_meeting_no_threshold_scores_0() -> None:
    assert item_score(SPEED, 301) == D(0)


def test_a_number_item_without_thresholds_scores_0() -> None:
    assert item_score(item("q", "number"), 5) == D(0)


def test_a_number_is_compared_exactly_as_a_decimal() -> None:
    assert item_score(SPEED, D("120.0001")) == D(0)


def test_a_float_number_is_read_as_the_decimal_it_was_typed_as() -> None:
    # In binary 0.1 is slightly above 0.1; the shopper typed 0.1, which meets "max 0.1".
    rule = item("q", "number", thresholds=(Threshold(score=D(100), max=D("0.1")),))
    assert item_score(rule, 0.1) == D(100)


def test_a_choice_scores_the_chosen_options_score() -> None:
    rule = item("q", "choice", options={"clean": D(100), "dusty": D("37.5"), "dirty": D(0)})
    assert item_score(rule, "dusty") == D("37.5")


def test_a_choice_whose_options_have_no_scores_is_unscored() -> None:
    rule = item("q", "choice", options={"venting": None, "dependent": None})
    assert item_score(rule, "venting") is None


def test_an_unscored_choice_still_only_accepts_its_options() -> None:
    rule = item("q", "choice", options={"venting": None, "dependent": None})
    with pytest.raises(ValueError, match="must be one of: 'venting', 'dependent'"):
        check_value(rule, "angry")


def test_an_unscored_choice_leaves_the_section_alone() -> None:
    result = score_visit(
        rules(item("type", "choice", options={"venting": None, "dependent": None}), item("a")),
        [AnswerInput("type", "venting"), AnswerInput("a", False)],
    )
    assert result.sections == {"s1": D(0)}
    assert result.items["type"].score is None


@pytest.mark.parametrize(
    ("answer_type", "value"),
    [("text", "Friendly staff"), ("datetime", "2026-10-02T14:30"), ("photo", "p-1")],
)
def test_text_date_time_and_photo_answers_are_unscored(answer_type: str, value: object) -> None:
    assert item_score(item("q", answer_type), value) is None


def test_a_date_time_item_never_moves_the_section() -> None:
    result = score_visit(
        rules(item("a"), item("called", "datetime")),
        [AnswerInput("a", True), AnswerInput("called", "2026-10-02T14:30")],
    )
    assert result.sections == {"s1": D(100)}
    assert (result.items["called"].score, result.items["called"].failed) == (None, False)


# --- value checks ------------------------------------------------------------


@pytest.mark.parametrize("value", [0, 6, True, 2.0, "3"])
def test_a_five_point_scale_rejects_anything_but_an_integer_from_1_to_5(value: object) -> None:
    with pytest.raises(ValueError, match="q: must be an integer from 1 to 5"):
        check_value(item("q", "scale5"), value)


def test_a_six_point_scale_rejects_7() -> None:
    with pytest.raises(ValueError, match="must be an integer from 1 to 6"):
        check_value(item("q", "scale6"), 7)


@pytest.mark.parametrize("value", [1, "yes", 0])
def test_a_yes_no_item_rejects_anything_but_a_bool(value: object) -> None:
    with pytest.raises(ValueError, match="must be true or false"):
        check_value(item("q"), value)


@pytest.mark.parametrize("value", [True, "12", [1]])
def test_a_number_item_rejects_bools_and_non_numbers(value: object) -> None:
    with pytest.raises(ValueError, match="must be a number"):
        check_value(SPEED, value)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), D("NaN"), D("-Infinity")])
def test_a_number_item_rejects_non_finite_numbers(value: object) -> None:
    with pytest.raises(ValueError, match="must be a finite number"):
        check_value(SPEED, value)


def test_a_choice_item_rejects_a_value_that_is_not_an_option() -> None:
    rule = item("q", "choice", options={"a": D(100), "b": D(0)})
    with pytest.raises(ValueError, match="must be one of: 'a', 'b'"):
        check_value(rule, "c")


def test_a_text_item_rejects_a_non_string() -> None:
    with pytest.raises(ValueError, match="must be a string"):
        check_value(item("q", "text"), 12)


@pytest.mark.parametrize("value", ["2026-10-02T14:30", "2026-10-02T14:30:59", "2028-02-29T00:00"])
def test_a_date_time_item_takes_a_local_date_and_time_with_optional_seconds(value: str) -> None:
    check_value(item("q", "datetime"), value)


@pytest.mark.parametrize(
    "value",
    [
        "2026-10-02 14:30",
        "2026-10-02",
        "14:30",
        "2026-10-02T14:30Z",
        "2026-10-02T14:30+08:00",
        "2026-10-02T14:30:00.5",
        "2026-02-30T10:00",
        "2026-10-02T24:00",
        "2026-10-02T14:60",
        "２０２６-10-02T14:30",
        1759415400,
    ],
)
def test_a_date_time_item_rejects_anything_but_a_local_date_and_time(value: object) -> None:
    with pytest.raises(ValueError, match="q: must be a local date and time as YYYY-MM-DDTHH:MM"):
        check_value(item("q", "datetime"), value)


def test_a_missing_value_is_rejected_by_the_value_check() -> None:
    with pytest.raises(ValueError, match="needs a value"):
        check_value(item("q"), None)


def test_item_score_raises_for_an_invalid_value() -> None:
    with pytest.raises(ValueError, match="must be an integer from 1 to 5"):
        item_score(item("q", "scale5"), 9)


# --- rounding ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (D("62.25"), "62.3"),
        (D("62.35"), "62.4"),
        (Fraction(1247, 20), "62.4"),
        (D("62.2499"), "62.2"),
        (Fraction(100, 3), "33.3"),
        (Fraction(200, 3), "66.7"),
        (D(100), "100.0"),
        (D(0), "0.0"),
    ],
)
def test_scores_round_half_up_to_one_decimal(value: Decimal | Fraction, expected: str) -> None:
    result = round_score(value)
    assert result == D(expected)
    assert str(result) == expected


def test_a_section_mean_of_exactly_x_point_x5_rounds_up() -> None:
    # (62.3 + 62.4) / 2 in binary floats is 62.349999..., which would round down.
    result = score_visit(
        rules(choice("a", "62.3"), choice("b", "62.4")),
        [AnswerInput("a", "x"), AnswerInput("b", "x")],
    )
    assert result.sections == {"s1": D("62.4")}


# --- bands -------------------------------------------------------------------


def test_a_score_under_expected_minus_tolerance_is_below() -> None:
    assert band(D("74.9"), expected=D(80), tolerance=D(5)) == "below"


def test_a_score_over_expected_plus_tolerance_exceeds() -> None:
    assert band(D("85.1"), expected=D(80), tolerance=D(5)) == "exceeds"


@pytest.mark.parametrize("score", [D(75), D(80), D(85)])
def test_a_score_on_or_between_the_band_edges_meets(score: Decimal) -> None:
    assert band(score, expected=D(80), tolerance=D(5)) == "meets"


def test_no_score_has_no_band() -> None:
    assert band(None, expected=D(80), tolerance=D(5)) is None


def test_the_visit_is_banded_against_the_checklists_expectation() -> None:
    result = score_visit(
        rules(item("a"), item("b"), expected=D(60), tolerance=D(10)),
        [AnswerInput("a", True), AnswerInput("b", False)],
    )
    assert result.band == "meets"


# --- sections and visit ------------------------------------------------------


def test_a_section_score_is_the_item_weighted_mean() -> None:
    result = score_visit(
        rules(item("a", weight=D(3)), item("b", weight=D(1))),
        [AnswerInput("a", True), AnswerInput("b", False)],
    )
    assert result.sections == {"s1": D(75)}


def test_an_na_item_leaves_the_denominator() -> None:
    result = score_visit(
        rules(item("a"), item("b")),
        [AnswerInput("a", True), AnswerInput("b", False, na=True)],
    )
    assert result.sections == {"s1": D(100)}


def test_an_unanswered_item_leaves_the_denominator() -> None:
    result = score_visit(
        rules(item("a"), item("b"), item("c")),
        [AnswerInput("a", True), AnswerInput("b", None)],
    )
    assert result.sections == {"s1": D(100)}


def test_unscored_items_do_not_count_towards_the_section() -> None:
    result = score_visit(
        rules(item("a"), item("note", "text"), item("pic", "photo")),
        [AnswerInput("a", True), AnswerInput("note", "ok"), AnswerInput("pic", "p-1")],
    )
    assert result.sections == {"s1": D(100)}


def test_a_section_with_nothing_scorable_is_left_out() -> None:
    result = score_visit(
        rules(
            item("a", section="s1"),
            item("note", "text", section="s2"),
            item("b", section="s2"),
            sections=(SectionRule("s1"), SectionRule("s2", D(5))),
        ),
        [AnswerInput("a", True), AnswerInput("note", "ok"), AnswerInput("b", False, na=True)],
    )
    assert result.sections == {"s1": D(100)}
    assert result.score == D(100)


def test_the_visit_score_is_the_section_weighted_mean() -> None:
    result = score_visit(
        rules(
            item("a", section="s1"),
            item("b", section="s2"),
            sections=(SectionRule("s1", D(1)), SectionRule("s2", D(3))),
        ),
        [AnswerInput("a", True), AnswerInput("b", False)],
    )
    assert result.score == D(25)


def test_a_visit_with_nothing_scorable_has_no_score_and_no_band() -> None:
    result = score_visit(rules(item("a"), item("note", "text")), [AnswerInput("note", "ok")])
    assert result.score is None
    assert result.band is None
    assert result.sections == {}


def test_a_zero_weight_item_is_ignored_in_the_section_mean() -> None:
    result = score_visit(
        rules(item("a"), item("b", weight=D(0))),
        [AnswerInput("a", True), AnswerInput("b", False)],
    )
    assert result.sections == {"s1": D(100)}


def test_a_section_whose_item_weights_are_all_zero_has_no_score() -> None:
    result = score_visit(rules(item("a", weight=D(0))), [AnswerInput("a", True)])
    assert result.sections == {}
    assert result.score is None


def test_a_zero_weight_section_is_ignored_in_the_visit_mean() -> None:
    result = score_visit(
        rules(
            item("a", section="s1"),
            item("b", section="s2"),
            sections=(SectionRule("s1"), SectionRule("s2", D(0))),
        ),
        [AnswerInput("a", True), AnswerInput("b", False)],
    )
    assert result.sections == {"s1": D(100), "s2": D(0)}
    assert result.score == D(100)


def test_sections_are_listed_in_checklist_order() -> None:
    result = score_visit(
        rules(
            item("a", section="s2"),
            item("b", section="s1"),
            sections=(SectionRule("s2"), SectionRule("s1")),
        ),
        [AnswerInput("b", True), AnswerInput("a", True)],
    )
    assert list(result.sections) == ["s2", "s1"]


def test_na_can_lower_the_visit_score_when_it_empties_a_strong_section() -> None:
    """Why the N/A property is narrower than "N/A never lowers a score"."""
    checklist = rules(
        item("a", section="s1"),
        item("b", section="s2"),
        item("c", section="s2"),
        sections=(SectionRule("s1"), SectionRule("s2")),
    )
    answers = [AnswerInput("b", True), AnswerInput("c", False)]
    before = score_visit(checklist, [AnswerInput("a", True), *answers])
    after = score_visit(checklist, [AnswerInput("a", None, na=True), *answers])
    assert (before.score, after.score) == (D(75), D(50))


# --- critical items ----------------------------------------------------------


def test_a_failed_critical_item_caps_its_section_at_the_pass_mark() -> None:
    # Without the knock-out the section would score 10/11 of 100.
    result = score_visit(
        rules(item("a", critical=True), item("b", weight=D(10))),
        [AnswerInput("a", False), AnswerInput("b", True)],
    )
    assert result.sections == {"s1": D(50)}
    assert result.critical_failures == ("a",)


def test_the_knock_out_cap_is_the_pass_mark() -> None:
    assert KNOCKOUT_CAP == PASS_MARK


def test_a_knocked_out_section_already_below_the_cap_keeps_its_lower_score() -> None:
    # A section that failed everything ranks below one that failed a single basic.
    result = score_visit(
        rules(item("a", critical=True), item("b", "scale5")),
        [AnswerInput("a", False), AnswerInput("b", 3)],
    )
    assert result.sections == {"s1": D(25)}


def test_a_critical_failure_leaves_other_sections_alone() -> None:
    result = score_visit(
        rules(
            item("a", section="s1", critical=True),
            item("b", section="s2"),
            sections=(SectionRule("s1"), SectionRule("s2")),
        ),
        [AnswerInput("a", False), AnswerInput("b", True)],
    )
    assert result.sections == {"s1": D(0), "s2": D(100)}
    assert result.score == D(50)


def test_a_critical_item_at_exactly_the_pass_mark_does_not_fail() -> None:
    result = score_visit(
        rules(item("a", "scale5", critical=True), item("b")),
        [AnswerInput("a", 3), AnswerInput("b", True)],
    )
    assert result.critical_failures == ()
    assert result.sections == {"s1": D(75)}


def test_a_critical_item_marked_na_does_not_fail() -> None:
    result = score_visit(
        rules(item("a", critical=True), item("b")),
        [AnswerInput("a", None, na=True), AnswerInput("b", True)],
    )
    assert result.critical_failures == ()


def test_critical_failures_are_listed_in_checklist_order() -> None:
    result = score_visit(
        rules(item("z", critical=True), item("a", critical=True)),
        [AnswerInput("a", False), AnswerInput("z", False)],
    )
    assert result.critical_failures == ("z", "a")


def test_a_failed_critical_item_in_a_section_with_no_weighted_score_scores_it_0() -> None:
    result = score_visit(rules(item("a", critical=True, weight=D(0))), [AnswerInput("a", False)])
    assert result.sections == {"s1": D(0)}
    assert result.score == D(0)


def test_a_critical_failure_does_not_zero_dimensions_areas_or_factors() -> None:
    tags = {"rater": "empathy", "area": "people", "factor": 4}
    result = score_visit(
        rules(item("a", critical=True, **tags), item("b", **tags)),
        [AnswerInput("a", False), AnswerInput("b", True)],
    )
    assert (result.dimensions, result.areas, result.factors) == (
        {"empathy": D(50)},
        {"people": D(50)},
        {4: D(50)},
    )


def test_an_item_below_the_pass_mark_is_marked_failed() -> None:
    result = score_visit(rules(choice("a", "49.99")), [AnswerInput("a", "x")])
    assert result.items["a"].failed is True
    assert result.items["a"].critical_failure is False


# --- reward (BPMP "motivation") items: the bonus rule -------------------------


def reward(
    code: str, answer_type: str = "yes_no", section: str = "s1", **kwargs: object
) -> ItemRule:
    return item(code, answer_type, section, bpmp="motivation", **kwargs)


def test_a_reward_item_is_a_bonus() -> None:
    assert reward("r").is_bonus is True
    assert item("a", bpmp="basic").is_bonus is False


def test_a_present_reward_item_lifts_its_section() -> None:
    result = score_visit(
        rules(item("a", "scale5"), reward("r")), [AnswerInput("a", 4), AnswerInput("r", True)]
    )
    assert result.sections == {"s1": D("87.5")}


def test_an_absent_reward_item_leaves_every_score_as_if_it_were_not_asked() -> None:
    checklist = rules(item("a", "scale5", rater="empathy"), reward("r", rater="empathy"))
    absent = score_visit(checklist, [AnswerInput("a", 4), AnswerInput("r", False)])
    not_asked = score_visit(checklist, [AnswerInput("a", 4), AnswerInput("r", None, na=True)])
    assert (absent.score, absent.sections, absent.dimensions) == (
        not_asked.score,
        not_asked.sections,
        not_asked.dimensions,
    )


def test_an_absent_reward_item_is_not_a_failure() -> None:
    result = score_visit(
        rules(item("a"), reward("r")), [AnswerInput("a", True), AnswerInput("r", False)]
    )
    assert (result.items["r"].score, result.items["r"].failed) == (D(0), False)


def test_a_reward_item_scoring_below_the_mean_it_would_join_is_left_out() -> None:
    result = score_visit(
        rules(item("a"), reward("r", "scale5")), [AnswerInput("a", True), AnswerInput("r", 4)]
    )
    assert result.sections == {"s1": D(100)}


def test_reward_items_count_best_first_while_each_lifts_the_mean() -> None:
    # 50 and 100 make 75; 70 would pull that down, so it is left out.
    result = score_visit(
        rules(choice("a", "50"), reward("r1", "choice", options={"x": D(70)}), reward("r2")),
        [AnswerInput("a", "x"), AnswerInput("r1", "x"), AnswerInput("r2", True)],
    )
    assert result.sections == {"s1": D(75)}


def test_a_section_of_reward_items_alone_scores_its_best_one() -> None:
    result = score_visit(
        rules(reward("r1"), reward("r2")), [AnswerInput("r1", True), AnswerInput("r2", False)]
    )
    assert result.sections == {"s1": D(100)}


def test_a_section_of_absent_reward_items_alone_has_no_score() -> None:
    result = score_visit(
        rules(
            item("a", section="s1"),
            reward("r", section="s2"),
            sections=(SectionRule("s1"), SectionRule("s2")),
        ),
        [AnswerInput("a", True), AnswerInput("r", False)],
    )
    assert result.sections == {"s1": D(100)}


def test_a_section_scored_on_reward_items_alone_lifts_the_visit_when_above_it() -> None:
    result = score_visit(
        rules(
            item("a", "scale5", section="s1"),
            reward("r", section="s2"),
            sections=(SectionRule("s1"), SectionRule("s2")),
        ),
        [AnswerInput("a", 4), AnswerInput("r", True)],
    )
    assert result.score == D("87.5")


def test_a_section_scored_on_reward_items_alone_never_lowers_the_visit() -> None:
    result = score_visit(
        rules(
            item("a", section="s1"),
            reward("r", "scale5", section="s2"),
            sections=(SectionRule("s1"), SectionRule("s2")),
        ),
        [AnswerInput("a", True), AnswerInput("r", 3)],
    )
    assert result.sections == {"s1": D(100), "s2": D(50)}
    assert result.score == D(100)


def test_reward_items_lift_dimensions_areas_and_factors_by_the_same_rule() -> None:
    tags = {"rater": "empathy", "area": "people", "factor": 5}
    result = score_visit(
        rules(item("a", "scale5", **tags), reward("r1", **tags), reward("r2", "scale5", **tags)),
        [AnswerInput("a", 4), AnswerInput("r1", True), AnswerInput("r2", 1)],
    )
    assert (result.dimensions, result.areas, result.factors) == (
        {"empathy": D("87.5")},
        {"people": D("87.5")},
        {5: D("87.5")},
    )


def test_a_reward_item_has_nothing_to_gain() -> None:
    result = score_visit(
        rules(item("a", "scale5"), reward("r", "scale5")),
        [AnswerInput("a", 1), AnswerInput("r", 2)],
    )
    assert result.items["r"].gain == D("0.00")


def test_a_required_items_gain_is_its_share_of_the_weight_that_counted() -> None:
    # The reward counts (100 lifts 0), so "a" holds half the section: fixing it adds 50.
    result = score_visit(
        rules(item("a"), reward("r")), [AnswerInput("a", False), AnswerInput("r", True)]
    )
    assert result.score == D(50)
    assert result.items["a"].gain == D("50.00")


def test_a_critical_reward_item_is_a_requirement_not_a_bonus() -> None:
    rule = reward("r", critical=True)
    result = score_visit(rules(item("a"), rule), [AnswerInput("a", True), AnswerInput("r", False)])
    assert rule.is_bonus is False
    assert result.critical_failures == ("r",)
    assert result.items["r"].failed is True


# --- dimensions, areas, factors ----------------------------------------------


def test_a_dimension_score_is_the_item_weighted_mean_across_sections() -> None:
    result = score_visit(
        rules(
            item("a", section="s1", rater="reliability", weight=D(3)),
            item("b", section="s2", rater="reliability"),
            item("c", section="s2", rater="tangibles"),
            sections=(SectionRule("s1"), SectionRule("s2", D(9))),
        ),
        [AnswerInput("a", True), AnswerInput("b", False), AnswerInput("c", False)],
    )
    assert result.dimensions == {"reliability": D(75), "tangibles": D(0)}


def test_an_area_score_is_the_item_weighted_mean_of_its_items() -> None:
    result = score_visit(
        rules(item("a", area="environment"), item("b", "scale5", area="environment")),
        [AnswerInput("a", True), AnswerInput("b", 2)],
    )
    assert result.areas == {"environment": D("62.5")}


def test_factor_scores_are_keyed_by_factor_number_in_ascending_order() -> None:
    result = score_visit(
        rules(item("a", factor=26), item("b", factor=3)),
        [AnswerInput("a", True), AnswerInput("b", False)],
    )
    assert list(result.factors.items()) == [(3, D(0)), (26, D(100))]


def test_untagged_and_unanswered_items_produce_no_tag_scores() -> None:
    result = score_visit(rules(item("a"), item("b", rater="empathy")), [AnswerInput("a", True)])
    assert (result.dimensions, result.areas, result.factors) == ({}, {}, {})


# --- gains -------------------------------------------------------------------


def gain_checklist(*, critical: bool = False) -> ChecklistRules:
    return rules(
        item("a1", section="A", critical=critical),
        item("a2", "scale5", section="A", weight=D(3)),
        item("b1", "scale5", section="B"),
        sections=(SectionRule("A", D(2)), SectionRule("B", D(1))),
    )


GAIN_ANSWERS = [AnswerInput("a1", False), AnswerInput("a2", 5), AnswerInput("b1", 3)]


def test_an_items_gain_is_what_the_visit_would_gain_if_it_scored_100() -> None:
    # A = 75, B = 50, visit = 200/3; a1 at 100 makes A = 100 and the visit 250/3.
    result = score_visit(gain_checklist(), GAIN_ANSWERS)
    assert result.items["a1"].gain == D("16.67")
    assert result.items["b1"].gain == D("16.67")


def test_an_item_already_at_100_has_no_gain() -> None:
    result = score_visit(gain_checklist(), GAIN_ANSWERS)
    assert result.items["a2"].gain == D("0.00")


def test_gains_ignore_critical_knock_outs() -> None:
    result = score_visit(gain_checklist(critical=True), GAIN_ANSWERS)
    assert result.sections["A"] == D(50)
    assert result.items["a1"].gain == D("16.67")


def test_gains_round_half_up_to_two_decimals() -> None:
    # Half the visit's weight times the 0.01 missing points is exactly 0.005.
    result = score_visit(
        rules(choice("a", "99.99"), item("b")), [AnswerInput("a", "x"), AnswerInput("b", True)]
    )
    assert result.items["a"].gain == D("0.01")


def test_a_zero_weight_item_has_no_gain() -> None:
    result = score_visit(
        rules(item("a", weight=D(0)), item("b")),
        [AnswerInput("a", False), AnswerInput("b", True)],
    )
    assert result.items["a"].gain == D("0.00")


def test_unscored_na_and_unanswered_items_have_no_gain_or_score() -> None:
    result = score_visit(
        rules(item("na"), item("missing"), item("note", "text"), item("b")),
        [AnswerInput("na", None, na=True), AnswerInput("note", "ok"), AnswerInput("b", True)],
    )
    for code in ("na", "missing", "note"):
        assert result.items[code].score is None
        assert result.items[code].gain is None
        assert result.items[code].failed is False


# --- input errors ------------------------------------------------------------


def test_it_rejects_an_answer_for_an_unknown_item() -> None:
    with pytest.raises(ValueError, match="unknown item 'nope'"):
        score_visit(rules(item("a")), [AnswerInput("nope", True)])


def test_it_rejects_two_answers_for_the_same_item() -> None:
    with pytest.raises(ValueError, match="more than one answer for item 'a'"):
        score_visit(rules(item("a")), [AnswerInput("a", True), AnswerInput("a", False)])


def test_it_rejects_an_invalid_answer_value() -> None:
    with pytest.raises(ValueError, match="a: must be true or false"):
        score_visit(rules(item("a")), [AnswerInput("a", "yes")])


def test_an_na_answer_is_not_value_checked() -> None:
    result = score_visit(rules(item("a")), [AnswerInput("a", "garbage", na=True)])
    assert result.score is None


# --- rule validation ---------------------------------------------------------


def test_an_item_must_belong_to_a_known_section() -> None:
    with pytest.raises(ValueError, match="section 's9' is not in the rules"):
        rules(item("a", section="s9"))


def test_item_codes_must_be_unique() -> None:
    with pytest.raises(ValueError, match="item code 'a' is used twice"):
        rules(item("a"), item("a"))


def test_a_negative_weight_is_rejected() -> None:
    with pytest.raises(ValueError, match="must not be negative"):
        item("a", weight=D(-1))


def test_an_unknown_answer_type_is_rejected() -> None:
    with pytest.raises(ValueError, match="answer type 'stars'"):
        item("a", "stars")


@pytest.mark.parametrize(("tag", "value"), [("rater", "speed"), ("area", "car_park")])
def test_an_unknown_dimension_or_area_is_rejected(tag: str, value: str) -> None:
    with pytest.raises(ValueError, match="is not one of"):
        item("a", **{tag: value})


@pytest.mark.parametrize("factor", [0, 27, True])
def test_a_factor_outside_1_to_26_is_rejected(factor: object) -> None:
    with pytest.raises(ValueError, match="factor must be an integer from 1 to 26"):
        item("a", factor=factor)


def test_an_option_score_above_100_is_rejected() -> None:
    with pytest.raises(ValueError, match="from 0 to 100"):
        item("a", "choice", options={"x": D(101)})


def test_a_threshold_with_min_above_max_is_rejected() -> None:
    with pytest.raises(ValueError, match="greater than max"):
        Threshold(score=D(1), min=D(5), max=D(4))


def test_options_must_all_have_a_score_or_none() -> None:
    with pytest.raises(ValueError, match="either every option has a score or none has"):
        item("a", "choice", options={"x": D(100), "y": None})


def test_an_unknown_bpmp_class_is_rejected() -> None:
    with pytest.raises(ValueError, match="bpmp 'delight' is not one of"):
        item("a", bpmp="delight")


def test_options_given_as_a_mapping_are_stored_as_hashable_pairs() -> None:
    rule = item("a", "choice", options={"x": D(100), "y": D(0)})
    assert rule.options == (("x", D(100)), ("y", D(0)))
    assert hash(rule) == hash(item("a", "choice", options=(("x", D(100)), ("y", D(0)))))
