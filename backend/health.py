"""GET /healthz: is this web process able to serve? (for the proxy and the orchestrator)

Answered by a middleware near the top of the stack, not by a URL route, so
that the probe works as the orchestrator sends it: to the container's own
address (not in ALLOWED_HOSTS), over plain http (never redirected to https),
without a session or a login. It checks the one thing a web process cannot
serve without, the database, and says nothing else about the deployment.
"""

from __future__ import annotations

import logging
import time

from django.db import connection
from django.http import JsonResponse

PATH = "/healthz"
logger = logging.getLogger(__name__)


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any failure means unhealthy; the log says which
        logger.exception("health check: the database did not answer")
        return False
    return True


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path != PATH:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            return JsonResponse({"detail": "Use GET."}, status=405, headers={"Allow": "GET, HEAD"})
        started = time.perf_counter()
        ok = database_ok()
        body = {
            "status": "ok" if ok else "unavailable",
            "database": "ok" if ok else "unavailable",
            "database_ms": round((time.perf_counter() - started) * 1000, 1),
        }
        response = JsonResponse(body, status=200 if ok else 503)
        response["Cache-Control"] = "no-store"
        return response
