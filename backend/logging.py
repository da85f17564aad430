"""Log formatting: JSON lines for production, and quiet 4xx responses.

LOG_FORMAT=json (the default with PRODUCTION=true) writes one JSON object per
line, which log collectors index without a parsing rule: time, level, logger,
message, request_id, and the traceback as `exception` when there is one.
"""

from __future__ import annotations

import datetime as dt
import json
import logging


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        status_code = getattr(record, "status_code", None)
        if isinstance(status_code, int):
            entry["status_code"] = status_code
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class ClientErrorsWithoutTraceback(logging.Filter):
    """Keep Django's one line for a 4xx response but drop its traceback.

    Django logs a raised PermissionDenied, Http404 or DisallowedHost with the
    exception attached, so every ordinary 403 or 404 printed a whole traceback.
    The client's mistake is not the server's: the line is enough. 5xx keep
    theirs.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        status_code = getattr(record, "status_code", None)
        if (
            isinstance(status_code, int)
            and status_code < 500
            and record.name.startswith(("django.request", "django.security"))
        ):
            record.exc_info = None
            record.exc_text = None
        return True
