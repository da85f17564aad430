"""Input fields shared by every API: database ids, and text inside JSON values.

An id is a positive 64-bit integer. Bounding it here turns "shopper:
9223372036854775808" into a 400 naming the field instead of an overflow
inside the database driver.

Text must be storable as it is on both databases: PostgreSQL refuses a NUL
character (U+0000) in text and jsonb, and no database driver encodes a lone
surrogate (U+D800 to U+DFFF), so either would be a 500 on every retry. DRF's CharField
already refuses both; what it does not see is the text inside a JSONField (an
answer's value) and a DictField's keys: JSONValueField and TextKeysDictField
check those the same way.
"""

from collections.abc import Iterator

import django_filters
from django import forms
from rest_framework import serializers

MAX_ID = 2**63 - 1

# Free text a shopper types into an answer is capped like an answer's comment.
FREE_TEXT_MAX_LENGTH = 2000


def text_problem(text: str) -> str | None:
    """Why `text` cannot be stored, or None. The message never repeats the text itself."""
    if "\x00" in text:
        return "Null characters are not allowed."
    if any("\ud800" <= char <= "\udfff" for char in text):
        return "Surrogate characters are not allowed."
    return None


def _texts(value: object) -> Iterator[str]:
    """Every string in a parsed JSON value, keys included; iterative, so any depth is safe."""
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            yield node
        elif isinstance(node, dict):
            stack.extend(node.keys())
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


class JSONValueField(serializers.JSONField):
    """Any JSON value whose strings are storable text of at most `max_string_length` characters."""

    default_error_messages = {
        "max_string_length": "Ensure this text has no more than {max_length} characters.",
    }

    def __init__(self, *, max_string_length: int = FREE_TEXT_MAX_LENGTH, **kwargs):
        self.max_string_length = max_string_length
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        for text in _texts(value):
            problem = text_problem(text)
            if problem:
                raise serializers.ValidationError(problem, code="invalid_text")
            if len(text) > self.max_string_length:
                self.fail("max_string_length", max_length=self.max_string_length)
        return value


class TextKeysDictField(serializers.DictField):
    """A DictField whose keys are storable text of at most `key_max_length` characters."""

    default_error_messages = {
        "key_too_long": "Ensure every key has no more than {max_length} characters.",
    }

    def __init__(self, *, key_max_length: int, **kwargs):
        self.key_max_length = key_max_length
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        for key in value:
            # The error names the field, never the key: a bad key is not safe to echo.
            problem = text_problem(str(key))
            if problem:
                raise serializers.ValidationError(f"Keys: {problem}", code="invalid_text")
            if len(str(key)) > self.key_max_length:
                self.fail("key_too_long", max_length=self.key_max_length)
        return value


def IdField(**kwargs) -> serializers.IntegerField:  # noqa: N802 — used like a field class
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


class IdFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)
