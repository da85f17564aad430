"""Query parameters under /api/ must be text the databases can store.

DRF's and django-filter's fields refuse a NUL character in what they parse,
but some views read query parameters themselves (the reports' `checklist` and
`region`); on PostgreSQL a NUL reaching a query is a 500. Checked once here for
every API endpoint, as a 400 naming the parameter. (A lone surrogate cannot
arrive this way: undecodable query bytes become U+FFFD.)
"""

from __future__ import annotations

from django.http import JsonResponse

from backend.errors import API_PREFIX
from backend.fields import text_problem


class ApiQueryTextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(API_PREFIX):
            for name, values in request.GET.lists():
                problem = text_problem(name) or next(filter(None, map(text_problem, values)), None)
                if problem:
                    return JsonResponse(
                        {"detail": f"{name}: {problem}", "errors": {name: [problem]}}, status=400
                    )
        return self.get_response(request)
