"""The Celery app of the runs' steps, after Django's convention: `celery -A designer worker`
starts a worker, `celery -A designer beat` (or a worker with `-B`) the periodic sweep.

Every CELERY_* setting of designer/settings.py configures it. Importing this module
connects to nothing: the embedded default never needs a broker.
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "designer.settings")

app = Celery("designer")
app.config_from_object("django.conf:settings", namespace="CELERY")
# The steps live in runs/tasks.py; listed, not discovered, so a worker knows them at once.
app.conf.imports = ("runs.tasks",)
