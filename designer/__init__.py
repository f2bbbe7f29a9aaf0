"""Vivido's Django project and design app.

`designer.celery_app` is the Celery app of the runs' steps, loaded on first use only: the
embedded default imports no Celery and needs no broker.
"""

from importlib import import_module
from typing import Any


def __getattr__(name: str) -> Any:
    if name == "celery_app":
        return import_module("designer.celery").app
    raise AttributeError(f"module 'designer' has no attribute {name!r}")
