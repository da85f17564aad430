"""The Celery app. Without CELERY_BROKER_URL tasks run eagerly in-process."""

import os

from celery import Celery
from celery.signals import before_task_publish, task_postrun, task_prerun

from backend import request_id

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")

app = Celery("backend")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# A task logs under the X-Request-ID of the request that sent it (backend/request_id.py).
before_task_publish.connect(request_id.task_publish_add_request_id, weak=False)
task_prerun.connect(request_id.task_prerun_set_request_id, weak=False)
task_postrun.connect(request_id.task_postrun_reset_request_id, weak=False)
