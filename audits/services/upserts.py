"""Database-side increments: INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n.

Shared by the report roll-ups and the report change stamps, which must both
count every change even when two transactions commit the same row together.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import connection, models


def rows_upsert_adding(
    model: type[models.Model],
    *,
    conflict: Sequence[str],
    columns: Sequence[str],
    added: Sequence[str],
    rows: Sequence[Sequence[object]],
) -> None:
    """Insert `rows`, or add their `added` columns to the row already there. One statement.

    The same SQL on PostgreSQL and SQLite. Callers sort `rows`, so concurrent
    transactions lock the rows they share in the same order.
    """
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
    sql = (
        f"INSERT INTO {table} ({', '.join(quote(c) for c in columns)}) "
        f"VALUES {', '.join([placeholders] * len(rows))} "
        f"ON CONFLICT ({', '.join(quote(c) for c in conflict)}) DO UPDATE SET "
        + ", ".join(f"{quote(c)} = {table}.{quote(c)} + excluded.{quote(c)}" for c in added)
    )
    # Raw SQL gets no field adaptation: dates go in as the backend stores them.
    params = [
        connection.ops.adapt_datefield_value(value) if isinstance(value, dt.date) else value
        for row in rows
        for _column, value in zip(columns, row, strict=True)
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
