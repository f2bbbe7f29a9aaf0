"""The Celery app of the runs' steps, after Django's convention: `celery -A designer worker`
starts a worker, `celery -A designer beat` (or a worker with `-B`) the periodic sweep.

Every CELERY_* setting of designer/settings.py configures it. Importing this module
connects to nothing: the embedded default never needs a broker.
"""

from __future__ import annotations

import os
from pathlib import Path

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "designer.settings")

app = Celery("designer")
app.config_from_object("django.conf:settings", namespace="CELERY")
# The steps live in runs/tasks.py; listed, not discovered, so a worker knows them at once.
app.conf.imports = ("runs.tasks",)


def _make_var_dir() -> None:
    """The beat keeps its schedule in VIVIDO_VAR_DIR, which a PostgreSQL set-up may not have
    made yet."""
    from django.conf import settings

    Path(settings.CELERY_BEAT_SCHEDULE_FILENAME).parent.mkdir(parents=True, exist_ok=True)


_make_var_dir()
