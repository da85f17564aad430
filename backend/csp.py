"""Content-Security-Policy on every response that does not set its own.

The pages load scripts, styles and images from this origin only, so an
injected <script> or a script from another host does not run. A view that
knows better sets its own header and keeps it: the phone app under /app/
(mobile/views.py) also allows blob: and data: images, for the photos it shows
from IndexedDB. The API docs need no exception: Swagger UI is served from
this origin (drf-spectacular-sidecar) and started by a script file, not inline.
"""

from __future__ import annotations

HEADER = "Content-Security-Policy"

DEFAULT_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        # The server-rendered pages keep their CSS in <style> blocks and a few
        # style attributes; inline styles cannot run code, inline scripts can.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if HEADER not in response:
            response[HEADER] = DEFAULT_POLICY
        return response
