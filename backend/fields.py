"""Input fields shared by every API: database ids.

An id is a positive 64-bit integer. Bounding it here turns "shopper:
9223372036854775808" into a 400 naming the field instead of an overflow
inside the database driver.
"""

import django_filters
from django import forms
from rest_framework import serializers

MAX_ID = 2**63 - 1


def IdField(**kwargs) -> serializers.IntegerField:  # noqa: N802 — used like a field class
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


class IdFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)
