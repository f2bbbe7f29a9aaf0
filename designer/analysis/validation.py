"""The rules a flow must keep to be saved, analysed, simulated or run."""

from __future__ import annotations

import math

from .errors import FlowError
from .graph import phase_positions, topological_indices
from .model import ORDERING_STRENGTHS, Flow


def validate_flow(flow: Flow) -> None:
    """Raise `FlowError` for the first broken rule; checks run from local to global."""
    _unique("resource pool", [p.name for p in flow.resources], "resources", "name")
    _unique("phase", [p.name for p in flow.phases], "phases", "name")
    _unique("task key", [t.key for t in flow.tasks], "tasks", "key")
    pools = {p.name: p.capacity for p in flow.resources}
    phases = {p.name: i for i, p in enumerate(flow.phases)}
    _finite("handoff_delay", flow.handoff_delay)
    _finite("sync_overhead", flow.sync_overhead)
    _rate("value_per_time_unit", flow.value_per_time_unit)
    for i, pool in enumerate(flow.resources):
        _rate(f"resources[{i}].cost_per_unit", pool.cost_per_unit)
    for i, task in enumerate(flow.tasks):
        d = task.duration
        for name, value in (
            ("duration.optimistic", d.optimistic),
            ("duration.likely", d.likely),
            ("duration.pessimistic", d.pessimistic),
            ("failure_rate", task.failure_rate),
            ("x", task.x),
            ("y", task.y),
        ):
            _finite(f"tasks[{i}].{name}", value)
        if not d.optimistic <= d.likely <= d.pessimistic:
            raise FlowError(
                f"task {task.key}: durations must keep optimistic ≤ likely ≤ pessimistic "
                f"(got {d.optimistic:g}, {d.likely:g}, {d.pessimistic:g})",
                field=f"tasks[{i}].duration",
                keys=[task.key],
            )
        for need in task.resources:
            if need not in pools:
                raise FlowError(
                    f"task {task.key} needs unknown resource pool {need!r}",
                    field=f"tasks[{i}].resources.{need}",
                    keys=[task.key],
                )
        if task.phase is not None and task.phase not in phases:
            raise FlowError(
                f"task {task.key} is in unknown phase {task.phase!r}",
                field=f"tasks[{i}].phase",
                keys=[task.key],
            )
    index = {t.key: i for i, t in enumerate(flow.tasks)}
    successors: list[list[int]] = [[] for _ in flow.tasks]
    pairs: set[tuple[str, str]] = set()
    for n, dep in enumerate(flow.dependencies):
        where = f"dependencies[{n}]"
        for end, key in (("from", dep.source), ("to", dep.target)):
            if key not in index:
                raise FlowError(
                    f"dependency {dep.source} → {dep.target} names unknown task {key}",
                    field=f"{where}.{end}",
                    keys=[key],
                )
        if dep.source == dep.target:
            raise FlowError(
                f"task {dep.source} cannot depend on itself", field=where, keys=[dep.source]
            )
        if (dep.source, dep.target) in pairs:
            raise FlowError(
                f"duplicate dependency {dep.source} → {dep.target}",
                field=where,
                keys=[dep.source, dep.target],
            )
        pairs.add((dep.source, dep.target))
        if dep.strength not in ORDERING_STRENGTHS:
            continue
        source, target = flow.tasks[index[dep.source]], flow.tasks[index[dep.target]]
        if (
            source.phase is not None
            and target.phase is not None
            and phases[source.phase] > phases[target.phase]
        ):
            raise FlowError(
                f"dependency {dep.source} → {dep.target} points from phase "
                f"{source.phase!r} back to the earlier phase {target.phase!r}",
                field=where,
                keys=[dep.source, dep.target],
            )
        successors[index[dep.source]].append(index[dep.target])
    order = topological_indices([t.key for t in flow.tasks], successors)
    if any(t.phase is not None for t in flow.tasks):
        _check_inferred_phases(flow, order, successors, phases)


def check_needs_fit(flow: Flow) -> None:
    """A task that needs more units than its pool holds could never start: refuse it where
    people enter data (the wizard and editor save, an import), naming the field.

    Kept apart from `validate_flow` so a flow stored before this rule still loads, and the
    simulator and the run engine refuse it with the same message when asked to schedule it.
    """
    capacity = {p.name: p.capacity for p in flow.resources}
    for i, task in enumerate(flow.tasks):
        for pool, units in task.resources.items():
            if pool in capacity and units > capacity[pool]:
                raise FlowError(
                    f"task {task.key} needs {units} units of pool {pool!r}, "
                    f"which has a capacity of {capacity[pool]}",
                    field=f"tasks[{i}].resources.{pool}",
                    keys=[task.key],
                )


def _check_inferred_phases(
    flow: Flow, order: list[int], successors: list[list[int]], phases: dict[str, int]
) -> None:
    """A task without a phase follows its predecessors into theirs; that must not put it
    after a successor's phase (a later phase feeding an earlier one through it)."""
    predecessors: list[list[int]] = [[] for _ in flow.tasks]
    for i, after in enumerate(successors):
        for j in after:
            predecessors[j].append(i)
    placed = phase_positions(flow, order, predecessors, phases)
    names = [p.name for p in flow.phases]
    for i in order:
        for j in successors[i]:
            if placed[i] > placed[j]:
                source, target = flow.tasks[i], flow.tasks[j]
                raise FlowError(
                    f"dependency {source.key} → {target.key} points from phase "
                    f"{names[placed[i]]!r} back to the earlier phase {names[placed[j]]!r} "
                    f"({source.key} has no phase and follows its predecessors into "
                    f"{names[placed[i]]!r})",
                    field="dependencies",
                    keys=[source.key, target.key],
                )


def _finite(field: str, value: float) -> None:
    if not math.isfinite(value):
        raise FlowError(f"{field} must be a finite number (got {value})", field=field)


def _rate(field: str, value: float | None) -> None:
    """An optional cost or value: unset, or a finite number of at least 0."""
    if value is not None and not (math.isfinite(value) and value >= 0):
        raise FlowError(f"{field} must be a finite number of at least 0 (got {value})", field=field)


def _unique(what: str, names: list[str], collection: str, attribute: str) -> None:
    seen: set[str] = set()
    for i, name in enumerate(names):
        if name in seen:
            raise FlowError(
                f"duplicate {what}: {name}",
                field=f"{collection}[{i}].{attribute}",
                keys=[name] if collection == "tasks" else [],
            )
        seen.add(name)
