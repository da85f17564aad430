"""Choosing between the two languages the platform ships: zh-Hans and en."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation.trans_real import parse_accept_lang_header

SUPPORTED = ("zh-Hans", "en")


def normalise_language(code: str) -> str | None:
    """Map a language tag to one we ship: zh, zh-CN, zh-Hans-CN → zh-Hans; en-GB → en."""
    tag = code.strip().lower().replace("_", "-")
    if tag in {"zh", "zh-hans", "zh-cn", "zh-sg"} or tag.startswith("zh-hans"):
        return "zh-Hans"
    if tag == "en" or tag.startswith("en-"):
        return "en"
    return None


def language_for(request, *, fallback: str) -> str:
    """`?lang=` wins, then the language chosen with the site's switch, then Accept-Language
    in preference order, then the fallback.

    Without ?lang= this is the language Django activated for the request (LocaleMiddleware
    reads the same cookie, then the same header), except that a request that asks for
    neither gets the fallback (often the checklist's own language), not LANGUAGE_CODE.
    """
    explicit = request.GET.get("lang") if hasattr(request, "GET") else None
    if explicit and (lang := normalise_language(explicit)):
        return lang
    cookies = getattr(request, "COOKIES", None) or {}
    chosen = cookies.get(settings.LANGUAGE_COOKIE_NAME)
    if chosen and (lang := normalise_language(chosen)):
        return lang
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    for tag, _quality in parse_accept_lang_header(header):
        if tag != "*" and (lang := normalise_language(tag)):
            return lang
    return fallback


def pick(lang: str, zh: str, en: str) -> str:
    """The text in `lang`, or the other language's text when that one is empty."""
    if lang == "zh-Hans":
        return zh or en
    return en or zh
