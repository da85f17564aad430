"""The OpenAPI schema, and the API fuzzed from it with schemathesis.

Schemathesis generates requests from /api/schema/ (valid and invalid bodies,
odd query strings, wrong types) and sends them in-process through the WSGI
app as head office. Whatever it sends, the answer is never a server error:
bad input gets a 4xx that names the problem.
"""

from __future__ import annotations

from io import StringIO

import pytest
import schemathesis
from django.core import signals
from django.core.management import call_command
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from rest_framework.authtoken.models import Token

from audits.models import Assignment
from backend.wsgi import application
from tests.factories import AssignmentFactory, BranchFactory, RegionFactory, UserFactory


def test_the_schema_is_valid_and_has_no_warnings():
    out = StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    assert "openapi: 3" in out.getvalue()


def test_every_operation_documents_its_errors():
    import yaml

    out = StringIO()
    call_command("spectacular", stdout=out)
    schema = yaml.safe_load(out.getvalue())
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            if path != "/api/v1/auth/token/":
                assert "401" in codes, f"{method.upper()} {path} does not document 401"


@pytest.fixture
def head_office_token(db):
    """Idempotent: schemathesis runs every operation within one test function."""
    user = UserFactory(username="fuzz-hq", role="head_office")
    call_command("load_checklists", verbosity=0)
    if not Assignment.objects.exists():
        AssignmentFactory(branch=BranchFactory(region=RegionFactory(code="east")))
    return Token.objects.get_or_create(user=user)[0].key


def _operations():
    schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
    return [result.ok() for result in schema.get_all_operations()]


@pytest.fixture
def keep_connections():
    """Calls through the real WSGI handler must not close the test's database connection.

    Django's test client does the same: the handler closes connections at the
    end of each request, which would end the test's transaction.
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


# Schemathesis's own pytest plugin does not run on pytest 9 yet, so each
# operation's hypothesis strategy is driven here with @given.
@pytest.mark.slow
@pytest.mark.parametrize(
    "operation", _operations(), ids=lambda op: f"{op.method.upper()} {op.path}"
)
def test_no_request_gets_a_server_error(operation, head_office_token, keep_connections):
    @given(case=operation.as_strategy())
    @hypothesis_settings(
        max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), database=None
    )
    def check(case):
        response = case.call(headers={"Authorization": f"Token {head_office_token}"})
        assert response.status_code < 500, (
            f"{case.method} {case.formatted_path} query={case.query!r} body={case.body!r}: "
            f"{response.status_code} {response.text[:300]}"
        )

    check()
