"""Reads that the API, the pages and the commands share."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404

from designer import models
from designer.analysis import model as spec
from designer.analysis.cpm import analyse
from designer.analysis.document import flow_to_document


def flows_of(user: AbstractBaseUser) -> QuerySet[models.Flow]:
    """The flows a user may see: their own (others' flows do not exist for them)."""
    return models.Flow.objects.filter(owner=user).annotate(task_count=Count("tasks"))


def flows_with_cycle_times(
    user: AbstractBaseUser,
) -> list[tuple[models.Flow, dict[str, float]]]:
    """The user's flows with each blueprint's cycle time, as stored by the flow's last save:
    the flow list, in one query however many flows there are."""
    return [
        (flow, flow.cycle_times if flow.cycle_times is not None else flow_cycle_times(flow))
        for flow in flows_of(user)
    ]


def flow_cycle_times(flow: models.Flow) -> dict[str, float]:
    """Each blueprint's cycle time of the stored flow, computed (what a save stores)."""
    cycle_times: dict[str, float] = analyse(flow_spec(flow))["cycle_time"]
    return cycle_times


def flow_of(user: AbstractBaseUser, flow_id: int) -> models.Flow:
    return get_object_or_404(models.Flow.objects.filter(owner=user), pk=flow_id)


def flow_spec(flow: models.Flow) -> spec.Flow:
    """The stored flow as the analysis core's plain data, lists in the user's order.

    The rows are read in several queries, and a save may land between two of them. Every save
    moves the version in its own transaction, so a read that sees the same version before
    and after is one whole version; otherwise it is read again. `flow` is refreshed to the
    version read, so an ETag built from it names what was returned.
    """
    for _ in range(READ_ATTEMPTS - 1):
        flow.refresh_from_db()
        try:
            read = _flow_rows(flow)
        except KeyError:  # a dependency of a newer version than the tasks read
            continue
        if _version_of(flow) == flow.version:
            return read
    with transaction.atomic():
        # Saves contend for the same row lock, so none can land during this last read.
        models.Flow.objects.select_for_update().only("pk").get(pk=flow.pk)
        flow.refresh_from_db()
        return _flow_rows(flow)


READ_ATTEMPTS = 5


def _version_of(flow: models.Flow) -> int:
    return models.Flow.objects.values_list("version", flat=True).get(pk=flow.pk)


def _flow_rows(flow: models.Flow) -> spec.Flow:
    pools = list(flow.resources.all())
    phases = list(flow.phases.all())
    pool_names = {p.id: p.name for p in pools}
    phase_names = {p.id: p.name for p in phases}
    needs: dict[int, dict[str, int]] = {}
    for need in models.ResourceNeed.objects.filter(task__flow_id=flow.pk).order_by("id"):
        needs.setdefault(need.task_id, {})[pool_names[need.pool_id]] = need.units
    tasks = list(flow.tasks.all())
    task_keys = {t.id: t.key for t in tasks}
    return spec.Flow(
        name=flow.name,
        description=flow.description,
        time_unit=flow.time_unit,
        handoff_delay=flow.handoff_delay,
        sync_overhead=flow.sync_overhead,
        value_per_time_unit=flow.value_per_time_unit,
        resources=tuple(
            spec.ResourcePool(p.name, p.capacity, p.description, p.cost_per_unit) for p in pools
        ),
        phases=tuple(spec.Phase(p.name, p.description) for p in phases),
        tasks=tuple(
            spec.Task(
                key=t.key,
                name=t.name,
                description=t.description,
                duration=spec.Estimate(t.optimistic, t.likely, t.pessimistic),
                resources=needs.get(t.id, {}),
                phase=phase_names.get(t.phase_id) if t.phase_id else None,
                failure_rate=t.failure_rate,
                executor=t.executor,
                x=t.x,
                y=t.y,
            )
            for t in tasks
        ),
        dependencies=tuple(
            spec.Dependency(
                task_keys[d.source_id],
                task_keys[d.target_id],
                d.strength,
                d.note,  # type: ignore[arg-type]
            )
            for d in flow.dependencies.all()
        ),
    )


def flow_document(flow: models.Flow) -> dict[str, Any]:
    return flow_to_document(flow_spec(flow))


def flow_analysis(flow: models.Flow) -> dict[str, Any]:
    """The analysis of the stored flow (critical path, schedules, slack)."""
    return analyse(flow_spec(flow))
