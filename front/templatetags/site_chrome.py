"""The site's header: the links each role needs, and the language switch."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language, gettext

from accounts.scope import scope_of
from audits.models import Region
from checklists.languages import normalise_language
from front.templatetags.people import local_name

register = template.Library()

# Report pages take ?lang=; it would outweigh the switch's choice, so the switch drops it.
_LANG_PARAMETER = "lang"
# A query string longer than this is not worth keeping: the switch goes back to the bare path.
_QUERY_KEEP_MAX = 2000
# The assignments page's menu label (head office, admins and regional managers plan visits there).
_ASSIGNMENTS_LABEL = {"en": "Assignments", "zh-Hans": "暗访安排"}


@register.simple_tag
def html_lang(lang: str = "") -> str:
    """The page's language as <html lang> writes it (zh-Hans, en): the report's own, or the active one."""
    return normalise_language(lang or "") or normalise_language(get_language() or "") or "en"


@register.simple_tag
def other_language() -> dict:
    """The language the switch offers: the one not shown now (code for set_language, its own name)."""
    if html_lang() == "zh-Hans":
        return {"code": "en", "tag": "en", "name": "English"}
    return {"code": "zh-hans", "tag": "zh-Hans", "name": "中文"}


@register.simple_tag(takes_context=True)
def switch_next(context) -> str:
    """Where the language switch returns to: this page, without a ?lang= that would override it.

    Read from the raw query string, never request.GET: an error page may be showing
    a request whose parameters Django refused (too many fields) and would refuse again.
    """
    request = context.get("request")
    if request is None:
        return "/"
    path = request.path
    query = request.META.get("QUERY_STRING", "")
    if not query or len(query) > _QUERY_KEEP_MAX:
        return path
    try:
        pairs = parse_qsl(query, keep_blank_values=True, max_num_fields=100)
    except ValueError:
        return path
    kept = [(key, value) for key, value in pairs if key != _LANG_PARAMETER]
    return f"{path}?{urlencode(kept)}" if kept else path


@register.simple_tag(takes_context=True)
def navigation(context, user) -> list[dict]:
    """The header's links for the signed-in user's role: label, url and whether it is this page."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    try:
        links = _links(user)
    except NoReverseMatch:
        # An error page under a URLconf without the site's pages (a test's own): no menu.
        return []
    request = context.get("request")
    here = request.path if request is not None else ""
    return [{"label": label, "url": url, "current": url == here} for label, url in links]


def _links(user) -> list[tuple[str, str]]:
    links = [(gettext("Home"), reverse("home"))]
    role = user.role
    if user.is_superuser or role in {"reviewer", "head_office", "admin"}:
        links.append((gettext("Review queue"), reverse("review-queue-page")))
    if user.is_superuser or role in {"head_office", "admin", "regional_manager"}:
        links.append((gettext("Comparison"), reverse("comparison-page")))
    # Plans and appeals: the roles actions.roles.SeesActionPlans and appeals.roles.WorksOnAppeals admit.
    if user.is_superuser or role in {"head_office", "admin", "regional_manager"}:
        links.append((gettext("Action plans"), reverse("action-plans-page")))
        links.append((gettext("Appeals"), reverse("appeals-page")))
        # Worded here rather than in the catalogue (front/locale), which this page does not own.
        label = _ASSIGNMENTS_LABEL["zh-Hans" if html_lang() == "zh-Hans" else "en"]
        links.append((label, reverse("assignments-page")))
    if role == "regional_manager":
        for region in scope_of(user).filter(Region.objects.order_by("code"), region="pk"):
            label = gettext("%(region)s scorecards (ZIP)") % {"region": local_name(region)}
            links.append((label, reverse("region-scorecards-zip", args=[region.pk])))
    if user.is_superuser or user.is_staff or role in {"head_office", "admin"}:
        links.append((gettext("Admin"), reverse("admin:index")))
    if user.is_superuser or role in {"head_office", "admin"}:
        links.append((gettext("API"), reverse("api-docs")))
    if role == "shopper":
        links.append((gettext("Phone app"), reverse("mobile:shell")))
    return links
