"""The Celery app. Broker and behaviour come from CELERY_* settings in config/settings.py."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("visitbook")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
