"""Celery application. Without CELERY_BROKER_URL the settings make every task run eagerly."""

import os

from celery import Celery

from grants.tasks import TASK_MODULES

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "delmos.settings")

app = Celery("delmos")
app.config_from_object("django.conf:settings", namespace="CELERY")
# The task modules by name (grants.tasks imports none of them itself, see its docstring); the
# worker imports them once Django's apps are ready.
app.autodiscover_tasks(TASK_MODULES, related_name=None)
