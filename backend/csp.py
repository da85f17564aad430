"""Content-Security-Policy on every response that does not set its own.

The pages load scripts, styles and images from this origin only, so an
injected <script> or a script from another host does not run. A view that
knows better sets its own header and keeps it: the phone app under /app/
(mobile/views.py) also allows blob: and data: images, for the photos it shows
from IndexedDB.
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

# The Swagger UI (drf-spectacular) loads its bundle, stylesheet and favicon from
# the jsDelivr CDN and starts itself with an inline script. Until it is vendored
# (another issue), that path alone allows exactly that.
SWAGGER_CDN = "https://cdn.jsdelivr.net"
SWAGGER_POLICY = "; ".join(
    [
        "default-src 'self'",
        f"script-src 'self' 'unsafe-inline' {SWAGGER_CDN}",
        f"style-src 'self' 'unsafe-inline' {SWAGGER_CDN}",
        f"img-src 'self' data: {SWAGGER_CDN}",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SWAGGER_PATH = "/api/docs/"


def policy_for(path: str) -> str:
    return SWAGGER_POLICY if path == SWAGGER_PATH else DEFAULT_POLICY


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if HEADER not in response:
            response[HEADER] = policy_for(request.path)
        return response
