"""Celery application. Without CELERY_BROKER_URL the settings make every task run eagerly."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "delmos.settings")

app = Celery("delmos")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
