"""How the pages name people and places: in the reader's language, Chinese names in Chinese order."""

from __future__ import annotations

import re

from django import template
from django.utils.translation import get_language, pgettext_lazy

from checklists.languages import normalise_language, pick

register = template.Library()

# CJK ideographs (with extension A and the compatibility block): a name written in them is Chinese.
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")

ROLE_LABELS = {
    "shopper": pgettext_lazy("role", "Shopper"),
    "reviewer": pgettext_lazy("role", "Reviewer"),
    "regional_manager": pgettext_lazy("role", "Regional manager"),
    "head_office": pgettext_lazy("role", "Head office"),
    "admin": pgettext_lazy("role", "Administrator"),
}


def full_name(first: str, last: str) -> str:
    """Family name first with no space for a Chinese name (李娜), given name first otherwise (Anna Li)."""
    first, last = (first or "").strip(), (last or "").strip()
    if _HAN.search(first) or _HAN.search(last):
        return f"{last}{first}"
    return f"{first} {last}".strip()


@register.filter
def person_name(user) -> str:
    """The user's full name as it is written in its language; the username when there is none."""
    if user is None:
        return ""
    name = full_name(getattr(user, "first_name", ""), getattr(user, "last_name", ""))
    return name or getattr(user, "username", "") or ""


@register.filter
def role_label(user) -> str:
    """The user's role in the page's language."""
    role = getattr(user, "role", "")
    return str(ROLE_LABELS.get(role, role))


def page_language() -> str:
    """The active language as the reports name it: zh-Hans or en."""
    return normalise_language(get_language() or "") or "en"


@register.filter
def local_name(thing) -> str:
    """A region's or branch's name in the page's language (name_zh / name_en), the other when empty."""
    if thing is None:
        return ""
    return pick(page_language(), getattr(thing, "name_zh", ""), getattr(thing, "name_en", ""))


@register.filter
def other_name(thing) -> str:
    """The name in the other language, or "" when it says the same as local_name."""
    if thing is None:
        return ""
    other = "en" if page_language() == "zh-Hans" else "zh-Hans"
    name = pick(other, getattr(thing, "name_zh", ""), getattr(thing, "name_en", ""))
    return "" if name == local_name(thing) else name
