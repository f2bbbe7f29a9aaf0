"""Optimising a flow's levelled schedule: the request's choices checked, the core solved.

The solver itself lives in `designer.analysis.optimise`; here the blueprint and time limit a
person asked for are refused by field when they are wrong, for the API, the pages and the
command line alike.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from designer.analysis.errors import FlowError
from designer.analysis.model import Flow
from designer.analysis.optimise import Progress, check_time_limit, optimise
from designer.analysis.scheduling import BLUEPRINTS

DEFAULT_TIME_LIMIT = 5.0


def read_choices(data: Any) -> tuple[str, float]:
    """The blueprint and the time limit from a request body, or a `FlowError` naming the field."""
    if not isinstance(data, dict):
        raise FlowError("send an object with blueprint and time_limit", field="blueprint")
    blueprint = data.get("blueprint", "parallel")
    if blueprint not in BLUEPRINTS:
        raise FlowError(f"blueprint must be one of {', '.join(BLUEPRINTS)}", field="blueprint")
    try:
        time_limit = check_time_limit(data.get("time_limit", DEFAULT_TIME_LIMIT))
    except ValueError as error:
        raise FlowError(str(error), field="time_limit") from None
    return blueprint, time_limit


def optimisation_compute(
    flow_spec: Flow,
    *,
    blueprint: str,
    time_limit: float,
    progress: Callable[[Progress], None] | None = None,
    stop: threading.Event | None = None,
) -> dict[str, Any]:
    """The optimised schedule of one blueprint, as the API reports it."""
    return optimise(
        flow_spec,
        blueprint,  # type: ignore[arg-type]
        time_limit=time_limit,
        progress=progress,
        stop=stop,
    ).as_dict()
