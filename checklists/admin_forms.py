"""Admin form fields that edit an item's thresholds and options as rows of inputs.

Item.thresholds and Item.options are JSON lists read by the scoring code
(checklists/rules.py). Head office should not type JSON, so each list is shown
as a small table, one row per threshold or option, and turned back into the
exact stored shape on save:

    thresholds: [{"min": "0", "max": "10", "score": "100"}, ...]   (absent bound: open)
    options:    [{"value": "resolved", "label": {"zh-Hans": ..., "en": ...}, "score": "100"}, ...]
                ("score": None for every option of an unscored choice)

Numbers are kept as the text typed (checked to be a plain decimal), as the
library files store them. A blank row is ignored; errors name the row.
The page works without JavaScript (every table has spare blank rows);
checklists/static/checklists/rows.js only adds an "Add a row" button.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join

from checklists.models import AnswerType, Item

# A plain decimal as the scoring code reads it: no exponent, no thousands separator.
PLAIN_DECIMAL = re.compile(r"^-?\d+(\.\d+)?$")
SPARE_ROWS = 2
# A bound on the row count a browser may claim, so a forged count cannot make
# the server loop over millions of missing keys.
MAX_ROWS = 100

Row = dict[str, str]


class RowsWidget(forms.Widget):
    """A table of text inputs, named `<name>-<row>-<column>`, with the row count in `<name>-rows`."""

    def __init__(self, columns: Sequence[tuple[str, str]], attrs: dict | None = None) -> None:
        super().__init__(attrs)
        self.columns = list(columns)  # (key, heading)

    class Media:
        js = ["checklists/rows.js"]

    def id_for_label(self, id_: str) -> str:
        # No single input to point the label at: each input carries its own aria-label.
        return ""

    def value_from_datadict(self, data: Mapping, files: Mapping, name: str) -> list[Row]:
        try:
            count = min(int(data.get(f"{name}-rows", 0)), MAX_ROWS)
        except (TypeError, ValueError):
            count = 0
        return [
            {key: str(data.get(f"{name}-{index}-{key}", "")).strip() for key, _ in self.columns}
            for index in range(max(count, 0))
        ]

    def value_omitted_from_data(self, data: Mapping, files: Mapping, name: str) -> bool:
        return f"{name}-rows" not in data

    def render(self, name: str, value: Any, attrs: dict | None = None, renderer=None) -> str:
        rows: list[Row] = list(value or [])
        blank = {key: "" for key, _ in self.columns}
        rows += [dict(blank) for _ in range(SPARE_ROWS)]
        head = format_html_join("", "<th>{}</th>", ((heading,) for _, heading in self.columns))
        body = format_html_join(
            "",
            '<tr><td class="row-number">{}</td>{}</tr>',
            (
                (
                    index + 1,
                    format_html_join(
                        "",
                        '<td><input type="text" name="{}-{}-{}" value="{}" data-column="{}"'
                        ' data-heading="{}" aria-label="{} {}" size="{}"></td>',
                        (
                            (
                                name,
                                index,
                                key,
                                row.get(key, ""),
                                key,
                                heading,
                                heading,
                                index + 1,
                                8 if key in {"min", "max", "score"} else 18,
                            )
                            for key, heading in self.columns
                        ),
                    ),
                )
                for index, row in enumerate(rows)
            ),
        )
        return format_html(
            '<div class="row-editor" data-name="{}">'
            '<input type="hidden" name="{}-rows" value="{}">'
            "<table><thead><tr><th>#</th>{}</tr></thead><tbody>{}</tbody></table>"
            '<p class="help">Blank rows are ignored.</p></div>',
            name,
            name,
            len(rows),
            head,
            body,
        )


def _blank(row: Row) -> bool:
    return not any(row.values())


def _number(text: str, *, what: str, row: int, errors: list[str]) -> str | None:
    if not PLAIN_DECIMAL.match(text):
        errors.append(f"Row {row}: {what} {text!r} is not a number (write e.g. 10 or 2.5).")
        return None
    return text


def _score(text: str, *, row: int, errors: list[str]) -> str | None:
    score = _number(text, what="score", row=row, errors=errors)
    if score is not None and not 0 <= Decimal(score) <= 100:
        errors.append(f"Row {row}: score {score} must be from 0 to 100.")
        return None
    return score


class RowsField(forms.Field):
    """Base of the two row fields: stored JSON in, rows on the page, stored JSON out."""

    columns: Sequence[tuple[str, str]] = ()

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", RowsWidget(self.columns))
        super().__init__(**kwargs)

    def to_row(self, stored: Mapping) -> Row:
        raise NotImplementedError

    def clean_rows(self, rows: list[tuple[int, Row]]) -> list[dict]:
        raise NotImplementedError

    def prepare_value(self, value: Any) -> list[Row]:
        # Stored JSON on first display; the rows as typed when redisplayed with errors.
        if not value:
            return []
        if isinstance(value, str):
            return []
        return [self.to_row(entry) for entry in value if isinstance(entry, Mapping)]

    def to_python(self, value: Any) -> list[Row]:
        return [dict(row) for row in value or [] if isinstance(row, Mapping)]

    def clean(self, value: Any) -> list[dict]:
        rows = self.to_python(value)
        # Row numbers are those shown on the page, blank rows included.
        numbered = [(index, row) for index, row in enumerate(rows, start=1) if not _blank(row)]
        if self.required and not numbered:
            raise ValidationError(self.error_messages["required"], code="required")
        return self.clean_rows(numbered)

    def has_changed(self, initial: Any, data: Any) -> bool:
        try:
            return self.clean(data) != (initial or [])
        except ValidationError:
            return True


class ThresholdRowsField(RowsField):
    """A number item's bands: from min to max (inclusive, either may be open) scores score."""

    columns = [("min", "From (min)"), ("max", "To (max)"), ("score", "Score 0–100")]

    def to_row(self, stored: Mapping) -> Row:
        return {key: "" if stored.get(key) is None else str(stored[key]) for key, _ in self.columns}

    def clean_rows(self, rows: list[tuple[int, Row]]) -> list[dict]:
        errors: list[str] = []
        thresholds: list[dict] = []
        for number, row in rows:
            band: dict[str, str] = {}
            for bound in ("min", "max"):
                if row.get(bound):
                    value = _number(row[bound], what=bound, row=number, errors=errors)
                    if value is not None:
                        band[bound] = value
            if not row.get("score"):
                errors.append(f"Row {number}: a threshold needs a score.")
            else:
                score = _score(row["score"], row=number, errors=errors)
                if score is not None:
                    band["score"] = score
            if "min" in band and "max" in band and Decimal(band["min"]) > Decimal(band["max"]):
                errors.append(f"Row {number}: min {band['min']} is greater than max {band['max']}.")
            thresholds.append(band)
        if errors:
            raise ValidationError(errors)
        return thresholds


class OptionRowsField(RowsField):
    """A choice item's options: a stored value, a label in each language, a score or none."""

    columns = [
        ("value", "Value (stored)"),
        ("label_zh", "Label 简体中文"),
        ("label_en", "Label English"),
        ("score", "Score 0–100 (blank: unscored)"),
    ]

    def to_row(self, stored: Mapping) -> Row:
        if "label" not in stored:
            # Already a row: the form is shown again with the rows as typed.
            return {key: str(stored.get(key) or "") for key, _ in self.columns}
        label = stored.get("label") or {}
        score = stored.get("score")
        return {
            "value": str(stored.get("value") or ""),
            "label_zh": str(label.get("zh-Hans") or ""),
            "label_en": str(label.get("en") or ""),
            "score": "" if score is None else str(score),
        }

    def clean_rows(self, rows: list[tuple[int, Row]]) -> list[dict]:
        errors: list[str] = []
        options: list[dict] = []
        first_row_of: dict[str, int] = {}
        for number, row in rows:
            value = row.get("value", "")
            if not value:
                errors.append(f"Row {number}: an option needs a value.")
            elif value in first_row_of:
                errors.append(
                    f"Row {number}: value {value!r} is already used by row {first_row_of[value]}."
                )
            else:
                first_row_of[value] = number
            for key, language in (("label_zh", "Chinese"), ("label_en", "English")):
                if not row.get(key):
                    errors.append(f"Row {number}: the {language} label is missing.")
            score = _score(row["score"], row=number, errors=errors) if row.get("score") else None
            options.append(
                {
                    "value": value,
                    "label": {"zh-Hans": row.get("label_zh", ""), "en": row.get("label_en", "")},
                    "score": score,
                }
            )
        # Scored or only recorded, never half of each: the scoring module refuses a mix.
        scored = [bool(row.get("score")) for _, row in rows]
        if any(scored) and not all(scored):
            missing = ", ".join(str(n) for (n, _), s in zip(rows, scored, strict=True) if not s)
            errors.append(
                f"Row {missing}: no score. Give every option a score, or none for an "
                "unscored choice."
            )
        if errors:
            raise ValidationError(errors)
        return options


class ItemAdminForm(forms.ModelForm):
    thresholds = ThresholdRowsField(
        help_text="For number answers: the first row whose range holds the answer gives the score. "
        "Leave From or To blank for an open end."
    )
    options = OptionRowsField(
        help_text="For single-choice answers: give every option a score, or none to record the "
        "choice without scoring it."
    )

    class Meta:
        model = Item
        # Every field but `version`, which follows the section (see clean()).
        fields = [
            "section",
            "code",
            "position",
            "text_zh",
            "text_en",
            "help_zh",
            "help_en",
            "good_practice_zh",
            "good_practice_en",
            "answer_type",
            "weight",
            "critical",
            "required",
            "allow_na",
            "photo_required",
            "comment_on_failure",
            "rater",
            "area",
            "factor",
            "bpmp",
            "thresholds",
            "options",
            "unit_zh",
            "unit_en",
        ]

    def clean(self) -> dict:
        cleaned = super().clean()
        section = cleaned.get("section")
        if section is not None:
            # The version follows the section; the form leaves it out so the two cannot disagree.
            self.instance.version = section.version
            code = cleaned.get("code")
            taken = (
                Item.objects.filter(version=section.version, code=code)
                .exclude(pk=self.instance.pk)
                .exists()
            )
            if code and taken:
                self.add_error("code", f"Item {code!r} already exists in this version.")
        answer_type = cleaned.get("answer_type")
        if (
            answer_type == AnswerType.NUMBER
            and "thresholds" in cleaned
            and not cleaned["thresholds"]
        ):
            self.add_error("thresholds", "A number item needs at least one threshold row.")
        if (
            answer_type == AnswerType.CHOICE
            and "options" in cleaned
            and len(cleaned["options"]) < 2
        ):
            self.add_error("options", "A choice item needs at least two option rows.")
        return cleaned
