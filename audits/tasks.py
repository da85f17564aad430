"""Celery tasks of the audit pipeline. In the embedded default they run in-process."""

from celery import shared_task


@shared_task
def visit_checks_task(visit_id: str) -> None:
    from audits.models import Visit
    from audits.services.checks import visit_checks_run

    visit = Visit.objects.filter(pk=visit_id).first()
    if visit is not None:
        visit_checks_run(visit=visit)


@shared_task
def photo_renditions_task(photo_id: str) -> None:
    from audits.models import Photo
    from audits.services.photos import photo_renditions_make

    photo = Photo.objects.filter(pk=photo_id).first()
    if photo is not None:
        photo_renditions_make(photo=photo)
