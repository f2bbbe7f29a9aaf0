"""The rules a flow must keep to be saved, analysed, simulated or run."""

from __future__ import annotations

import math

from .errors import FlowError
from .graph import topological_indices
from .model import ORDERING_STRENGTHS, Flow


def validate_flow(flow: Flow) -> None:
    """Raise `FlowError` for the first broken rule; checks run from local to global."""
    _unique("resource pool", [p.name for p in flow.resources], "resources", "name")
    _unique("phase", [p.name for p in flow.phases], "phases", "name")
    _unique("task key", [t.key for t in flow.tasks], "tasks", "key")
    pools = {p.name for p in flow.resources}
    phases = {p.name: i for i, p in enumerate(flow.phases)}
    _finite("handoff_delay", flow.handoff_delay)
    _finite("sync_overhead", flow.sync_overhead)
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
        for pool in task.resources:
            if pool not in pools:
                raise FlowError(
                    f"task {task.key} needs unknown resource pool {pool!r}",
                    field=f"tasks[{i}].resources.{pool}",
                    keys=[task.key],
                )
        if task.phase is not None and task.phase not in phases:
            raise FlowError(
                f"task {task.key} is in unknown phase {task.phase!r}",
                field=f"tasks[{i}].phase",
                keys=[task.key],
            )
    if any(t.phase is not None for t in flow.tasks):
        loose = [t.key for t in flow.tasks if t.phase is None]
        if loose:
            raise FlowError(
                "once phases are used every task needs one; without a phase: " + ", ".join(loose),
                field=f"tasks[{[t.key for t in flow.tasks].index(loose[0])}].phase",
                keys=loose,
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
    topological_indices([t.key for t in flow.tasks], successors)


def _finite(field: str, value: float) -> None:
    if not math.isfinite(value):
        raise FlowError(f"{field} must be a finite number (got {value})", field=field)


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
