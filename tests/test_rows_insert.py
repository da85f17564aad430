"""rows_insert: the visit upload's INSERTs, the same rows bulk_create would store."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext

from audits.models import Answer, Photo, VisitScore
from backend.inserts import rows_insert
from tests.factories import ItemFactory
from tests.report_data import report_checklist, visit

pytestmark = pytest.mark.django_db

VALUES = [True, 3, 2.5, "雨伞 umbrella", None, {"seconds": 42}, [1, 2]]


@pytest.fixture
def version():
    version = report_checklist()
    section = version.sections.first()
    ItemFactory.create_batch(len(VALUES), section=section)  # an item for every value
    return version


@pytest.fixture
def stored(east_branch, version):
    return visit(east_branch, version, "2026-11-03", 80)


def answers_of(stored, *, comment: str) -> list[Answer]:
    """One answer per kind of value, each to its own item (one answer per item)."""
    items = list(stored.checklist_version.items.all())
    return [
        Answer(
            visit=stored,
            item=item,
            item_code=f"q{n}",
            value=value,
            na=value is None,
            comment=comment,
            score=Decimal("87.5") if n % 2 else None,
            failed=n % 3 == 0,
            gain=Decimal("1.25"),
        )
        for n, (value, item) in enumerate(zip(VALUES, items, strict=False))
    ]


def stored_answers(comment: str) -> list[dict]:
    rows = Answer.objects.filter(comment=comment).order_by("item_code")
    return [model_to_dict(row, exclude=["id"]) for row in rows]


def test_answers_are_stored_exactly_as_bulk_create_stores_them(stored, version, pudong):
    Answer.objects.bulk_create(answers_of(stored, comment="bulk"))
    other = visit(pudong, version, "2026-11-03", 80)
    rows_insert(answers_of(other, comment="plain"))
    assert stored_answers("plain") == [
        {**row, "visit": other.pk, "comment": "plain"} for row in stored_answers("bulk")
    ]


def test_several_rows_take_one_statement(stored):
    answers = answers_of(stored, comment="one")
    with CaptureQueriesContext(connection) as queries:
        rows_insert(answers)
    assert len(queries.captured_queries) == 1
    assert Answer.objects.filter(comment="one").count() == len(answers) == len(VALUES)


def test_a_single_row_is_stored(stored):
    rows_insert([VisitScore(visit=stored, kind=VisitScore.Kind.SECTION, key="s1", score=75)])
    assert stored.scores.get(key="s1").score == Decimal("75.0")


def test_auto_now_fields_are_stamped_on_the_rows(stored):
    photos = [Photo(id=uuid.uuid4(), visit=stored, sha256="a" * 64) for _ in range(2)]
    rows_insert(photos)
    for photo in photos:
        assert photo.created_at is not None
        assert Photo.objects.get(pk=photo.pk).created_at == photo.created_at


def test_inserted_rows_are_no_longer_adding(stored):
    photos = [Photo(id=uuid.uuid4(), visit=stored, sha256="b" * 64) for _ in range(2)]
    rows_insert(photos)
    assert [photo._state.adding for photo in photos] == [False, False]


def test_a_duplicate_key_is_an_integrity_error_and_stores_nothing(stored):
    photo_id = uuid.uuid4()
    rows_insert([Photo(id=photo_id, visit=stored, sha256="c" * 64)])
    again = [
        Photo(id=uuid.uuid4(), visit=stored, sha256="d" * 64),
        Photo(id=photo_id, visit=stored),
    ]
    with pytest.raises(IntegrityError), transaction.atomic():
        rows_insert(again)
    assert not Photo.objects.filter(sha256="d" * 64).exists()


def test_nothing_to_insert_sends_nothing():
    with CaptureQueriesContext(connection) as queries:
        rows_insert([])
    assert queries.captured_queries == []


def test_skipping_existing_keys_inserts_the_others_and_counts_them(stored):
    taken = uuid.uuid4()
    rows_insert([Photo(id=taken, visit=stored, sha256="e" * 64)])
    rows = [Photo(id=uuid.uuid4(), visit=stored, sha256="f" * 64), Photo(id=taken, visit=stored)]
    assert rows_insert(rows, skip_existing=True) == 1
    assert Photo.objects.get(pk=taken).sha256 == "e" * 64
    assert Photo.objects.filter(sha256="f" * 64).count() == 1


def test_a_single_existing_key_is_skipped_too(stored):
    taken = uuid.uuid4()
    rows_insert([Photo(id=taken, visit=stored, sha256="e" * 64)])
    assert rows_insert([Photo(id=taken, visit=stored, sha256="0" * 64)], skip_existing=True) == 0


def test_the_count_is_every_row_when_none_exists(stored):
    rows = [Photo(id=uuid.uuid4(), visit=stored, sha256="a" * 64) for _ in range(3)]
    assert rows_insert(rows) == 3
