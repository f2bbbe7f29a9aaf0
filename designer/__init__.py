"""Vivido's Django project and design app.

`designer.celery_app` is the Celery app of the runs' steps, loaded on first use only: the
embedded default imports no Celery and needs no broker.
"""

from typing import Any


def __getattr__(name: str) -> Any:
    if name == "celery_app":
        from designer.celery import app

        return app
    raise AttributeError(f"module 'designer' has no attribute {name!r}")
