"""Request ids, quiet and structured logs, the health endpoint and the Content-Security-Policy.

The log tests read what the configured console handler (LOGGING in
backend/settings.py) writes, by pointing its stream at a buffer: the filters
that add the request id and drop 4xx tracebacks live on that handler.
"""

from __future__ import annotations

import io
import json
import logging
import re
from unittest import mock

import pytest
from django.db import OperationalError
from django.http import HttpResponse
from django.test import Client
from django.urls import path

from backend.logging import JsonFormatter

HEX_ID = re.compile(r"[0-9a-f]{32}")


# A URL configuration for the 5xx test: one view that fails.
def _boom(request):
    raise RuntimeError("the server's own fault")


def _ok(request):
    logging.getLogger("audits.example").info("doing the work")
    return HttpResponse("ok")


urlpatterns = [path("boom/", _boom), path("ok/", _ok)]


@pytest.fixture
def console():
    """What the console handler writes during the test (text format)."""
    handler = next(h for h in logging.getLogger().handlers if h.name == "console")
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    try:
        yield buffer
    finally:
        handler.setStream(previous)


@pytest.fixture
def json_console(console):
    """The console handler switched to LOG_FORMAT=json for the test."""
    handler = next(h for h in logging.getLogger().handlers if h.name == "console")
    previous = handler.formatter
    handler.setFormatter(JsonFormatter())
    try:
        yield console
    finally:
        handler.setFormatter(previous)


def json_lines(buffer: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in buffer.getvalue().splitlines() if line.strip()]


# Request ids.


@pytest.mark.django_db
def test_the_response_echoes_the_phones_request_id():
    response = Client().get("/accounts/login/", HTTP_X_REQUEST_ID="visit-7f3a_retry")
    assert response["X-Request-ID"] == "visit-7f3a_retry"


@pytest.mark.django_db
def test_a_request_without_an_id_gets_a_new_one():
    first = Client().get("/accounts/login/")["X-Request-ID"]
    second = Client().get("/accounts/login/")["X-Request-ID"]
    assert HEX_ID.fullmatch(first) and HEX_ID.fullmatch(second) and first != second


@pytest.mark.django_db
@pytest.mark.parametrize(
    "sent",
    ["x" * 65, "has space", "semi;colon", "ünïcode", "new\\nline", ""],
    ids=["too-long", "space", "semicolon", "non-ascii", "backslash", "empty"],
)
def test_an_implausible_request_id_is_replaced_by_a_new_one(sent):
    response = Client().get("/accounts/login/", HTTP_X_REQUEST_ID=sent)
    assert HEX_ID.fullmatch(response["X-Request-ID"])


@pytest.mark.django_db
def test_a_64_character_request_id_is_kept():
    sent = "A-z_9" * 12 + "abcd"
    assert len(sent) == 64
    assert Client().get("/accounts/login/", HTTP_X_REQUEST_ID=sent)["X-Request-ID"] == sent


@pytest.mark.django_db
@pytest.mark.urls("tests.test_request_logs")
def test_every_log_line_of_a_request_carries_its_id_in_json(json_console):
    Client().get("/ok/", HTTP_X_REQUEST_ID="phone-retry-1")
    Client().get("/nowhere/", HTTP_X_REQUEST_ID="phone-retry-2")
    lines = json_lines(json_console)
    work = next(line for line in lines if line["message"] == "doing the work")
    not_found = next(line for line in lines if line["message"].startswith("Not Found"))
    assert (work["request_id"], work["logger"], work["level"]) == (
        "phone-retry-1",
        "audits.example",
        "INFO",
    )
    assert (not_found["request_id"], not_found["status_code"]) == ("phone-retry-2", 404)


@pytest.mark.django_db
def test_a_json_log_line_has_time_level_logger_message_and_request_id(json_console):
    Client().get("/nowhere/")
    line = json_lines(json_console)[-1]
    assert set(line) >= {"time", "level", "logger", "message", "request_id"}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", line["time"])


def test_a_log_line_outside_a_request_has_no_request_id(json_console):
    logging.getLogger("audits.example").warning("from a management command")
    assert json_lines(json_console)[-1]["request_id"] == "-"


def test_the_text_format_carries_the_request_id_too(console):
    logging.getLogger("audits.example").warning("plain")
    assert "audits.example [-] plain" in console.getvalue()


# Quiet logs.


@pytest.mark.django_db
def test_a_403_logs_one_line_and_no_traceback(console, alice):
    client = Client()
    client.force_login(alice)
    assert client.get("/review/").status_code == 403
    output = console.getvalue()
    assert "Forbidden (Permission denied): /review/" in output
    assert "Traceback" not in output
    assert len(output.strip().splitlines()) == 1


@pytest.mark.django_db
def test_a_404_logs_one_line_and_no_traceback(console):
    assert Client().get("/nowhere/").status_code == 404
    assert "Not Found: /nowhere/" in console.getvalue()
    assert "Traceback" not in console.getvalue()


@pytest.mark.django_db
def test_a_bad_host_logs_no_traceback(console):
    assert Client().get("/", HTTP_HOST="evil.example").status_code == 400
    assert "Invalid HTTP_HOST header" in console.getvalue()
    assert "Traceback" not in console.getvalue()


@pytest.mark.django_db
@pytest.mark.urls("tests.test_request_logs")
def test_a_500_still_logs_its_traceback_with_the_request_id(json_console):
    client = Client(raise_request_exception=False)
    assert client.get("/boom/", HTTP_X_REQUEST_ID="boom-1").status_code == 500
    line = next(line for line in json_lines(json_console) if line["level"] == "ERROR")
    assert line["request_id"] == "boom-1"
    assert "RuntimeError: the server's own fault" in line["exception"]


def test_celery_does_not_log_every_task_that_succeeded():
    assert logging.getLogger("celery.app.trace").getEffectiveLevel() == logging.WARNING


# GET /healthz.


@pytest.mark.django_db
def test_healthz_answers_ok_when_the_database_answers():
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["database"] == "ok"
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_does_not(console):
    with mock.patch("backend.health.connection.cursor", side_effect=OperationalError("down")):
        response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"


@pytest.mark.django_db
def test_healthz_needs_no_login_no_allowed_host_and_no_https(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["audit.example.com"]
    response = Client().get("/healthz", HTTP_HOST="10.0.3.7:8000")
    assert response.status_code == 200


def test_healthz_refuses_writes():
    assert Client().post("/healthz").status_code == 405


# Content-Security-Policy.


def policy(response) -> dict[str, list[str]]:
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


@pytest.mark.django_db
def test_pages_may_load_scripts_from_this_origin_only():
    csp = policy(Client().get("/accounts/login/"))
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]


@pytest.mark.django_db
def test_api_responses_carry_the_policy_too(client_for, alice):
    assert policy(client_for(alice).get("/api/v1/config/"))["default-src"] == ["'self'"]


def test_the_phone_app_keeps_its_own_policy_with_blob_and_data_images():
    csp = policy(Client().get("/app/"))
    assert csp["img-src"] == ["'self'", "blob:", "data:"]


@pytest.mark.django_db
def test_the_swagger_ui_loads_nothing_from_another_host(admin_user):
    client = Client()
    client.force_login(admin_user)
    response = client.get("/api/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    assert re.findall(r'(?:src|href)="(https?://[^"]+)', page) == []
    assert policy(response)["script-src"] == ["'self'"]


@pytest.mark.django_db
def test_the_swagger_ui_starts_without_an_inline_script(admin_user):
    client = Client()
    client.force_login(admin_user)
    page = client.get("/api/docs/").content.decode()
    scripts = re.findall(r"<script([^>]*)>", page)
    assert scripts and all("src=" in attributes for attributes in scripts)


# Celery: a task logs under the id of the request that sent it.


def test_a_task_sent_during_a_request_carries_its_id_in_a_header():
    from backend import request_id

    headers: dict = {}
    token = request_id._current.set("phone-retry-9")
    try:
        request_id.task_publish_add_request_id(headers=headers)
    finally:
        request_id._current.reset(token)
    assert headers == {"request_id": "phone-retry-9"}


def test_a_worker_logs_a_task_under_the_id_it_carries(json_console):
    from types import SimpleNamespace

    from backend import request_id

    task = SimpleNamespace(request=SimpleNamespace(request_id="phone-retry-9"))
    request_id.task_prerun_set_request_id(task_id="t1", task=task)
    logging.getLogger("audits.example").warning("making the copies")
    request_id.task_postrun_reset_request_id(task_id="t1")
    logging.getLogger("audits.example").warning("between tasks")
    first, second = json_lines(json_console)[-2:]
    assert (first["request_id"], second["request_id"]) == ("phone-retry-9", "-")


def test_a_task_without_an_id_keeps_the_one_it_runs_under():
    from types import SimpleNamespace

    from backend import request_id

    token = request_id._current.set("eager-request")
    try:
        task = SimpleNamespace(request=SimpleNamespace())
        request_id.task_prerun_set_request_id(task_id="t2", task=task)
        assert request_id.current_request_id() == "eager-request"
        request_id.task_postrun_reset_request_id(task_id="t2")
        assert request_id.current_request_id() == "eager-request"
    finally:
        request_id._current.reset(token)


def test_an_eager_task_logs_no_broker_warning(caplog):
    from backend.celery import app

    if not app.conf.task_always_eager:
        pytest.skip("a broker is configured")
    with caplog.at_level(logging.WARNING, logger="kombu"), app.producer_or_acquire() as producer:
        assert producer is not None
    assert not [r for r in caplog.records if r.name.startswith("kombu")]
