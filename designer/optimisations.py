"""Optimising a flow's levelled schedule: the request's choices checked, the core solved.

The solver itself lives in `designer.analysis.optimise`; here the blueprint and time limit a
person asked for are refused by field when they are wrong, for the API, the pages and the
command line alike.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from designer.analysis.errors import FlowError
from designer.analysis.model import Flow
from designer.analysis.optimise import Progress, check_time_limit, optimise
from designer.analysis.plans import BLUEPRINTS
from designer.analysis.simulation import WhatIf, check_simulation

DEFAULT_TIME_LIMIT = 5.0
# What the pages give the solver per blueprint: most flows are proven well within it, and
# the rest show the best found with its distance from the bound.
OPTIMISE_PAGE_SECONDS = 3.0
# A stored flow's optimisation given more time than this runs as a background job (with
# progress and Cancel) instead of holding the request.
OPTIMISE_INLINE_SECONDS = 3.0


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


def with_overrides(flow_spec: Flow, overrides: Any) -> Flow:
    """The flow under the simulator's what-if (`{capacities, handoff_delay, sync_overhead}`),
    refused by field as the simulator refuses it; the stored flow is left alone."""
    if overrides in (None, {}):
        return flow_spec
    if not isinstance(overrides, dict):
        raise FlowError("overrides must be an object", field="overrides")
    capacities = overrides.get("capacities") or {}
    if not isinstance(capacities, dict):
        raise FlowError("overrides.capacities must be an object", field="overrides.capacities")
    what_if = WhatIf(
        capacities=capacities,
        handoff_delay=_number(overrides, "handoff_delay"),
        sync_overhead=_number(overrides, "sync_overhead"),
    )
    check_simulation(flow_spec, what_if=what_if)
    return replace(
        flow_spec,
        resources=tuple(
            replace(p, capacity=capacities.get(p.name, p.capacity)) for p in flow_spec.resources
        ),
        handoff_delay=flow_spec.handoff_delay
        if what_if.handoff_delay is None
        else what_if.handoff_delay,
        sync_overhead=flow_spec.sync_overhead
        if what_if.sync_overhead is None
        else what_if.sync_overhead,
    )


def _number(overrides: dict[str, Any], name: str) -> float | None:
    value = overrides.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FlowError(
            f"overrides.{name} must be a number of at least 0", field=f"overrides.{name}"
        )
    return float(value)


RUN_PLAN_SECONDS = 5.0  # the solver's time before a run that follows the optimised plan starts
RUN_PLAN_FIELDS = ("order", "tasks", "cycle_time", "status", "greedy_cycle_time", "lower_bound")


def run_plan(flow_spec: Flow, blueprint: str) -> dict[str, Any]:
    """The optimised plan a run follows: its start order (the engine's priority list) and
    its schedule (the dashboard's planned Gantt), with the figures that qualify it."""
    result = optimisation_compute(flow_spec, blueprint=blueprint, time_limit=RUN_PLAN_SECONDS)
    return {name: result[name] for name in RUN_PLAN_FIELDS}


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
