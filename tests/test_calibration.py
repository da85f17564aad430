"""Calibration: probe visits from the reference, and the band each must get.

The reference (shared/domain/service-quality.md) says what matters; these probes
hold every bundled checklist to it, through the scoring module itself:

| probe | answers | band |
|---|---|---|
| satisfied | every scale item 满意 (satisfied), every requirement met, number items at the standard, no delighters | meets, in the middle of the band: "meets expectation" is perceived = expected (§6) |
| one 尚可 | as satisfied, one scale item 尚可 (acceptable) | meets |
| mostly 完全满意 | scale items 完全满意 (very satisfied) but every third 满意; delighters present | exceeds |
| cold | the checklist's attitude items at their worst, everything else at its best | below: indifference and a cold attitude are the first reason customers leave (68 %, §1), whatever the rituals |
| no thank-you | everything at its best but the thank-you, one of the three basic actions (§1) | below, and not below the cold visit |

Delighters (BPMP reward items, §7) are absent in the satisfied visit because
exceeding expectation is what they are for; they are present in the mostly
完全满意 visit. Where a probe needs to know which items are attitude or thanks,
the table below names them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from checklists.rules import library_rules
from checklists.scoring import AnswerInput, ChecklistRules, VisitResult, score_visit
from checklists.selectors import LIBRARY_DIR

D = Decimal
SCALE_TOPS = {"scale5": 5, "scale6": 6}
# 满意 (satisfied) is the level below the top on both scales.
SATISFIED = {"scale5": 4, "scale6": 5}
ACCEPTABLE = 3  # 尚可, five-level scale

# The items a cold, indifferent member of staff fails, per checklist.
COLD = {
    # Warm service and the four behaviours that lose customers (语气不佳、表情冷漠、被冷落、看不起人).
    "standard-branch-visit": {"CS04", "CS05", "CS06", "CS07", "CS08"},
    # The factors those same five items are tagged with: courtesy, a warm feeling,
    # keeping face, feeling valued.
    "key-factors-26": {"F02", "F05", "F20", "F22"},
    # Courtesy, interest in the customer's situation, hearing them out,
    # acknowledging them on arrival, getting on with it.
    "rater": {"ASR02", "EMP01", "EMP02", "RSP01", "RSP02"},
    # Not listening, impatience, no interest in the real cause.
    "complaint-handling": {"LS01", "LS02", "LS03", "CA01"},
    # No rapport, a cold atmosphere, no interest in the need, tone, sincerity, smile.
    "sales-visit": {"AC06", "CN05", "CN07", "MN01", "MN02", "MN03"},
    # The attitude element of service temperature.
    "service-temperature": {"AT01", "AT02", "AT03"},
    # Service recovery. A return met coldly: no warmth, an annoyed tone, suspicion.
    "return-refund": {"RA01", "RA02", "RA03"},
    # A cold call: no warmth, a curt tone, left in silence, the mid-call question brushed off.
    "phone-enquiry": {"PG02", "PG03", "PG04", "PQ01"},
    # The request brushed off, a cold wait, a manager who interrupts and loses their temper.
    "ask-for-manager": {"AM01", "AM04", "AG02", "AG05"},
    # A form letter in a curt tone that argues instead of apologising.
    "written-complaint-reply": {"WR01", "WR02", "WR04"},
}
# 感谢顾客: the thank-you item of the checklists that have one.
THANKS = {
    "standard-branch-visit": "CS09",
    "complaint-handling": "RC07",
    "return-refund": "RX02",
    "phone-enquiry": "PX02",
    "ask-for-manager": "AO04",
    "written-complaint-reply": "WC04",
}


def library() -> dict[str, dict]:
    files = sorted(path for path in LIBRARY_DIR.glob("*.json") if path.name != "scales.json")
    return {path.stem: json.loads(Path(path).read_text(encoding="utf-8")) for path in files}


LIBRARY = library()
CODES = sorted(LIBRARY)

Answerer = Callable[[dict], object]


def items_of(data: dict) -> list[dict]:
    return [item for section in data["sections"] for item in section["items"]]


def is_reward(item: dict) -> bool:
    return (item.get("tags") or {}).get("bpmp") == "motivation"


def option_score(option: dict) -> Decimal:
    return D(option["score"]) if option.get("score") is not None else D(0)


def best(item: dict) -> object:
    answer_type = item["answer_type"]
    if answer_type == "yes_no":
        return True
    if answer_type in SCALE_TOPS:
        return SCALE_TOPS[answer_type]
    if answer_type == "number":
        # The bound of the best-scoring band is a value inside it.
        band = max(item["thresholds"], key=lambda t: D(t["score"]))
        return D(band.get("max") or band.get("min") or 0)
    if answer_type == "choice":
        return max(item["options"], key=option_score)["value"]
    if answer_type == "text":
        return "Noted."
    return None  # photos are declared, not answered


def worst(item: dict) -> object:
    answer_type = item["answer_type"]
    if answer_type == "yes_no":
        return False
    if answer_type in SCALE_TOPS:
        return 1
    if answer_type == "number":
        return D(100_000)
    if answer_type == "choice":
        return min(item["options"], key=option_score)["value"]
    return best(item)


def satisfied(item: dict) -> object:
    if item["answer_type"] in SATISFIED:
        return SATISFIED[item["answer_type"]]
    if item["answer_type"] == "yes_no":
        # Meeting the standard: every requirement done, no delighter expected.
        return not is_reward(item)
    return best(item)


def score(code: str, answer: Answerer) -> VisitResult:
    data = LIBRARY[code]
    answers = [
        AnswerInput(item["code"], value)
        for item in items_of(data)
        if (value := answer(item)) is not None
    ]
    return score_visit(rules_of(code), answers)


def rules_of(code: str) -> ChecklistRules:
    return library_rules(LIBRARY[code])


def except_for(codes: set[str], then: Answerer, otherwise: Answerer) -> Answerer:
    """Answer the items in ``codes`` with ``then`` and every other item with ``otherwise``."""
    return lambda item: then(item) if item["code"] in codes else otherwise(item)


def mostly_very_satisfied(code: str) -> Answerer:
    scale_codes = [i["code"] for i in items_of(LIBRARY[code]) if i["answer_type"] in SCALE_TOPS]
    every_third = set(scale_codes[2::3])
    return except_for(every_third, satisfied, best)


def scale_items(code: str) -> list[dict]:
    return [item for item in items_of(LIBRARY[code]) if item["answer_type"] == "scale5"]


# --- the probe table, on every bundled checklist -----------------------------


def test_the_probe_table_covers_every_bundled_checklist() -> None:
    assert set(COLD) == set(LIBRARY)


@pytest.mark.parametrize("code", CODES)
def test_the_probe_table_names_real_items(code: str) -> None:
    codes = {item["code"] for item in items_of(LIBRARY[code])}
    assert COLD[code] <= codes
    assert {THANKS[code]} <= codes if code in THANKS else True


@pytest.mark.parametrize("code", CODES)
def test_a_visit_satisfied_everywhere_meets_the_standard(code: str) -> None:
    assert score(code, satisfied).band == "meets"


@pytest.mark.parametrize("code", CODES)
def test_a_visit_satisfied_everywhere_sits_in_the_middle_of_the_band(code: str) -> None:
    # The expected score is this visit's score, rounded to the half point.
    rules = rules_of(code)
    assert abs(score(code, satisfied).score - rules.expected) <= D("0.5")


@pytest.mark.parametrize("code", CODES)
def test_one_acceptable_among_satisfied_answers_still_meets_the_standard(code: str) -> None:
    for item in scale_items(code):
        result = score(code, except_for({item["code"]}, lambda _: ACCEPTABLE, satisfied))
        assert result.band == "meets", (item["code"], result.score)


@pytest.mark.parametrize("code", CODES)
def test_a_visit_mostly_very_satisfied_exceeds_the_standard(code: str) -> None:
    assert score(code, mostly_very_satisfied(code)).band == "exceeds"


@pytest.mark.parametrize("code", CODES)
def test_a_cold_indifferent_visit_is_below_the_standard_whatever_the_rituals(code: str) -> None:
    assert score(code, except_for(COLD[code], worst, best)).band == "below"


@pytest.mark.parametrize("code", sorted(THANKS))
def test_a_missing_thank_you_alone_is_below_the_standard(code: str) -> None:
    result = score(code, except_for({THANKS[code]}, lambda _: False, best))
    assert result.band == "below"


@pytest.mark.parametrize("code", sorted(THANKS))
def test_a_missing_thank_you_alone_scores_no_lower_than_a_cold_visit(code: str) -> None:
    no_thanks = score(code, except_for({THANKS[code]}, lambda _: False, best))
    cold = score(code, except_for(COLD[code], worst, best))
    assert no_thanks.score >= cold.score


@pytest.mark.parametrize("code", CODES)
def test_delighters_lift_a_satisfied_visit_wherever_there_is_room(code: str) -> None:
    # A delighter lifts its section up to 100; a section already at 100 has no room.
    def delighted(item: dict) -> object:
        return best(item) if is_reward(item) else satisfied(item)

    plain, lifted = score(code, satisfied), score(code, delighted)
    assert lifted.score >= plain.score
    for section in LIBRARY[code]["sections"]:
        before = plain.sections.get(section["code"], D(0))
        if any(is_reward(item) for item in section["items"]) and before < 100:
            assert lifted.sections[section["code"]] > before, section["code"]


@pytest.mark.parametrize("code", CODES)
def test_absent_delighters_score_a_visit_as_if_they_were_not_asked(code: str) -> None:
    def not_asked(item: dict) -> object:
        return None if is_reward(item) else satisfied(item)

    with_absent = score(code, satisfied)
    assert (with_absent.score, with_absent.sections) == (
        score(code, not_asked).score,
        score(code, not_asked).sections,
    )


# --- the 26 key factors ------------------------------------------------------


def test_every_answered_key_factor_counts_the_same_whichever_are_na() -> None:
    # Procedure factors N/A, the rest split between 尚可 and 完全满意 (no knock-out,
    # no delighter): the score is the plain mean of the factors answered.
    values = {}
    for item in items_of(LIBRARY["key-factors-26"]):
        if is_reward(item) or item["tags"]["area"] == "procedure":
            continue
        values[item["code"]] = 5 if item["tags"]["area"] == "environment" else 3
    result = score("key-factors-26", lambda item: values.get(item["code"]))
    scores = [D(100) if value == 5 else D(50) for value in values.values()]
    assert result.score == round(sum(scores) / len(scores), 1)
