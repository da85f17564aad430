"""Demo Bank on a live server of its own, for the walkthrough in test_demo_walkthrough.py.

The demo data is loaded the way `make run` loads it (load_checklists, seed_demo,
drain_outbox), once per module: seeding goes through the real services and
takes about a minute. Every other browser test gets a flushed database from
pytest-django's transactional_db, which `live_server` pulls in; this server is
started under another name so that nothing flushes the demo between the
module's tests, and the fixture flushes the database itself when the module
ends, so no demo row leaks into the next module.

Uploaded photos and rendered scorecards go to a folder of the module's own (the
suite's `_private_media` gives every test its own, which would hide the demo's
photos from the next test): a test module using it overrides `_private_media`
with a fixture that does nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import os
import re
import time
import uuid
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, OperationalError, connection, connections
from django.db.backends.base.creation import TEST_DATABASE_PREFIX
from django.test import override_settings
from django.test.utils import setup_databases, teardown_databases
from django.utils import timezone

from tests.browser import start_live_server

FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class Demo:
    """The seeded live server: its URL, the logins seed_demo printed, and how long seeding took."""

    url: str
    logins: dict[str, str]  # username → password, as print_logins printed them
    seed_seconds: float
    timings: dict[str, float] = field(default_factory=dict)

    def password(self, username: str) -> str:
        return self.logins[username]


def printed_logins(output: str) -> dict[str, str]:
    """The username → password table of seed_demo's `Demo logins:` block."""
    lines = output.split("Demo logins:", 1)[1].strip().splitlines()
    header = lines[0].split()
    assert header[:3] == ["username", "role", "password"], header
    logins = {}
    for line in lines[1:]:
        if not line.strip():
            break
        # The role may be two words ("Head office"): the password is the first cell after it.
        cells = re.split(r"\s{2,}", line.strip())
        logins[cells[0]] = cells[2]
    return logins


def seeded_demo(request, django_db_blocker, tmp_path_factory) -> Iterator[Demo]:
    """The body of a module-scoped fixture (it needs pytest-django's django_db_setup first)."""
    media = tmp_path_factory.mktemp("demo-media")
    overrides = override_settings(
        STORAGES={
            **settings.STORAGES,
            "default": {
                "BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": str(media), "base_url": None},
            },
        },
        # Seeding creates eight users and each test signs in: the default hasher costs ~0.3 s a time.
        PASSWORD_HASHERS=FAST_HASHER,
    )
    overrides.enable()
    try:
        with django_db_blocker.unblock(), _test_database():
            try:
                cache.clear()
                started = time.monotonic()
                call_command("load_checklists", stdout=io.StringIO())
                out = io.StringIO()
                call_command("seed_demo", stdout=out)
                call_command("drain_outbox", stdout=io.StringIO())
                seconds = time.monotonic() - started
                print(f"\n[demo] load_checklists + seed_demo + drain_outbox: {seconds:.1f} s")
                server = start_live_server(request)
                try:
                    yield Demo(
                        url=server.url, logins=printed_logins(out.getvalue()), seed_seconds=seconds
                    )
                finally:
                    server.stop()
            finally:
                # As a transactional test ends: empty every table (post_migrate puts back
                # content types and permissions), and the cache table, which flush keeps.
                call_command("flush", interactive=False, verbosity=0)
                cache.clear()
    finally:
        overrides.disable()


def _is_test_database() -> bool:
    """Whether the connection is already on this run's test database.

    Its TEST NAME where one is set (the SQLite file tests/conftest.py names), or
    "test_" + the DATABASE_URL database's name (PostgreSQL): once set up, NAME is
    that name, and _get_test_db_name() would prefix it a second time.
    """
    name = str(connection.settings_dict["NAME"])
    if name == connection.creation._get_test_db_name():
        return True
    url = os.environ.get("DATABASE_URL", "")
    original = urlsplit(url).path.lstrip("/") if url else ""
    return bool(original) and name == TEST_DATABASE_PREFIX + original


@contextlib.contextmanager
def _test_database() -> Iterator[None]:
    """The test database, made here when no other collected test asked pytest-django for one.

    pytest-django creates it only for the tests that use `db`, `transactional_db`,
    `live_server` or the django_db marker, each of which would flush or roll back
    the demo between tests. When this module runs on its own, nothing else asks.
    """
    if _is_test_database():
        yield
        return
    made = setup_databases(verbosity=0, interactive=False, aliases={DEFAULT_DB_ALIAS})
    # Never seed, nor flush, anything but a test database.
    assert _is_test_database(), connection.settings_dict["NAME"]
    try:
        yield
    finally:
        connections.close_all()
        try:
            teardown_databases(made, verbosity=0)
        except OperationalError as error:
            # A live-server thread's connection can outlive it for a moment (PostgreSQL
            # refuses to drop a database in use); as pytest-django does, warn rather than
            # fail tests that passed. The next run's setup drops the database first.
            warnings.warn(f"the demo's test database was not dropped: {error}", stacklevel=1)


# --- visits through the services, as a phone would upload them --------------------------


def standard_version():
    from checklists.models import ChecklistVersion

    return (
        ChecklistVersion.objects.filter(
            checklist__code="standard-branch-visit", status=ChecklistVersion.Status.PUBLISHED
        )
        .order_by("-number")
        .first()
    )


def visit_through_services(*, branch, shopper, reviewer, failing=(), approve=True):
    """A visit of the standard checklist made in the last half hour: every item done well
    except the codes in `failing`; submitted, its photo uploaded, and approved.

    Through the same services as the demo's seeding (visit_submit, photo_upload,
    visit_review); the outbox (in-process) runs the checks and, on approval, the
    action plan handlers, as it does behind the API.
    """
    from audits.demo_visits import _photo
    from audits.models import Assignment, Visit
    from audits.services.photos import photo_upload
    from audits.services.review import visit_review
    from audits.services.visit_body import AnswerBody, PhotoBody, VisitBody
    from audits.services.visits import visit_submit
    from checklists.models import AnswerType
    from checklists.rules import version_rules

    version = standard_version()
    _, items = version_rules(version)
    now = timezone.now()
    today = timezone.localdate(now)
    started = now - dt.timedelta(minutes=20)
    if (
        timezone.localdate(started) != today
    ):  # just after midnight: the visit is today's all the same
        started = timezone.make_aware(dt.datetime.combine(today, dt.time(0, 0)))
    assignment = Assignment.objects.create(
        branch=branch,
        shopper=shopper,
        checklist_version=version,
        window_from=today - dt.timedelta(days=3),
        window_to=today + dt.timedelta(days=3),
        scenario="咨询开立储蓄账户 · Ask about opening a savings account",
    )
    answers = []
    photo_item = ""
    for code, item in items.items():
        kind = item.answer_type
        if kind == AnswerType.PHOTO:
            photo_item = photo_item or code
            continue
        if kind == AnswerType.YES_NO:
            value = code not in failing
        elif kind == AnswerType.SCALE5:
            value = 1 if code in failing else 5
        elif kind == AnswerType.SCALE6:
            value = 1 if code in failing else 6
        elif kind == AnswerType.NUMBER:
            value = 999 if code in failing else 1
        elif kind == AnswerType.CHOICE:
            options = sorted(item.options, key=lambda o: float(o["score"]), reverse=True)
            value = options[-1 if code in failing else 0]["value"]
        else:
            value = "整体服务专业。"
        comment = "员工没有做到。" if code in failing else ""
        answers.append(AnswerBody(question=code, value=value, comment=comment))
    visit_id = uuid.uuid4()
    photo_id = uuid.uuid4()
    photo = _photo(branch, started + dt.timedelta(minutes=2), f"walkthrough-{visit_id}")
    body = VisitBody(
        id=visit_id,
        assignment=assignment.pk,
        checklist_version=version.pk,
        started_at=started,
        ended_at=now - dt.timedelta(seconds=5),
        location={"lat": float(branch.latitude), "lng": float(branch.longitude), "accuracy_m": 10},
        answers=tuple(answers),
        comment="整体服务专业。",
        photos=(
            PhotoBody(id=photo_id, sha256=hashlib.sha256(photo).hexdigest(), question=photo_item),
        ),
    )
    visit = visit_submit(shopper=shopper, body=body).visit
    photo_upload(
        visit=visit, photo_id=photo_id, file=io.BytesIO(photo), size=len(photo), question=photo_item
    )
    visit.refresh_from_db()
    assert visit.status == Visit.Status.SUBMITTED, visit.status
    if approve:
        visit_review(visit=visit, reviewer=reviewer, decision="approve", note="Walkthrough.")
        visit.refresh_from_db()
    return visit
