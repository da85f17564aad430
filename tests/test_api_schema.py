"""The OpenAPI schema, and the API fuzzed from it with schemathesis.

Schemathesis generates requests from /api/schema/ (valid and invalid bodies,
odd query strings, wrong types) and sends them in-process through the WSGI
app as every role. Whatever it sends, the answer is never a server error
(bad input gets a 4xx that names the problem) and always conforms to the
schema: a documented status code, content type, headers and body.
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
from schemathesis import checks

from audits.models import Assignment, Region, User
from backend.wsgi import application
from tests.factories import (
    AssignmentFactory,
    BranchFactory,
    RegionFactory,
    ShopperFactory,
    UserFactory,
)


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


ROLES = ("head_office", "reviewer", "regional_manager", "shopper")


@pytest.fixture
def fuzz_token(db):
    """A token for a user of the role; idempotent: schemathesis runs every operation within one test function."""

    def token(role: str) -> str:
        call_command("load_checklists", verbosity=0)
        if not Assignment.objects.exists():
            AssignmentFactory(branch=BranchFactory(region=RegionFactory(code="east")))
        username = f"fuzz-{role}"
        user = User.objects.filter(username=username).first()
        if user is None:
            if role == "shopper":
                user = ShopperFactory(username=username)
            else:
                regions = [Region.objects.get(code="east")] if role == "regional_manager" else []
                user = UserFactory(username=username, role=role, regions=regions)
        return Token.objects.get_or_create(user=user)[0].key

    return token


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


# What the responses are checked against. Left out: positive_data_acceptance,
# because a schema-valid request can still break a business rule (a window in
# the past, an unknown checklist code) and must then be a 400; and ignored_auth,
# which takes the token given here for a generated one (authorization has its
# own tests, endpoint by endpoint).
CONFORMANCE = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
]


# Schemathesis's own pytest plugin does not run on pytest 9 yet, so each
# operation's hypothesis strategy is driven here with @given.
@pytest.mark.slow
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "operation", _operations(), ids=lambda op: f"{op.method.upper()} {op.path}"
)
def test_every_answer_conforms_to_the_schema_and_none_is_a_server_error(
    operation, role, fuzz_token, keep_connections
):
    token = fuzz_token(role)

    @given(case=operation.as_strategy())
    @hypothesis_settings(
        max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), database=None
    )
    def check(case):
        response = case.call(headers={"Authorization": f"Token {token}"})
        case.validate_response(response, checks=CONFORMANCE)

    check()
