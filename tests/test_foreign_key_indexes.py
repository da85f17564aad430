"""The audits tables carry no index another one makes useless, and miss none a delete needs.

Every index on the visit tables is paid on every upload (an answer's 26 times per
visit), so a single-column index whose column already leads a wider index or
constraint is dropped (migration 0012); every foreign key must still lead one, or
deleting the row it points to would scan the whole table.
"""

import pytest
from django.apps import apps
from django.db import connection

pytestmark = pytest.mark.django_db


def _audits_models():
    return [model for model in apps.get_app_config("audits").get_models() if model._meta.managed]


def _indexes(table: str) -> list[tuple[str, list[str]]]:
    """(name, columns) of every index and unique or primary key constraint of `table`."""
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, table)
    return [
        (name, info["columns"])
        for name, info in found.items()
        if (info["index"] or info["unique"] or info["primary_key"]) and info["columns"]
    ]


def test_every_foreign_key_of_the_audits_tables_leads_an_index():
    unindexed = []
    for model in _audits_models():
        leads = {columns[0] for _, columns in _indexes(model._meta.db_table)}
        unindexed += [
            f"{model._meta.db_table}.{field.column}"
            for field in model._meta.local_fields
            if (field.many_to_one or field.one_to_one) and field.column not in leads
        ]
    assert unindexed == []


def test_no_single_column_index_of_the_audits_tables_repeats_the_lead_of_another():
    repeated = []
    for model in _audits_models():
        indexes = _indexes(model._meta.db_table)
        # A report index carries more columns (INCLUDE, which SQLite drops) to be read alone.
        covering = {index.name for index in model._meta.indexes if index.include}
        for name, columns in indexes:
            if len(columns) != 1 or name in covering:
                continue
            wider = [other for other, cols in indexes if len(cols) > 1 and cols[0] == columns[0]]
            if wider:
                repeated.append(f"{name} ({columns[0]}) is led by {wider}")
    assert repeated == [], "\n".join(repeated)
