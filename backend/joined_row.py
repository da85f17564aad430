"""One row and the rows its foreign keys lead to, read by a statement built once per process.

`select_related` compiles its query on every call: for the visit upload's
locked read of its assignment, with the version, branch and region it names,
that compiling was a fifth of the request's Python, for a statement whose text
never changes. `joined_row` builds that text once from the models' metadata and
turns the row into instances as the ORM does: every concrete column, the
backend's and each field's converters, the related instances cached on their
foreign keys, so reading `assignment.branch.region` costs no query.

What it does not do, on purpose: nullable foreign keys (no LEFT JOIN, so no
missing related row to represent), deferred fields or annotations.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django.db import connections, models, router


@dataclass(frozen=True)
class _Part:
    """One model of the row: its columns' slice, field names and converters."""

    model: type[models.Model]
    path: str  # "" for the row's own model, else the related path ("branch__region")
    parent_path: str
    foreign_key: models.ForeignKey | None  # the parent's field that leads here (or one-to-one)
    start: int
    stop: int
    names: tuple[str, ...]
    converters: tuple[tuple[int, tuple, object], ...]  # (position in the part, converters, column)


@dataclass(frozen=True)
class _Statement:
    sql: str
    parts: tuple[_Part, ...]


def joined_row(
    model: type[models.Model], pk, *, related: tuple[str, ...], lock: bool = False
) -> models.Model | None:
    """The `model` row with primary key `pk` and its `related` rows (paths as select_related's).

    With `lock`, only the row's own is locked (SELECT … FOR UPDATE OF), as
    `select_for_update(of=("self",))` does; where the database has no row locks
    (SQLite) there is no lock clause, as there the ORM has none either.
    """
    alias = router.db_for_write(model) if lock else router.db_for_read(model)
    connection = connections[alias]
    statement = _statement(model, related, lock, alias)
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, [model._meta.pk.get_db_prep_value(pk, connection)])
        row = cursor.fetchone()
    if row is None:
        return None
    instances: dict[str, models.Model] = {}
    for part in statement.parts:
        values = list(row[part.start : part.stop])
        for position, converters, column in part.converters:
            for converter in converters:
                values[position] = converter(values[position], column, connection)
        instance = part.model.from_db(alias, part.names, values)
        if part.foreign_key is not None:
            part.foreign_key.set_cached_value(instances[part.parent_path], instance)
        instances[part.path] = instance
    return instances[""]


@lru_cache(maxsize=32)
def _statement(
    model: type[models.Model], related: tuple[str, ...], lock: bool, alias: str
) -> _Statement:
    connection = connections[alias]
    quote = connection.ops.quote_name
    tables = {"": ("t0", model, "", None)}
    joins = []
    # Every path with its parents ("branch__region" reads the branch too), parents first.
    steps = {"__".join(p.split("__")[: n + 1]) for p in related for n in range(p.count("__") + 1)}
    for path in sorted(steps, key=lambda p: (p.count("__"), p)):
        parent_path, _, name = path.rpartition("__")
        parent_alias, parent_model, _, _ = tables[parent_path]
        field = parent_model._meta.get_field(name)
        if not (field.many_to_one or field.one_to_one and field.concrete) or field.null:
            raise ValueError(f"{path} is not a non-null foreign key of {parent_model.__name__}")
        table_alias = f"t{len(tables)}"
        target = field.related_model
        tables[path] = (table_alias, target, parent_path, field)
        joins.append(
            f"INNER JOIN {quote(target._meta.db_table)} {table_alias} ON "
            f"{table_alias}.{quote(field.target_field.column)} = "
            f"{parent_alias}.{quote(field.column)}"
        )
    columns: list[str] = []
    parts: list[_Part] = []
    for path, (table_alias, part_model, parent_path, foreign_key) in tables.items():
        fields = part_model._meta.concrete_fields
        converters = []
        for position, field in enumerate(fields):
            column = field.get_col(table_alias)
            found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
            if found:
                converters.append((position, tuple(found), column))
        parts.append(
            _Part(
                model=part_model,
                path=path,
                parent_path=parent_path,
                foreign_key=foreign_key,
                start=len(columns),
                stop=len(columns) + len(fields),
                names=tuple(field.attname for field in fields),
                converters=tuple(converters),
            )
        )
        columns += [f"{table_alias}.{quote(field.column)}" for field in fields]
    sql = (
        f"SELECT {', '.join(columns)} FROM {quote(model._meta.db_table)} t0 {' '.join(joins)} "
        f"WHERE t0.{quote(model._meta.pk.column)} = %s"
    )
    if lock and connection.features.has_select_for_update:
        sql += (
            " FOR UPDATE OF t0" if connection.features.has_select_for_update_of else " FOR UPDATE"
        )
    return _Statement(sql=sql, parts=tuple(parts))
