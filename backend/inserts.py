"""One plain multi-row INSERT for a request's hot path.

`QuerySet.bulk_create` and `Model.save` rebuild the statement for every call:
per-row checks, per-field compilation, RETURNING handling, signals. In a visit
upload that was a fifth of the request's CPU for four small inserts. `rows_insert`
writes the same columns with the same values: each field's own `pre_save`
(auto_now stamps) and `get_db_prep_save` (the backend's adaptation of UUIDs,
JSON, decimals), in one statement whose text is built once per model and row
count. On PostgreSQL, several rows go as one array per column through UNNEST,
as bulk_create does there: a short statement that psycopg converts once and
PostgreSQL plans cheaply, where a VALUES list of 300 placeholders is re-parsed
on every call. What it does not do, on purpose: fetch database-generated
primary keys (rows keep `pk=None`) or send model signals (the platform uses none).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache, lru_cache

from django.db import connections, models, router
from django.db.models.constants import OnConflict


def rows_insert(rows: Sequence[models.Model], *, skip_existing: bool = False) -> int:
    """INSERT `rows`, all of one model, as they are; return how many were inserted.

    With `skip_existing`, a row whose key is taken is left out instead of failing
    the statement (ON CONFLICT DO NOTHING): the count tells the caller, in the same
    round trip, whether any key was stored already.
    """
    if not rows:
        return 0
    model = type(rows[0])
    alias = router.db_for_write(model)
    connection = connections[alias]
    fields = _insert_fields(model)
    values = [
        [field.get_db_prep_save(field.pre_save(row, True), connection) for field in fields]
        for row in rows
    ]
    inserted = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and len(rows) > 1:
            columns = [list(column) for column in zip(*values, strict=True)]
            cursor.execute(_unnest_sql(model, alias, skip_existing), columns)
            inserted = cursor.rowcount
        else:
            batch = max(1, connection.ops.bulk_batch_size(fields, rows))
            for start in range(0, len(rows), batch):
                chunk = values[start : start + batch]
                params = [value for row in chunk for value in row]
                cursor.execute(_values_sql(model, len(chunk), alias, skip_existing), params)
                inserted += cursor.rowcount
    for row in rows:
        row._state.adding = False
        row._state.db = alias
    return inserted


@cache
def _insert_fields(model: type[models.Model]) -> tuple[models.Field, ...]:
    """The columns an INSERT writes: every concrete one but a database-generated key."""
    return tuple(
        field
        for field in model._meta.concrete_fields
        if not (field.primary_key and field.db_returning)
    )


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


@cache
def _unnest_sql(model: type[models.Model], alias: str, skip_existing: bool) -> str:
    connection = connections[alias]
    # Array types without their modifiers, as bulk_create's UNNEST: numeric[], not numeric(4,1)[].
    arrays = ", ".join(
        f"(%s)::{field.db_type(connection).split('(')[0]}[]" for field in _insert_fields(model)
    )
    return _statement(model, alias, f"SELECT * FROM UNNEST({arrays})", skip_existing)
