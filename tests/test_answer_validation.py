"""An uploaded answer's validation: the direct path returns exactly what DRF's would, or defers."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework import serializers

from audits.api.visits import AnswerInput

ANSWER = AnswerInput()

# Text near every edge DRF's CharField and our text check look at: padding, blanks,
# NUL, lone surrogates, the length limits, and ordinary words in both languages.
EDGES = ["", " ", "\t", " ok", "ok ", "\x00", "a\x00b", "\ud800", "柜员", "PC01", "q" * 40]
texts = st.one_of(
    st.sampled_from(EDGES),
    st.text(max_size=6),
    st.text(alphabet="ab \n", min_size=38, max_size=42),
    st.just("c" * 2000),
    st.just("c" * 2001),
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | texts,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=6,
)
# Half the answers look like a phone's, so both paths are exercised often.
usual_text = st.sampled_from(["PC01", "柜员态度友好", "q" * 40, "a b", "c" * 2000])
parts = {
    "question": usual_text | texts | st.integers() | st.none(),
    "value": json_values,
    "na": st.booleans() | st.sampled_from(["true", "no", 1, 0, None, "maybe"]),
    "comment": usual_text | texts | st.integers() | st.none(),
    "extra": st.integers(),
}
usual = {name: parts[name] for name in ("value", "na", "comment")}
answers = (
    st.fixed_dictionaries({"question": usual_text}, optional=usual)
    | st.fixed_dictionaries({}, optional=parts)
    | st.none()
    | st.lists(st.integers())
)


def by_drf(data):
    """AnswerInput's validation as DRF alone runs it."""
    try:
        return "valid", serializers.Serializer.run_validation(ANSWER, data)
    except serializers.ValidationError as error:
        return "invalid", error.detail


def as_served(data):
    try:
        return "valid", ANSWER.run_validation(data)
    except serializers.ValidationError as error:
        return "invalid", error.detail


@settings(max_examples=600, deadline=None)
@given(answers)
def test_every_answer_validates_exactly_as_drf_validates_it(data):
    assert as_served(data) == by_drf(data)


def test_the_phones_usual_answer_takes_the_direct_path(monkeypatch):
    def refuse(self, data):
        raise AssertionError("DRF's validation ran")

    monkeypatch.setattr(serializers.Serializer, "run_validation", refuse)
    answer = {"question": "PC01", "value": 4, "na": False, "comment": "柜员态度友好"}
    assert ANSWER.run_validation(answer) == answer
