"""rows_insert: the visit upload's INSERTs, the same rows bulk_create would store."""

from __future__ import annotations

import datetime as dt
import math
import uuid
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext

from audits.models import Answer, Assignment, Photo, Visit, VisitRevision, VisitScore
from backend.inserts import Rows, rows_insert, rows_insert_all
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


TRICKY_TEXT = '它\'s a "quote", a \\ backslash, 100% {json} \t\n\x01 and an emoji 🙂'


def visit_like(stored, *, shopper, **fields) -> Visit:
    """An unsaved visit of a new assignment of `stored`'s branch, with `fields` set."""
    assignment = Assignment.objects.create(
        branch=stored.branch,
        checklist_version=stored.checklist_version,
        shopper=shopper,
        window_from=stored.visited_on,
        window_to=stored.visited_on,
    )
    return Visit(
        id=uuid.uuid4(),
        assignment=assignment,
        shopper=shopper,
        branch=stored.branch,
        checklist=stored.checklist,
        checklist_version=stored.checklist_version,
        started_at=dt.datetime(2026, 11, 3, 9, 15, 30, 123456, tzinfo=dt.UTC),
        ended_at=dt.datetime(2026, 11, 3, 17, 45, tzinfo=dt.timezone(dt.timedelta(hours=8))),
        visited_on=dt.date(2026, 11, 3),
        body_hash="f" * 64,
        score=Decimal("87.5"),
        **fields,
    )


def stored_visit(pk) -> dict:
    row = model_to_dict(Visit.objects.get(pk=pk), exclude=["id", "assignment"])
    return {k: v for k, v in row.items() if k not in ("created_at", "updated_at")}


@pytest.mark.parametrize(
    "fields",
    [
        {"location_lat": 31.2304167, "location_lng": -121.4737, "comment": TRICKY_TEXT},
        {"location_lat": 0.1 + 0.2, "location_accuracy_m": 1e-7, "confidence": 0},
    ],
)
def test_a_visit_row_is_stored_exactly_as_save_stores_it(stored, alice, fields):
    saved = visit_like(stored, shopper=alice, **fields)
    saved.save(force_insert=True)
    inserted = visit_like(stored, shopper=alice, **fields)
    rows_insert([inserted])
    assert stored_visit(inserted.pk) == stored_visit(saved.pk)


def test_a_value_json_cannot_carry_is_stored_as_save_stores_it(stored, alice):
    saved = visit_like(stored, shopper=alice, location_lat=math.nan)
    saved.save(force_insert=True)
    inserted = visit_like(stored, shopper=alice, location_lat=math.nan)
    rows_insert([inserted])
    both = [Visit.objects.get(pk=v.pk).location_lat for v in (saved, inserted)]
    assert [value is None or math.isnan(value) for value in both] == [True, True]
    assert (both[0] is None) == (both[1] is None)


def test_a_revision_body_keeps_its_json_exactly(stored):
    body = {"comment": TRICKY_TEXT, "answers": [{"value": 2.5}, {"value": None}], "n": 10**15}
    rows_insert([VisitRevision(visit=stored, revision=2, body=body, score=Decimal("80.0"))])
    assert VisitRevision.objects.get(visit=stored, revision=2).body == body


def test_groups_of_several_tables_are_stored_and_counted_each(stored, alice):
    new_visit = visit_like(stored, shopper=alice)
    taken = uuid.uuid4()
    rows_insert([Photo(id=taken, visit=stored, sha256="e" * 64)])
    photos = [
        Photo(id=uuid.uuid4(), visit=new_visit, sha256="f" * 64),
        Photo(id=taken, visit=new_visit),
    ]
    counts = rows_insert_all(
        [
            Rows([new_visit]),
            Rows(answers_of(new_visit, comment="together")),
            Rows([]),
            Rows(photos, skip_existing=True),
        ]
    )
    assert counts == [1, len(VALUES), 0, 1]
    assert Answer.objects.filter(visit=new_visit, comment="together").count() == len(VALUES)
    assert Photo.objects.get(pk=taken).visit == stored


def test_groups_take_one_statement_on_postgresql(stored, alice):
    new_visit = visit_like(stored, shopper=alice)
    groups = [Rows([new_visit]), Rows(answers_of(new_visit, comment="one trip"))]
    with CaptureQueriesContext(connection) as queries:
        rows_insert_all(groups)
    assert len(queries.captured_queries) == (1 if connection.vendor == "postgresql" else 2)


def test_a_taken_key_in_any_group_stores_no_group(stored, alice):
    new_visit = visit_like(stored, shopper=alice)
    taken = uuid.uuid4()
    rows_insert([Photo(id=taken, visit=stored, sha256="e" * 64)])
    with pytest.raises(IntegrityError), transaction.atomic():
        rows_insert_all(
            [Rows([new_visit]), Rows([Photo(id=taken, visit=new_visit, sha256="0" * 64)])]
        )
    assert not Visit.objects.filter(pk=new_visit.pk).exists()


def test_a_group_json_cannot_carry_goes_on_its_own_with_the_others(stored, alice):
    new_visit = visit_like(stored, shopper=alice, location_lat=math.nan)
    counts = rows_insert_all([Rows([new_visit]), Rows(answers_of(new_visit, comment="nan"))])
    assert counts == [1, len(VALUES)]
    assert Answer.objects.filter(visit=new_visit).count() == len(VALUES)


def test_values_of_another_type_than_their_column_are_stored_as_save_stores_them(stored, alice):
    # A bool in an integer column, a number in a text one, a str in a boolean one: each
    # goes through its field's preparation, as save() sends it.
    odd = {"revision": True, "comment": 1234, "flagged": "1", "review_note": 5.5}
    saved = visit_like(stored, shopper=alice, **odd)
    saved.save(force_insert=True)
    inserted = visit_like(stored, shopper=alice, **odd)
    rows_insert([inserted])
    assert stored_visit(inserted.pk) == stored_visit(saved.pk)
