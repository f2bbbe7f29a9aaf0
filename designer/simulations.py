"""Simulating a stored flow: the what-if is read, the core runs, the result may be kept."""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import QuerySet

from designer import models, selectors
from designer.analysis.simulation import Progress, WhatIf, constrained_schedules, simulate


def simulation_compute(
    *,
    flow: models.Flow,
    iterations: int,
    seed: int | None,
    blueprints: list[str],
    max_retries: int,
    overrides: dict[str, Any],
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Monte Carlo figures and the resource-constrained Gantt of each blueprint."""
    flow_spec = selectors.flow_spec(flow)
    what_if = WhatIf(
        capacities=overrides.get("capacities", {}),
        handoff_delay=overrides.get("handoff_delay"),
        sync_overhead=overrides.get("sync_overhead"),
    )
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


def simulation_create(
    *, flow: models.Flow, user: AbstractBaseUser | None, **parameters: Any
) -> models.Simulation:
    """Run a simulation and keep its result."""
    result = simulation_compute(flow=flow, **parameters)
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


def simulations_of(flow: models.Flow) -> QuerySet[models.Simulation]:
    return flow.simulations.all()
