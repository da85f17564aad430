"""Property tests for checklists.scoring over randomly generated checklists and visits."""

import itertools
from dataclasses import replace
from decimal import Decimal
from fractions import Fraction

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from checklists.scoring import (
    ANSWER_TYPES,
    AREAS,
    BPMP_CLASSES,
    KNOCKOUT_CAP,
    PASS_MARK,
    RATER_DIMENSIONS,
    REWARD_CLASS,
    SCORED_TYPES,
    AnswerInput,
    ChecklistRules,
    ItemRule,
    SectionRule,
    Threshold,
    VisitResult,
    _lifted_mean,
    score_visit,
)

D = Decimal

# 100 examples per property keeps this file well under 10 s on a busy 2-core runner.
# database=None: no .hypothesis/ directory in the repository; no deadline because
# shared CI runners stall now and then and these are not timing tests.
PROPERTIES = settings(
    max_examples=100,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
# The reward-item properties need a drawn visit with a reward item in it (some at 0),
# which the general strategy makes in only a fraction of draws: on an unlucky seed
# that trips the filtering health check, though enough examples remain to test.
REWARD_PROPERTIES = settings(
    PROPERTIES, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]
)


def tenths(low: int, high: int) -> st.SearchStrategy[Decimal]:
    """Decimals from low/10 to high/10 on a 0.1 grid; much cheaper to draw than st.decimals."""
    return st.integers(min_value=low, max_value=high).map(lambda n: D(n).scaleb(-1))


# Strategies are built once, here: building them inside the composites made data
# generation several times slower than the scoring under test.
WEIGHTS = tenths(0, 100)
# Scores on a 0.1 grid keep every item score exactly equal to its rounded value,
# so the tests can compare items with the (rounded) scores they feed into.
RULE_SCORES = tenths(0, 1000)
TOLERANCES = tenths(0, 200)
# A few fixed bounds, which answers then hit exactly now and then: inclusive edges
# and overlapping thresholds (first match wins) are where number scoring goes wrong.
BOUND_VALUES = (D(-10), D(0), D("12.5"), D(30), D(50), D(100), D(200))
BOUNDS = st.sampled_from((None, None, *BOUND_VALUES))
NUMBERS = st.one_of(
    st.sampled_from(BOUND_VALUES),
    st.integers(min_value=-30, max_value=230),
    st.integers(min_value=-3000, max_value=23000).map(lambda n: D(n).scaleb(-2)),
    st.floats(min_value=-30, max_value=230, allow_nan=False, allow_infinity=False),
)
POSITIVE_FACTORS = st.integers(min_value=1, max_value=100_000).map(lambda n: D(n).scaleb(-2))
SECTION_COUNTS = st.integers(min_value=1, max_value=5)
ITEM_COUNTS = st.integers(min_value=1, max_value=8)
TYPES = st.sampled_from(ANSWER_TYPES)
CRITICAL_FLAGS = st.sampled_from([False, False, False, True])
# (rater, area, factor) in one draw; a narrow factor range so that items share factors.
TAGS = st.sampled_from(
    list(itertools.product((None, *RATER_DIMENSIONS), (None, *AREAS), (None, *range(1, 7))))
)
# Reward items turn up often enough that most visits have a bonus or two.
BPMP_TAGS = st.sampled_from((None, *BPMP_CLASSES))
NO_REWARD_TAGS = st.sampled_from((None, *(c for c in BPMP_CLASSES if c != REWARD_CLASS)))
OPTION_KEYS = st.lists(st.sampled_from("abcdef"), min_size=1, max_size=4, unique=True)
ANSWER_KINDS = st.sampled_from(["value"] * 5 + ["na", "none", "missing"])
VALUES: dict[str, st.SearchStrategy[object]] = {
    "yes_no": st.booleans(),
    "scale5": st.integers(min_value=1, max_value=5),
    "scale6": st.integers(min_value=1, max_value=6),
    "number": NUMBERS,
    "text": st.sampled_from(["", "Friendly staff"]),
    "datetime": st.sampled_from(["2026-10-02T14:30", "2026-10-02T14:30:05"]),
    "photo": st.just("photo-1"),
}


@st.composite
def thresholds(draw: st.DrawFn, score: st.SearchStrategy[Decimal]) -> Threshold:
    low, high = draw(BOUNDS), draw(BOUNDS)
    if low is not None and high is not None and low > high:
        low, high = high, low
    return Threshold(score=draw(score), min=low, max=high)


THRESHOLD_LISTS = st.lists(thresholds(RULE_SCORES), max_size=4)
FULL_MARKS_THRESHOLDS = thresholds(st.just(D(100)))


def draw_item_rule(
    draw: st.DrawFn,
    code: str,
    section: str,
    *,
    full_marks_possible: bool,
    criticals: bool,
    rewards: bool,
) -> ItemRule:
    """One random item; with ``full_marks_possible`` its top answer is guaranteed to score 100."""
    answer_type = draw(TYPES)
    item_thresholds: list[Threshold] = []
    options: dict[str, Decimal] = {}
    if answer_type == "number":
        item_thresholds = draw(THRESHOLD_LISTS)
        if full_marks_possible:
            item_thresholds.insert(0, draw(FULL_MARKS_THRESHOLDS))
    if answer_type == "choice":
        keys = draw(OPTION_KEYS)
        options = {key: draw(RULE_SCORES) for key in keys}
        if full_marks_possible:
            options[keys[0]] = D(100)
    rater, area, factor = draw(TAGS)
    bpmp = draw(BPMP_TAGS if rewards else NO_REWARD_TAGS)
    return ItemRule(
        code=code,
        section=section,
        answer_type=answer_type,
        weight=draw(WEIGHTS),
        critical=criticals and draw(CRITICAL_FLAGS),
        thresholds=tuple(item_thresholds),
        options=options,
        rater=rater,
        area=area,
        factor=factor,
        bpmp=bpmp,
    )


@st.composite
def checklists(
    draw: st.DrawFn,
    *,
    full_marks_possible: bool = False,
    criticals: bool = True,
    rewards: bool = True,
) -> ChecklistRules:
    """1-5 sections of 1-8 items each, of random types, weights, critical flags and tags."""
    sections: list[SectionRule] = []
    items: list[ItemRule] = []
    for s in range(draw(SECTION_COUNTS)):
        section = SectionRule(f"s{s}", draw(WEIGHTS))
        sections.append(section)
        for i in range(draw(ITEM_COUNTS)):
            items.append(
                draw_item_rule(
                    draw,
                    f"s{s}i{i}",
                    section.code,
                    full_marks_possible=full_marks_possible,
                    criticals=criticals,
                    rewards=rewards,
                )
            )
    return ChecklistRules(
        sections=tuple(sections),
        items=tuple(items),
        expected=draw(RULE_SCORES),
        tolerance=draw(TOLERANCES),
    )


def draw_answers(draw: st.DrawFn, rules: ChecklistRules) -> list[AnswerInput]:
    """Mostly valid answers, with some N/A, some explicit None and some left out."""
    answers: list[AnswerInput] = []
    for rule in rules.items:
        kind = draw(ANSWER_KINDS)
        if kind == "value":
            if rule.answer_type == "choice":
                values = st.sampled_from([key for key, _ in rule.options])
            else:
                values = VALUES[rule.answer_type]
            answers.append(AnswerInput(rule.code, draw(values)))
        elif kind == "na":
            answers.append(AnswerInput(rule.code, None, na=True))
        elif kind == "none":
            answers.append(AnswerInput(rule.code, None))
    return answers


@st.composite
def visits(
    draw: st.DrawFn, *, criticals: bool = True, rewards: bool = True
) -> tuple[ChecklistRules, list[AnswerInput]]:
    rules = draw(checklists(criticals=criticals, rewards=rewards))
    return rules, draw_answers(draw, rules)


def top_value(rule: ItemRule) -> object:
    """The best answer to an item generated with ``full_marks_possible``."""
    match rule.answer_type:
        case "yes_no":
            return True
        case "scale5":
            return 5
        case "scale6":
            return 6
        case "number":
            first = rule.thresholds[0]
            return next((b for b in (first.min, first.max) if b is not None), D(0))
        case "choice":
            return max(rule.options, key=lambda pair: pair[1])[0]
        case "datetime":
            return "2026-10-02T14:30"
        case _:
            return "evidence"


def all_scores(result: VisitResult) -> list[Decimal]:
    scores = [
        *result.sections.values(),
        *result.dimensions.values(),
        *result.areas.values(),
        *result.factors.values(),
        *(item.score for item in result.items.values() if item.score is not None),
    ]
    return scores if result.score is None else [result.score, *scores]


def with_na(answers: list[AnswerInput], code: str) -> list[AnswerInput]:
    return [AnswerInput(code, None, na=True) if a.code == code else a for a in answers]


def scored_answers(rules: ChecklistRules, result: VisitResult) -> list[tuple[ItemRule, Decimal]]:
    return [
        (rule, score)
        for rule in rules.items
        if (score := result.items[rule.code].score) is not None
    ]


@PROPERTIES
@given(visits())
def test_every_score_lies_between_0_and_100(
    visit: tuple[ChecklistRules, list[AnswerInput]],
) -> None:
    result = score_visit(*visit)
    assert all(D(0) <= score <= D(100) for score in all_scores(result))


@PROPERTIES
@given(visits())
def test_every_gain_lies_between_0_and_100(visit: tuple[ChecklistRules, list[AnswerInput]]) -> None:
    result = score_visit(*visit)
    gains = [item.gain for item in result.items.values() if item.gain is not None]
    assert all(D(0) <= gain <= D(100) for gain in gains)


@PROPERTIES
@given(visits(), st.data())
def test_marking_na_an_item_scoring_0_never_lowers_any_score(
    visit: tuple[ChecklistRules, list[AnswerInput]], data: st.DataObject
) -> None:
    """Marking N/A an item that scores 0 lowers no score: visit, section, dimension, area, factor.

    Dropping a 0 from a weighted mean of values >= 0 can only raise it; if the item
    was a critical failure its section is released from the knock-out, which also
    can only raise it. A score may vanish instead, but only one that stood at 0
    because that item was all there was behind it.

    (N/A in general CAN lower scores: dropping an item above its section's mean
    lowers the section, and emptying a section that beat the others lowers the visit.)
    """
    rules, answers = visit
    before = score_visit(rules, answers)
    zeros = [rule.code for rule, score in scored_answers(rules, before) if score == 0]
    assume(zeros)
    after = score_visit(rules, with_na(answers, data.draw(st.sampled_from(zeros))))

    if after.score is None:
        assert before.score in (None, D(0))
    else:
        assert before.score is None or after.score >= before.score
    for name in ("sections", "dimensions", "areas", "factors"):
        old, new = getattr(before, name), getattr(after, name)
        for key, old_score in old.items():
            assert old_score <= new[key] if key in new else old_score == 0, (name, key)


@PROPERTIES
@given(visits(), st.data())
def test_marking_na_an_item_below_its_section_score_never_lowers_that_section_or_the_visit(
    visit: tuple[ChecklistRules, list[AnswerInput]], data: st.DataObject
) -> None:
    """Marking N/A an item scoring strictly below its section's score lowers neither.

    Removing a value below a weighted mean can only raise the mean. The section
    keeps a score: an item below its section's mean either carries no weight or
    shares the section with other weighted items. The section's weight in the visit
    is unchanged, so the visit can only rise too. "At or above" would not do: an
    item at the mean may be the section's only one, and emptying a section that
    beats the other sections lowers the visit.

    Comparing reported scores is sound: item scores here sit on the 0.1 grid, so an
    item below its section's rounded score is below the exact mean as well, and
    rounding half-up never turns a rise into a fall.
    """
    rules, answers = visit
    before = score_visit(rules, answers)
    below = [
        rule
        for rule, score in scored_answers(rules, before)
        if rule.section in before.sections and score < before.sections[rule.section]
    ]
    assume(below)
    rule = data.draw(st.sampled_from(below))
    after = score_visit(rules, with_na(answers, rule.code))

    assert after.sections[rule.section] >= before.sections[rule.section]
    if before.score is None:  # every section weighs 0
        assert after.score is None
    else:
        assert after.score is not None and after.score >= before.score


def without_knock_outs(rules: ChecklistRules) -> ChecklistRules:
    """The same checklist with no critical items, bonus items left as they were."""
    return replace(
        rules,
        items=tuple(
            replace(item, critical=False, bpmp=None if item.critical else item.bpmp)
            for item in rules.items
        ),
    )


@PROPERTIES
@given(visits())
def test_a_failed_critical_item_always_caps_its_section_and_flags_the_visit(
    visit: tuple[ChecklistRules, list[AnswerInput]],
) -> None:
    """A knock-out caps its section at KNOCKOUT_CAP: the lower of the cap and its score.

    A section whose scored items all weigh 0 has no score to cap and scores 0.
    """
    rules, answers = visit
    result = score_visit(rules, answers)
    uncapped = score_visit(without_knock_outs(rules), answers).sections
    failed_criticals = [
        rule for rule, score in scored_answers(rules, result) if rule.critical and score < PASS_MARK
    ]
    for rule in failed_criticals:
        expected = min(uncapped[rule.section], D(KNOCKOUT_CAP)) if rule.section in uncapped else 0
        assert result.sections[rule.section] == expected
        assert result.items[rule.code].critical_failure
    assert result.critical_failures == tuple(rule.code for rule in failed_criticals)


@PROPERTIES
@given(visits(), POSITIVE_FACTORS)
def test_scaling_every_item_weight_by_a_positive_factor_changes_nothing(
    visit: tuple[ChecklistRules, list[AnswerInput]], factor: Decimal
) -> None:
    rules, answers = visit
    scaled = replace(
        rules, items=tuple(replace(item, weight=item.weight * factor) for item in rules.items)
    )
    assert score_visit(scaled, answers) == score_visit(rules, answers)


@PROPERTIES
@given(visits(), POSITIVE_FACTORS)
def test_scaling_every_section_weight_by_a_positive_factor_changes_nothing(
    visit: tuple[ChecklistRules, list[AnswerInput]], factor: Decimal
) -> None:
    rules, answers = visit
    scaled = replace(
        rules,
        sections=tuple(replace(s, weight=s.weight * factor) for s in rules.sections),
    )
    assert score_visit(scaled, answers) == score_visit(rules, answers)


@PROPERTIES
@given(visits(), st.data())
def test_the_order_of_the_answers_does_not_matter(
    visit: tuple[ChecklistRules, list[AnswerInput]], data: st.DataObject
) -> None:
    rules, answers = visit
    shuffled = data.draw(st.permutations(answers))
    assert score_visit(rules, shuffled) == score_visit(rules, answers)


@PROPERTIES
@given(checklists(full_marks_possible=True))
def test_a_visit_answered_at_the_top_everywhere_scores_100_unless_nothing_is_scored(
    rules: ChecklistRules,
) -> None:
    result = score_visit(rules, [AnswerInput(item.code, top_value(item)) for item in rules.items])
    section_weights = {section.code: section.weight for section in rules.sections}
    anything_scored = any(
        item.answer_type in SCORED_TYPES and item.weight > 0 and section_weights[item.section] > 0
        for item in rules.items
    )

    assert result.score == (D(100) if anything_scored else None)
    assert all(score == 100 for score in all_scores(result))
    assert result.critical_failures == ()


@PROPERTIES
@given(visits(criticals=False, rewards=False))
def test_without_knock_outs_the_gains_add_up_to_the_points_the_visit_misses(
    visit: tuple[ChecklistRules, list[AnswerInput]],
) -> None:
    """Fixing every item would lift the visit to 100, so the gains sum to 100 - score.

    Each gain and the score are rounded on their own, hence the tolerance.
    """
    rules, answers = visit
    result = score_visit(rules, answers)
    gains = [item.gain for item in result.items.values() if item.gain is not None]

    if result.score is None:
        assert all(gain == 0 for gain in gains)
    else:
        slack = D("0.005") * len(gains) + D("0.05")
        assert abs(sum(gains, D(0)) - (100 - result.score)) <= slack


@PROPERTIES
@given(visits(criticals=False))
def test_the_gains_never_add_up_to_more_than_the_points_the_visit_misses(
    visit: tuple[ChecklistRules, list[AnswerInput]],
) -> None:
    """A counted reward item takes a share of the weight but has nothing to gain."""
    rules, answers = visit
    result = score_visit(rules, answers)
    gains = [item.gain for item in result.items.values() if item.gain is not None]
    if result.score is not None:
        slack = D("0.005") * len(gains) + D("0.05")
        assert sum(gains, D(0)) <= 100 - result.score + slack


# --- the bonus rule for reward items ----------------------------------------


def bonus_codes(rules: ChecklistRules, result: VisitResult) -> list[str]:
    return [rule.code for rule, _ in scored_answers(rules, result) if rule.is_bonus]


@REWARD_PROPERTIES
@given(visits(), st.data())
def test_a_reward_item_can_only_raise_a_score(
    visit: tuple[ChecklistRules, list[AnswerInput]], data: st.DataObject
) -> None:
    """Answered, a reward item lowers no score it would have without it (N/A).

    Visit, sections, dimensions, areas and factors: every score the visit has
    with the item N/A is there with the item answered, and no lower.
    """
    rules, answers = visit
    answered = score_visit(rules, answers)
    codes = bonus_codes(rules, answered)
    assume(codes)
    without = score_visit(rules, with_na(answers, data.draw(st.sampled_from(codes))))

    if without.score is not None:
        assert answered.score is not None and answered.score >= without.score
    for name in ("sections", "dimensions", "areas", "factors"):
        old, new = getattr(without, name), getattr(answered, name)
        for key, old_score in old.items():
            assert key in new and new[key] >= old_score, (name, key)


@REWARD_PROPERTIES
@given(visits(), st.data())
def test_an_absent_reward_item_changes_nothing_but_its_own_entry(
    visit: tuple[ChecklistRules, list[AnswerInput]], data: st.DataObject
) -> None:
    """A reward item scoring 0 scores the visit exactly as if it were N/A."""
    rules, answers = visit
    answered = score_visit(rules, answers)
    zeros = [code for code in bonus_codes(rules, answered) if answered.items[code].score == 0]
    assume(zeros)
    code = data.draw(st.sampled_from(zeros))
    without = score_visit(rules, with_na(answers, code))

    others = {key: value for key, value in answered.items.items() if key != code}
    assert replace(answered, items=others) == replace(
        without, items={key: value for key, value in without.items.items() if key != code}
    )


@REWARD_PROPERTIES
@given(visits())
def test_a_reward_item_never_appears_as_a_failure(
    visit: tuple[ChecklistRules, list[AnswerInput]],
) -> None:
    rules, answers = visit
    result = score_visit(rules, answers)
    for rule in rules.items:
        if rule.is_bonus:
            outcome = result.items[rule.code]
            assert not outcome.failed and not outcome.critical_failure
            assert outcome.gain in (None, D(0))
            assert rule.code not in result.critical_failures


# --- the lifted mean's integer sums -----------------------------------------


def fraction_lifted_mean(required, bonus):
    """_lifted_mean as it was written first, in Fraction arithmetic: the reference."""
    total_weight = Fraction(0)
    total = Fraction(0)
    for _, weight, value in required:
        total_weight += weight
        total += weight * value
    counted = []
    for key, weight, value in sorted(
        (m for m in bonus if m[1] > 0), key=lambda m: m[2], reverse=True
    ):
        if value <= (total / total_weight if total_weight else 0):
            break
        total_weight += weight
        total += weight * value
        counted.append(key)
    if total_weight == 0:
        return None, ()
    return total / total_weight, tuple(counted)


members = st.lists(
    st.tuples(
        st.text(min_size=1, max_size=3),
        st.fractions(min_value=0, max_value=5, max_denominator=12),
        st.fractions(min_value=0, max_value=100, max_denominator=12),
    ),
    max_size=12,
)


@given(required=members, bonus=members)
def test_the_lifted_mean_is_the_fraction_arithmetic_one_exactly(required, bonus) -> None:
    assert _lifted_mean(required, bonus) == fraction_lifted_mean(required, bonus)
