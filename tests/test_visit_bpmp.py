"""A visit's BPMP row: the mean score of its scored answers per BPMP class."""

from __future__ import annotations

from decimal import Decimal

from audits.models import Answer
from audits.selectors.visits import bpmp_scores
from checklists.models import Item


def answer(bpmp: str, score: str | None, answer_type: str = "yes_no") -> Answer:
    return Answer(item=Item(bpmp=bpmp, answer_type=answer_type), score=score and Decimal(score))


def test_each_class_is_the_mean_of_its_answers_rounded_half_up():
    answers = [answer("performance", "80"), answer("performance", "70.1")]

    assert bpmp_scores(answers) == {"performance": Decimal("75.1")}


def test_a_delighter_not_shown_counts_as_0_in_the_reward_class():
    answers = [answer("motivation", "100"), answer("motivation", "0")]

    assert bpmp_scores(answers) == {"motivation": Decimal("50.0")}


def test_not_applicable_unscored_and_untagged_answers_count_in_no_class():
    answers = [
        answer("basic", "100"),
        answer("basic", None),  # N/A
        answer("basic", "0", answer_type="text"),
        answer("", "0"),
    ]

    assert bpmp_scores(answers) == {"basic": Decimal("100.0")}


def test_classes_come_in_the_references_order():
    answers = [answer("punishment", "0"), answer("basic", "100")]

    assert list(bpmp_scores(answers)) == ["basic", "punishment"]
