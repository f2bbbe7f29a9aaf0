"""Every write to a flow goes through here: validated first, then saved in one transaction."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

from designer import models, selectors
from designer.analysis import model as spec
from designer.analysis.assessment import STEPS
from designer.analysis.cpm import analyse
from designer.analysis.document import flow_from_document
from designer.analysis.validation import check_needs_fit
from designer.errors import LimitExceeded, VersionConflict
from designer.examples import example_assessments, example_documents

# Fields of the flow itself, shared by the document and the flow resource.
SETTINGS_FIELDS = (
    "name",
    "description",
    "time_unit",
    "handoff_delay",
    "sync_overhead",
    "value_per_time_unit",
)


def flow_create(*, owner: AbstractBaseUser, name: str, **fields: Any) -> models.Flow:
    """An empty flow; its settings were validated by the caller's serializer."""
    flow = models.Flow(owner=owner, name=name, **fields)
    flow.cycle_times = _cycle_times(_settings_only(flow))
    flow.save()
    return flow


def flow_import(
    *, owner: AbstractBaseUser, document: object, needs_fit: bool = False
) -> models.Flow:
    """A new flow from a flow document, whole or not at all.

    `needs_fit` also refuses a task needing more of a pool than it holds: the API's import
    asks for it; copies of stored flows and fixtures do not, so older flows still load.
    """
    flow_spec = flow_read(document)
    if needs_fit:
        check_needs_fit(flow_spec)
    with transaction.atomic():
        flow = models.Flow.objects.create(
            owner=owner, cycle_times=_cycle_times(flow_spec), **_settings_of(flow_spec)
        )
        _write_graph(flow, flow_spec)
    return flow


def flow_graph_replace(
    *, flow: models.Flow, document: object, expected_version: int | Collection[int] | None
) -> models.Flow:
    """Replace a flow's whole graph and settings, if nobody saved since `expected_version`.

    The version is compared under the row lock, so of two saves from the same version
    exactly one wins and the other gets `VersionConflict` with nothing changed.
    `expected_version` may be several versions (an `If-Match` list: any one will do);
    `None` means the client sent `If-Match: *`.
    """
    flow_spec = flow_read(document)
    check_needs_fit(flow_spec)  # the editor and wizard save here: refuse what cannot run
    with transaction.atomic():
        locked = models.Flow.objects.select_for_update().get(pk=flow.pk)
        if expected_version is not None:
            _check_version(locked.version, expected_version)
        for kind in (locked.dependencies, locked.tasks, locked.phases, locked.resources):
            kind.all().delete()
        for name, value in _settings_of(flow_spec).items():
            setattr(locked, name, value)
        locked.version += 1
        locked.cycle_times = _cycle_times(flow_spec)
        locked.save()
        _write_graph(locked, flow_spec)
    return locked


def _check_version(current: int, expected: int | Collection[int]) -> None:
    allowed = {expected} if isinstance(expected, int) else set(expected)
    if current in allowed:
        return
    if len(allowed) == 1:
        message = (
            f"the flow was saved by someone else: it is at version {current}, "
            f"this change was made on version {next(iter(allowed))}"
        )
    else:
        message = f'If-Match does not name the flow\'s current ETag "v{current}"'
    raise VersionConflict(message, current_version=current)


def flow_update(
    *, flow: models.Flow, expected_version: int | Collection[int] | None = None, **fields: Any
) -> models.Flow:
    """Change a flow's settings (name, time unit, delays, the value of time); a new version
    like any edit, and `updated_at` moves. `expected_version` as for `flow_graph_replace`;
    None (no If-Match, or `*`) changes whatever version is current."""
    unknown = set(fields) - set(SETTINGS_FIELDS)
    if unknown:
        raise ValueError(f"not a flow setting: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        locked = models.Flow.objects.select_for_update().get(pk=flow.pk)
        if expected_version is not None:
            _check_version(locked.version, expected_version)
        graph = selectors.flow_spec(locked)  # read before the change: it refreshes `locked`
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.version += 1
        locked.cycle_times = _cycle_times(replace(graph, **fields))
        locked.save()
    flow.refresh_from_db()
    return flow


def flow_duplicate(*, flow: models.Flow, owner: AbstractBaseUser) -> models.Flow:
    """A copy of a flow under a new name, graph and settings alike."""
    document = selectors.flow_document(flow)
    document["name"] = f"{flow.name} (copy)"[:200]
    return flow_import(owner=owner, document=document)


def flow_delete(*, flow: models.Flow) -> None:
    flow.delete()


def flow_examples_load(*, owner: AbstractBaseUser) -> list[tuple[models.Flow, bool]]:
    """The example flows for `owner`, each with its completed assessment; a flow the owner
    already has by name is left as it is."""
    answers = example_assessments()
    loaded = []
    for document in example_documents():
        existing = models.Flow.objects.filter(owner=owner, name=document["name"]).first()
        if existing is not None:
            loaded.append((existing, False))
            continue
        with transaction.atomic():
            flow = flow_import(owner=owner, document=document)
            if document["name"] in answers:
                _assessment_complete(flow, answers[document["name"]])
        loaded.append((flow, True))
    return loaded


def _assessment_complete(flow: models.Flow, answers: dict[str, Any]) -> None:
    steps = {str(n): {"revision": n, "version": flow.version} for n, _ in STEPS}
    models.Assessment.objects.create(
        flow=flow, answers=answers, progress={"revision": len(STEPS), "steps": steps}
    )


def flow_read(document: object) -> spec.Flow:
    """A flow document checked against this deployment's limits and the method's rules."""
    if isinstance(document, dict):
        # Count before the full check: a huge document is refused without the work.
        tasks, dependencies = document.get("tasks"), document.get("dependencies")
        _check_limits(
            len(tasks) if isinstance(tasks, list) else 0,
            len(dependencies) if isinstance(dependencies, list) else 0,
        )
    return flow_from_document(document)


def _check_limits(tasks: int, dependencies: int) -> None:
    if tasks > settings.VIVIDO_MAX_TASKS_PER_FLOW:
        raise LimitExceeded(
            f"a flow may have at most {settings.VIVIDO_MAX_TASKS_PER_FLOW} tasks; "
            f"this one has {tasks}",
            field="tasks",
        )
    if dependencies > settings.VIVIDO_MAX_DEPENDENCIES_PER_FLOW:
        raise LimitExceeded(
            f"a flow may have at most {settings.VIVIDO_MAX_DEPENDENCIES_PER_FLOW} "
            f"dependencies; this one has {dependencies}",
            field="dependencies",
        )


def _cycle_times(flow_spec: spec.Flow) -> dict[str, float]:
    """What the flow list shows of a flow, stored with every version of it."""
    cycle_times: dict[str, float] = analyse(flow_spec)["cycle_time"]
    return cycle_times


def _settings_only(flow: models.Flow) -> spec.Flow:
    """A flow with no tasks yet, as the core sees it."""
    return spec.Flow(**{name: getattr(flow, name) for name in SETTINGS_FIELDS})


def _settings_of(flow_spec: spec.Flow) -> dict[str, Any]:
    return {name: getattr(flow_spec, name) for name in SETTINGS_FIELDS}


def _write_graph(flow: models.Flow, flow_spec: spec.Flow) -> None:
    pools = models.ResourcePool.objects.bulk_create(
        models.ResourcePool(
            flow=flow,
            name=p.name,
            capacity=p.capacity,
            description=p.description,
            cost_per_unit=p.cost_per_unit,
            position=n,
        )
        for n, p in enumerate(flow_spec.resources)
    )
    phases = models.Phase.objects.bulk_create(
        models.Phase(flow=flow, name=p.name, description=p.description, position=n)
        for n, p in enumerate(flow_spec.phases)
    )
    phase_by_name = {p.name: p for p in phases}
    tasks = models.Task.objects.bulk_create(
        models.Task(
            flow=flow,
            key=t.key,
            name=t.name,
            description=t.description,
            optimistic=t.duration.optimistic,
            likely=t.duration.likely,
            pessimistic=t.duration.pessimistic,
            phase=phase_by_name[t.phase] if t.phase is not None else None,
            failure_rate=t.failure_rate,
            executor=t.executor,
            x=t.x,
            y=t.y,
            position=n,
        )
        for n, t in enumerate(flow_spec.tasks)
    )
    pool_by_name = {p.name: p for p in pools}
    task_by_key = {t.key: t for t in tasks}
    models.ResourceNeed.objects.bulk_create(
        models.ResourceNeed(task=task, pool=pool_by_name[name], units=units)
        for t, task in zip(flow_spec.tasks, tasks, strict=True)
        for name, units in t.resources.items()
    )
    models.Dependency.objects.bulk_create(
        models.Dependency(
            flow=flow,
            source=task_by_key[d.source],
            target=task_by_key[d.target],
            strength=d.strength,
            note=d.note,
            position=n,
        )
        for n, d in enumerate(flow_spec.dependencies)
    )
