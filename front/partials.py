"""A page, or for htmx only the part of it that htmx replaces.

django-htmx sets request.htmx (HX-Request); django-template-partials renders one
{% partialdef %} of the page's own template as "page.html#name", so the part and
the page come from the same markup. Both answers say `Vary: HX-Request`: a cache,
the browser's included, must never give the part for the page's address.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers


def wants_partial(request: HttpRequest) -> bool:
    """htmx asks for a region; never when it restores a page from history (it wants it whole)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


def render_page(
    request: HttpRequest, template_name: str, context: dict, *, partial: str
) -> HttpResponse:
    """`template_name` whole, or its partial `partial` when htmx asks for it."""
    name = f"{template_name}#{partial}" if wants_partial(request) else template_name
    response = render(request, name, context)
    patch_vary_headers(response, ["HX-Request"])
    return response
