"""The deterministic analysis: the three blueprints' cycle times, CPM and clusters.

Figures use each task's likely duration; `h` is the flow's handoff delay and `s` its sync
overhead. The schedules come from the plans' forward pass (`plans.forward`), so every figure
here follows the same ready rule as the simulator and the run engine. What the analysis reports
(`analyse`) is defined here; how a blueprint orders tasks lives in `plans`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .graph import FlowGraph, derived_phases, hybrid_phases
from .model import Flow
from .plans import Plan, Slot, backward, cycle_time, forward, plan_for

ROUNDING = 9  # decimal places kept in reported figures: hides float noise, never a real digit


@dataclass(frozen=True, slots=True)
class Timing:
    """A task's place in the critical path method (on the parallel schedule)."""

    earliest_start: float
    earliest_finish: float
    latest_start: float
    latest_finish: float
    slack: float


@dataclass(frozen=True, slots=True)
class Cluster:
    keys: tuple[str, ...]
    saving: float


def sequential_schedule(g: FlowGraph) -> list[Slot]:
    """One task at a time in topological order (ties by key), a handoff between each."""
    return forward(plan_for(g, "sequential"), g.duration)


def parallel_schedule(g: FlowGraph) -> list[Slot]:
    """Every task as early as its hard predecessors allow (the CPM forward pass)."""
    return forward(plan_for(g, "parallel"), g.duration)


def hybrid_schedule(g: FlowGraph) -> list[Slot]:
    """Phases in order behind barriers (+ h + s); the parallel rule inside each phase."""
    return forward(plan_for(g, "hybrid"), g.duration)


def critical_path_method(
    plan: Plan, duration: Sequence[float], forward: Sequence[Slot]
) -> list[Timing]:
    """Latest start and finish by the plan's backward pass (CPM on the parallel plan), which
    takes away the same h and s as the forward pass added."""
    end = cycle_time(forward)
    latest_start, latest_finish = backward(plan, duration, end)
    tolerance = _tolerance(end)
    timings = []
    for i, slot in enumerate(forward):
        slack = latest_start[i] - slot.start
        timings.append(
            Timing(
                slot.start,
                slot.finish,
                latest_start[i],
                latest_finish[i],
                0.0 if abs(slack) <= tolerance else slack,
            )
        )
    return timings


def critical_path(g: FlowGraph, plan: Plan, timings: Sequence[Timing]) -> list[str]:
    """The chain of zero-slack tasks from start to end; where chains split, the lower key."""
    critical = [t.slack == 0.0 for t in timings]
    starts = [i for i in range(len(g.keys)) if critical[i] and not plan.preds[i]]
    if not starts:
        return []
    tolerance = _tolerance(max(t.earliest_finish for t in timings))
    node = min(starts, key=g.rank.__getitem__)
    path = [node]
    while True:
        finish = timings[node].earliest_finish
        tight = [
            u
            for u in plan.succs[node]
            if critical[u]
            and abs(timings[u].earliest_start - (finish + plan.delay(u))) <= tolerance
        ]
        if not tight:
            return [g.keys[i] for i in path]
        node = min(tight, key=g.rank.__getitem__)
        path.append(node)


def independent_clusters(g: FlowGraph) -> list[Cluster]:
    """Derived phases of two or more tasks, and the time running each in parallel saves."""
    clusters = []
    for tasks in derived_phases(g):
        if len(tasks) < 2:
            continue
        durations = [g.duration[i] for i in tasks]
        saving = sum(durations) + g.handoff * (len(tasks) - 1) - max(durations)
        clusters.append(Cluster(tuple(g.keys[i] for i in tasks), _round(saving)))
    return clusters


def topological_order(flow: Flow) -> list[str]:
    g = FlowGraph(flow)
    return [g.keys[i] for i in g.order]


def analyse(flow: Flow) -> dict[str, Any]:
    """Everything the analysis endpoint reports, from one indexing of the flow."""
    g = FlowGraph(flow)
    sequential = sequential_schedule(g)
    parallel_plan = plan_for(g, "parallel")
    parallel = forward(parallel_plan, g.duration)
    hybrid = hybrid_schedule(g)
    timings = critical_path_method(parallel_plan, g.duration, parallel)
    clusters = independent_clusters(g)
    return {
        "cycle_time": {
            "sequential": _round(cycle_time(sequential)),
            "parallel": _round(cycle_time(parallel)),
            "hybrid": _round(cycle_time(hybrid)),
        },
        "critical_path": critical_path(g, parallel_plan, timings),
        "tasks": {
            key: {
                "earliest_start": _round(t.earliest_start),
                "earliest_finish": _round(t.earliest_finish),
                "latest_start": _round(t.latest_start),
                "latest_finish": _round(t.latest_finish),
                "slack": _round(t.slack),
            }
            for key, t in zip(g.keys, timings, strict=True)
        },
        "phases": [[g.keys[i] for i in tasks] for tasks in hybrid_phases(g)],
        "phases_derived": not any(t.phase is not None for t in flow.tasks),
        "clusters": [list(c.keys) for c in clusters],
        "cluster_savings": [c.saving for c in clusters],
        "order": [g.keys[i] for i in g.order],
        "schedules": {
            name: {
                key: [_round(s.start), _round(s.finish)]
                for key, s in zip(g.keys, slots, strict=True)
            }
            for name, slots in (
                ("sequential", sequential),
                ("hybrid", hybrid),
                ("parallel", parallel),
            )
        },
    }


def _tolerance(scale: float) -> float:
    return 1e-9 * max(1.0, abs(scale))


def _round(value: float) -> float:
    rounded = round(value, ROUNDING)
    return 0.0 if rounded == 0 else rounded


__all__ = [
    "Cluster",
    "FlowGraph",
    "Slot",
    "Timing",
    "analyse",
    "critical_path",
    "critical_path_method",
    "cycle_time",
    "derived_phases",
    "hybrid_phases",
    "hybrid_schedule",
    "independent_clusters",
    "parallel_schedule",
    "sequential_schedule",
    "topological_order",
]
