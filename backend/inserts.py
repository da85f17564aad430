"""Plain multi-row INSERTs for a request's hot path.

`QuerySet.bulk_create` and `Model.save` rebuild the statement for every call:
per-row checks, per-field compilation, RETURNING handling, signals. In a visit
upload that was a fifth of the request's CPU for four small inserts. `rows_insert`
writes the same columns with the same values: each field's own `pre_save`
(auto_now stamps) and `get_db_prep_save` (the backend's adaptation of UUIDs,
JSON, decimals), in one statement whose text is built once per model.

On PostgreSQL the rows travel as one JSON document per table, which
`json_populate_recordset` turns into rows of the table's own type: psycopg
quotes one string where an array per column (UNNEST, as bulk_create does) had it
quote every value in Python, the largest single cost of an upload's INSERTs; and
`rows_insert_all` sends several tables' rows in one statement, one round trip.
What JSON cannot carry (a NaN, bytes) goes as a VALUES list, as on SQLite.
What it does not do, on purpose: fetch database-generated primary keys (rows keep
`pk=None`) or send model signals (the platform uses none).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache, lru_cache

from django.db import connections, models, router
from django.db.models.constants import OnConflict


@dataclass(frozen=True)
class Rows:
    """Rows of one model to insert, and whether a row whose key is taken is skipped."""

    rows: Sequence[models.Model]
    skip_existing: bool = False


def rows_insert(rows: Sequence[models.Model], *, skip_existing: bool = False) -> int:
    """INSERT `rows`, all of one model, as they are; return how many were inserted.

    With `skip_existing`, a row whose key is taken is left out instead of failing
    the statement (ON CONFLICT DO NOTHING): the count tells the caller, in the same
    round trip, whether any key was stored already.
    """
    return rows_insert_all([Rows(rows, skip_existing=skip_existing)])[0]


def rows_insert_all(groups: Sequence[Rows]) -> list[int]:
    """INSERT each group's rows as `rows_insert` does; return how many of each were inserted.

    On PostgreSQL the groups go in one statement, each an INSERT in its own WITH
    clause: one round trip for a whole visit rather than one per table. A group's
    rows may refer to an earlier group's (answers to their visit): Django's foreign
    keys are checked at commit. Elsewhere, one statement per group, in order.
    """
    filled = [group for group in groups if group.rows]
    if not filled:
        return [0] * len(groups)
    alias = router.db_for_write(type(filled[0].rows[0]))
    connection = connections[alias]
    prepared = [_prepared(group, connection) for group in filled]
    documents = (
        [_json_rows(_model(group), values) for group, values in zip(filled, prepared, strict=True)]
        if connection.vendor == "postgresql"
        else []
    )
    with connection.cursor() as cursor:
        if documents and None not in documents:  # PostgreSQL, and JSON carries every group
            shape = tuple((_model(group), group.skip_existing) for group in filled)
            cursor.execute(_recordsets_sql(shape, alias), documents)
            counts = list(cursor.fetchone()) if len(filled) > 1 else [cursor.rowcount]
        else:
            counts = [
                _values_insert(cursor, group, values, alias)
                for group, values in zip(filled, prepared, strict=True)
            ]
    for group in filled:
        for row in group.rows:
            row._state.adding = False
            row._state.db = alias
    inserted = dict(zip(map(id, filled), counts, strict=True))
    return [inserted.get(id(group), 0) for group in groups]


def _model(group: Rows) -> type[models.Model]:
    return type(group.rows[0])


def _prepared(group: Rows, connection) -> list[list]:
    """Each row's column values as this backend stores them.

    A value whose type its field stores unchanged (a str in a CharField, an int in
    an integer column or a foreign key to one, None anywhere) skips the field's
    `get_db_prep_save`, and a field without a `pre_save` of its own is read
    directly: together they were half of the rows' preparation.
    """
    plans = _column_plans(_model(group))
    rows = []
    for row in group.rows:
        values = []
        for field, attname, plain, reads_itself in plans:
            value = field.pre_save(row, True) if reads_itself else getattr(row, attname)
            if type(value) not in plain:
                value = field.get_db_prep_save(value, connection)
            values.append(value)
        rows.append(values)
    return rows


def _values_insert(cursor, group: Rows, values: list[list], alias: str) -> int:
    model = _model(group)
    fields = _insert_fields(model)
    batch = max(1, connections[alias].ops.bulk_batch_size(fields, group.rows))
    inserted = 0
    for start in range(0, len(values), batch):
        chunk = values[start : start + batch]
        params = [value for row in chunk for value in row]
        cursor.execute(_values_sql(model, len(chunk), alias, group.skip_existing), params)
        inserted += cursor.rowcount
    return inserted


@cache
def _insert_fields(model: type[models.Model]) -> tuple[models.Field, ...]:
    """The columns an INSERT writes: every concrete one but a database-generated key."""
    return tuple(
        field
        for field in model._meta.concrete_fields
        if not (field.primary_key and field.db_returning)
    )


# Python types each field class stores as they are, whatever the backend: its
# get_db_prep_save returns such a value unchanged. Only these exact classes: a
# subclass may prepare its values otherwise.
_PLAIN_TYPES: dict[type[models.Field], frozenset[type]] = {
    **dict.fromkeys(
        (models.CharField, models.TextField, models.SlugField), frozenset({str, type(None)})
    ),
    models.BooleanField: frozenset({bool, type(None)}),
    **dict.fromkeys(
        (
            models.IntegerField,
            models.BigIntegerField,
            models.SmallIntegerField,
            models.PositiveIntegerField,
            models.PositiveBigIntegerField,
            models.PositiveSmallIntegerField,
            models.AutoField,
            models.BigAutoField,
        ),
        frozenset({int, type(None)}),
    ),
    **dict.fromkeys(
        (
            models.DecimalField,
            models.FloatField,
            models.UUIDField,
            models.DateTimeField,
            models.DateField,
            models.JSONField,
        ),
        frozenset({type(None)}),
    ),
}


@cache
def _column_plans(
    model: type[models.Model],
) -> tuple[tuple[models.Field, str, frozenset[type], bool], ...]:
    """Per inserted field: the field, its attribute, its plain types, whether pre_save is its own."""
    plans = []
    for field in _insert_fields(model):
        stored = field.target_field if field.many_to_one else field
        plain = _PLAIN_TYPES.get(type(stored), frozenset())
        if field.many_to_one and type(field) is not models.ForeignKey:
            plain = frozenset()
        reads_itself = type(field).pre_save is not models.Field.pre_save
        plans.append((field, field.attname, plain, reads_itself))
    return tuple(plans)


def _json_rows(model: type[models.Model], values: list[list]) -> str | None:
    """The rows as a JSON array of objects keyed by column, or None if JSON cannot carry them."""
    columns = [field.column for field in _insert_fields(model)]
    try:
        return json.dumps(
            [dict(zip(columns, row, strict=True)) for row in values],
            default=_json_scalar,
            allow_nan=False,  # PostgreSQL's JSON has no NaN; such rows go as VALUES
            ensure_ascii=False,
            separators=(",", ":"),
        )
    except (TypeError, ValueError):
        return None


def _json_scalar(value):
    """A prepared value JSON has no type for, as text PostgreSQL's input functions read."""
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    obj = getattr(value, "obj", _MISSING)  # a JSONField's value, wrapped by psycopg (Jsonb)
    if obj is not _MISSING:
        return obj
    raise TypeError(f"{type(value).__name__} is not sent as JSON")


_MISSING = object()


def _statement(model: type[models.Model], alias: str, rows_sql: str, skip_existing: bool) -> str:
    """INSERT INTO table (columns) `rows_sql`, skipping taken keys as this backend spells it."""
    ops = connections[alias].ops
    fields = _insert_fields(model)
    on_conflict = OnConflict.IGNORE if skip_existing else None
    columns = ", ".join(ops.quote_name(field.column) for field in fields)
    suffix = ops.on_conflict_suffix_sql(fields, on_conflict, None, None)
    return (
        f"{ops.insert_statement(on_conflict=on_conflict)} {ops.quote_name(model._meta.db_table)} "
        f"({columns}) {rows_sql} {suffix}"
    ).rstrip()


@lru_cache(maxsize=256)
def _values_sql(model: type[models.Model], count: int, alias: str, skip_existing: bool) -> str:
    row = "(" + ", ".join(["%s"] * len(_insert_fields(model))) + ")"
    return _statement(model, alias, "VALUES " + ", ".join([row] * count), skip_existing)


def _recordset_sql(model: type[models.Model], alias: str, skip_existing: bool) -> str:
    ops = connections[alias].ops
    table = ops.quote_name(model._meta.db_table)
    columns = ", ".join(ops.quote_name(field.column) for field in _insert_fields(model))
    # %s::json: psycopg sends the document as a quoted string literal.
    rows_sql = f"SELECT {columns} FROM json_populate_recordset(NULL::{table}, %s::json)"
    return _statement(model, alias, rows_sql, skip_existing)


@lru_cache(maxsize=64)
def _recordsets_sql(shape: tuple[tuple[type[models.Model], bool], ...], alias: str) -> str:
    """One INSERT per (model, skip_existing) of `shape`; several as WITH clauses, then their counts."""
    if len(shape) == 1:
        model, skip_existing = shape[0]
        return _recordset_sql(model, alias, skip_existing)
    clauses = ", ".join(
        f"g{n} AS ({_recordset_sql(model, alias, skip)} RETURNING 1)"
        for n, (model, skip) in enumerate(shape)
    )
    counts = ", ".join(f"(SELECT count(*) FROM g{n})" for n in range(len(shape)))
    return f"WITH {clauses} SELECT {counts}"
