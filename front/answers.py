"""An answer as the web pages show it and as their forms send it back (the review desk, appeals).

Items and scales are the checklist tree the API serves (`answer_type`,
`options`, `unit`; scales by type), `t` the page's labels (yes, no).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation


def value_text(item: dict, value, scales: dict, t: dict) -> str:
    """The answer as the shopper gave it, with its label."""
    kind = item["answer_type"]
    if kind == "yes_no":
        return t["yes"] if value is True else t["no"] if value is False else str(value)
    if kind in scales:
        label = next((s["label"] for s in scales[kind] if s["value"] == value), "")
        return f"{value} · {label}" if label else str(value)
    if kind == "choice":
        label = next((o["label"] for o in item["options"] if o["value"] == value), "")
        return label or str(value)
    if kind == "number":
        return f"{value} {item['unit']}".strip()
    if kind == "datetime" and isinstance(value, str):
        return value.replace("T", " ")  # as people write it; the value is a local time
    return "" if value is None else str(value)


def value_choices(item: dict, scales: dict, t: dict) -> list[tuple[str, str]]:
    """The finite answers of an item, as (form value, label); empty for a number or a text."""
    kind = item["answer_type"]
    if kind == "yes_no":
        return [("true", t["yes"]), ("false", t["no"])]
    if kind in scales:
        return [(str(s["value"]), f"{s['value']} · {s['label']}") for s in scales[kind]]
    if kind == "choice":
        return [(o["value"], o["label"]) for o in item["options"]]
    return []


def form_value(kind: str, text: str):
    """A typed value from a form field, as the API's JSON would carry it; the service judges it."""
    text = text.strip()
    if text == "":
        return None
    if kind == "yes_no":
        return {"true": True, "false": False}.get(text, text)
    if kind in ("scale5", "scale6"):
        return int(text) if text.lstrip("-").isdigit() else text
    if kind == "number":
        try:
            number = Decimal(text)  # the service turns it into an int or a float
        except InvalidOperation:
            return text
        # NaN, infinities and numbers beyond a float go to the service as text, which it refuses.
        return number if number.is_finite() and abs(number) < Decimal("1e300") else text
    return text
