"""ReDoc, the API reference, served with everything it loads from this site."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularRedocView

from backend.csp import DEFAULT_POLICY, HEADER


class ApiReferenceView(SpectacularRedocView):
    # Without drf-spectacular's Google Fonts links: the docs render with no internet.
    template_name = "front/api_redoc.html"

    @extend_schema(exclude=True)  # as the parent's get is: the docs are not an operation
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        # ReDoc builds its search index in a worker made from a blob: URL, which
        # only a script already allowed on the page can create.
        response[HEADER] = f"{DEFAULT_POLICY}; worker-src 'self' blob:"
        return response
