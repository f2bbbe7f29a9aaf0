"""What the page scripts and the server must agree on: the task key pattern, the time units
and their abbreviations, the blueprints, the failure policies and the executors a task can
have (the built-in ones and the deployer's registered actions). Every page carries them as
JSON (templates/base.html), taken from the server's own constants, so no script keeps a copy.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from designer.analysis.model import BUILTIN_EXECUTORS, KEY_PATTERN, TIME_UNITS, UNIT_ABBREVIATIONS
from designer.analysis.plans import BLUEPRINTS
from runs.models import POLICIES


def executors() -> list[str]:
    """The executors a task may name: the built-in ones, then the registered actions."""
    return [*BUILTIN_EXECUTORS, *(a for a in settings.VIVIDO_ACTIONS if a not in BUILTIN_EXECUTORS)]


def page_constants() -> dict[str, Any]:
    """The constants as the page scripts read them (static/js/constants.js)."""
    return {
        "key_pattern": KEY_PATTERN,
        "time_units": [{"name": u, "abbreviation": UNIT_ABBREVIATIONS[u]} for u in TIME_UNITS],
        "blueprints": [{"name": b, "label": b.capitalize()} for b in BLUEPRINTS],
        "failure_policies": [{"name": name, "label": label} for name, label in POLICIES],
        "executors": executors(),
    }


def context(request: HttpRequest) -> dict[str, Any]:
    """Template context processor: `vivido_constants` for base.html's JSON."""
    return {"vivido_constants": page_constants()}
