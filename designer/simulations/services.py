"""Simulating a stored flow: a preview is computed and held, a kept result is stored.

The preview a user was shown is held server side (by flow version and parameters), so
"keep this result" stores those very figures instead of running the simulation again; the
client never sends figures, it only asks for the same parameters again.
"""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.cache import cache

from designer import models, selectors
from designer.analysis.model import Flow
from designer.analysis.simulation import Progress, WhatIf, constrained_schedules, simulate
from designer.simulations.selectors import preview_key, preview_shown

PREVIEW_SECONDS = 3600  # how long a preview stays on hand for "keep this result"


def what_if_of(overrides: dict[str, Any]) -> WhatIf:
    """The core's what-if from the API's overrides."""
    return WhatIf(
        capacities=overrides.get("capacities", {}),
        handoff_delay=overrides.get("handoff_delay"),
        sync_overhead=overrides.get("sync_overhead"),
    )


def simulation_compute(
    *,
    flow: models.Flow,
    iterations: int,
    seed: int | None,
    blueprints: list[str],
    max_retries: int,
    overrides: dict[str, Any],
    progress: Progress | None = None,
    flow_spec: Flow | None = None,
) -> dict[str, Any]:
    """Monte Carlo figures and the resource-constrained Gantt of each blueprint."""
    if flow_spec is None:
        flow_spec = selectors.flow_spec(flow)
    what_if = what_if_of(overrides)
    started = time.perf_counter()
    result = simulate(
        flow_spec,
        iterations=iterations,
        seed=seed,
        blueprints=blueprints,  # type: ignore[arg-type]
        max_retries=max_retries,
        what_if=what_if,
        progress=progress,
    )
    result["schedules"] = constrained_schedules(
        flow_spec,
        what_if=what_if,
        blueprints=blueprints,  # type: ignore[arg-type]
    )
    result["overrides"] = overrides
    result["flow_version"] = flow.version
    result["elapsed_seconds"] = round(time.perf_counter() - started, 4)
    return result


def simulation_preview(
    *, flow: models.Flow, flow_spec: Flow | None = None, **parameters: Any
) -> dict[str, Any]:
    """A simulation not kept: computed, and held for a while in case the user keeps it."""
    result = simulation_compute(flow=flow, flow_spec=flow_spec, **parameters)
    cache.set(preview_key(flow, parameters), result, PREVIEW_SECONDS)
    return result


def simulation_create(
    *,
    flow: models.Flow,
    user: AbstractBaseUser | None,
    progress: Progress | None = None,
    flow_spec: Flow | None = None,
    **parameters: Any,
) -> models.Simulation:
    """Keep a simulation: the preview shown for these parameters on this version of the
    flow when the server still holds it, else one computed now."""
    result = preview_shown(flow, parameters)
    if result is None:
        result = simulation_compute(flow=flow, progress=progress, flow_spec=flow_spec, **parameters)
    return models.Simulation.objects.create(
        flow=flow,
        created_by=user,
        flow_version=result["flow_version"],
        iterations=result["iterations"],
        seed=result["seed"],
        max_retries=result["max_retries"],
        blueprints=result["blueprints"],
        overrides=result["overrides"],
        result=result,
        elapsed_seconds=result["elapsed_seconds"],
    )
