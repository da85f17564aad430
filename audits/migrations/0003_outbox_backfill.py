"""Records, as outbox events, the work that the old after-commit calls lost.

Before the outbox a crash after a commit could leave a submitted visit without
its review checks (confidence null) or a received photo without its copies.
Each gets the event it would have had; drain_outbox (or Celery beat) runs them.
"""

from django.db import migrations


def enqueue_lost_work(apps, schema_editor):
    Event = apps.get_model("outbox", "Event")
    Visit = apps.get_model("audits", "Visit")
    Photo = apps.get_model("audits", "Photo")
    pending = set(Event.objects.filter(done_at__isnull=True).values_list("kind", "key"))
    wanted = [
        ("visit.checks", str(pk))
        for pk in Visit.objects.filter(status="submitted", confidence__isnull=True).values_list("pk", flat=True)
    ] + [
        ("photo.renditions", str(pk))
        for pk in Photo.objects.filter(received_at__isnull=False, thumb_name="").values_list("pk", flat=True)
    ]
    Event.objects.bulk_create(
        [Event(kind=kind, key=key) for kind, key in wanted if (kind, key) not in pending],
        batch_size=500,
    )


class Migration(migrations.Migration):

    dependencies = [
        ("audits", "0002_covering_indexes_for_reports"),
        ("outbox", "0001_events"),
    ]

    operations = [
        migrations.RunPython(enqueue_lost_work, migrations.RunPython.noop),
    ]
