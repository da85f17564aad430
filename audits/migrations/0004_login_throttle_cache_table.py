from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    # Without CACHE_URL the cache (the login throttle's counters) is a database
    # table that no model describes; createcachetable makes it (and does nothing
    # when the cache is Redis), so `migrate` is the only set-up step.
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [
        ("audits", "0003_outbox_backfill"),
    ]

    operations = [
        migrations.RunPython(create_cache_table, migrations.RunPython.noop, elidable=False),
    ]
