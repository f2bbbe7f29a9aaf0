"""Reads of simulations: kept results, background jobs, the cost estimate, stored previews."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.core.cache import cache
from django.db.models import QuerySet

from designer import models
from designer.analysis.model import Flow

# How much costlier a task-iteration is when pools bind (every iteration list-scheduled,
# many at once) than the forward pass over unlimited pools.
BINDING_POOL_FACTOR = 20


def simulations_of(flow: models.Flow) -> QuerySet[models.Simulation]:
    return flow.simulations.all()


def simulation_jobs_of(flow: models.Flow) -> QuerySet[models.SimulationJob]:
    return flow.simulation_jobs.all()


def job_state(job: models.SimulationJob) -> dict[str, Any]:
    state = {
        "job": job.pk,
        "state": job.state,
        "progress": round(job.progress, 4),
        "cost": job.cost,
        "simulation": job.simulation_id,
        "error": job.error,
    }
    if job.kind == models.SimulationJob.Kind.OPTIMISATION:
        state.update(kind=job.kind, result=job.result)
    return state


def pools_bind(flow_spec: Flow, capacities: dict[str, int]) -> bool:
    """Whether some pool is asked for more units, all tasks together, than it holds (so the
    list scheduler has choices to make)."""
    capacity = {p.name: capacities.get(p.name, p.capacity) for p in flow_spec.resources}
    demand: dict[str, int] = {}
    for task in flow_spec.tasks:
        for pool, units in task.resources.items():
            demand[pool] = demand.get(pool, 0) + units
    return any(units > capacity.get(pool, 0) for pool, units in demand.items())


def simulation_cost(
    flow_spec: Flow, *, iterations: int, blueprints: list[str], overrides: dict[str, Any]
) -> int:
    """Tasks × iterations × blueprints (+1 for criticality), × a factor when pools bind."""
    scheduled = len(blueprints) + 1
    factor = BINDING_POOL_FACTOR if pools_bind(flow_spec, overrides.get("capacities", {})) else 1
    return len(flow_spec.tasks) * iterations * scheduled * factor


def preview_key(flow: models.Flow, parameters: dict[str, Any]) -> str:
    """Where the preview of these parameters on this version of the flow is kept: the same
    request on the same version names the same figures."""
    asked = json.dumps(parameters, sort_keys=True, separators=(",", ":"), default=str)
    digest = hashlib.sha256(asked.encode()).hexdigest()[:32]
    return f"simulation-preview:{flow.pk}:{flow.version}:{digest}"


def preview_shown(flow: models.Flow, parameters: dict[str, Any]) -> dict[str, Any] | None:
    """The figures a preview of these parameters showed on the flow's current version, while
    the server still holds them; None otherwise."""
    found: dict[str, Any] | None = cache.get(preview_key(flow, parameters))
    return found
