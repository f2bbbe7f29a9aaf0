"""Cycle times of the three blueprints, derived phases, CPM and independent clusters.

Deterministic figures use each task's likely duration; `h` is the flow's handoff delay and
`s` its sync overhead. The definitions are those of the design document, word for word:
the simulator and the run engine take their schedules from here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from .graph import key_ranks, topological_indices
from .model import ORDERING_STRENGTHS, Flow

ROUNDING = 9  # decimal places kept in reported figures: hides float noise, never a real digit


@dataclass(frozen=True, slots=True)
class Slot:
    start: float
    finish: float


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


class FlowGraph:
    """A flow indexed once for the passes below: tasks by position, hard edges as lists."""

    def __init__(self, flow: Flow):
        self.flow = flow
        self.keys = [t.key for t in flow.tasks]
        self.index = {k: i for i, k in enumerate(self.keys)}
        self.duration = [t.duration.likely for t in flow.tasks]
        self.handoff = flow.handoff_delay
        self.sync = flow.sync_overhead
        n = len(self.keys)
        self.hard_preds: list[list[int]] = [[] for _ in range(n)]
        self.hard_succs: list[list[int]] = [[] for _ in range(n)]
        ordering: list[list[int]] = [[] for _ in range(n)]
        for dep in flow.dependencies:
            a, b = self.index[dep.source], self.index[dep.target]
            if dep.strength == "hard":
                self.hard_preds[b].append(a)
                self.hard_succs[a].append(b)
            if dep.strength in ORDERING_STRENGTHS:
                ordering[a].append(b)
        self.rank = key_ranks(self.keys)
        self.by_key = sorted(range(n), key=self.rank.__getitem__)
        self.order = topological_indices(self.keys, ordering, self.rank)

    @cached_property
    def levels(self) -> list[list[int]]:
        """One list per level of the hard graph (edges on the longest hard path to a task)."""
        level = [0] * len(self.keys)
        for i in self.order:
            for p in self.hard_preds[i]:
                level[i] = max(level[i], level[p] + 1)
        levels: list[list[int]] = [[] for _ in range(max(level, default=-1) + 1)]
        for i in self.by_key:
            levels[level[i]].append(i)
        return levels


def sequential_schedule(g: FlowGraph) -> list[Slot]:
    """One task at a time in topological order (ties by key), a handoff between each."""
    slots: list[Slot] = [Slot(0.0, 0.0)] * len(g.keys)
    clock = 0.0
    for n, i in enumerate(g.order):
        start = clock + g.handoff if n else 0.0
        clock = start + g.duration[i]
        slots[i] = Slot(start, clock)
    return slots


def parallel_schedule(g: FlowGraph) -> list[Slot]:
    """Every task as early as its hard predecessors allow (the CPM forward pass)."""
    slots: list[Slot] = [Slot(0.0, 0.0)] * len(g.keys)
    _forward(g, g.order, 0.0, g.hard_preds, slots)
    return slots


def _forward(
    g: FlowGraph,
    order: Sequence[int],
    floor: float,
    preds: Sequence[Sequence[int]],
    slots: list[Slot],
) -> None:
    """The parallel rule, filling `slots`: after the latest predecessor + h, + s at a join;
    a task with no predecessor starts at `floor`."""
    for i in order:
        before = preds[i]
        if before:
            start = max(slots[p].finish for p in before) + g.handoff
            if len(before) > 1:
                start += g.sync
        else:
            start = floor
        slots[i] = Slot(start, start + g.duration[i])


def derived_phases(g: FlowGraph) -> list[list[int]]:
    """One phase per level: the number of edges on the longest hard path reaching a task."""
    return g.levels


def hybrid_phases(g: FlowGraph) -> list[list[int]]:
    """The flow's own phases in order (empty ones dropped), or the derived ones if it has none."""
    if not any(t.phase is not None for t in g.flow.tasks):
        return derived_phases(g)
    members: dict[str, list[int]] = {p.name: [] for p in g.flow.phases}
    for i in g.by_key:
        phase = g.flow.tasks[i].phase
        assert phase is not None  # validation: once phases are used, every task has one
        members[phase].append(i)
    return [tasks for tasks in members.values() if tasks]


def hybrid_schedule(g: FlowGraph) -> list[Slot]:
    """Phases in order behind barriers (+ h + s); the parallel rule inside each phase."""
    phases = hybrid_phases(g)
    phase_of = [0] * len(g.keys)
    for n, tasks in enumerate(phases):
        for i in tasks:
            phase_of[i] = n
    inner = [[p for p in g.hard_preds[i] if phase_of[p] == phase_of[i]] for i in range(len(g.keys))]
    orders: list[list[int]] = [[] for _ in phases]
    for i in g.order:
        orders[phase_of[i]].append(i)
    slots: list[Slot] = [Slot(0.0, 0.0)] * len(g.keys)
    start = 0.0
    for n, order in enumerate(orders):
        if n:
            start = max(slots[i].finish for i in orders[n - 1]) + g.handoff + g.sync
        _forward(g, order, start, inner, slots)
    return slots


def cycle_time(slots: Sequence[Slot]) -> float:
    return max((s.finish for s in slots), default=0.0)


def critical_path_method(g: FlowGraph, forward: Sequence[Slot]) -> list[Timing]:
    """Latest start and finish by the backward pass, which takes away the same h and s."""
    end = cycle_time(forward)
    latest_finish = [end] * len(g.keys)
    latest_start = [0.0] * len(g.keys)
    for i in reversed(g.order):
        succs = g.hard_succs[i]
        if succs:
            latest_finish[i] = min(
                latest_start[u] - g.handoff - (g.sync if len(g.hard_preds[u]) > 1 else 0.0)
                for u in succs
            )
        latest_start[i] = latest_finish[i] - g.duration[i]
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


def critical_path(g: FlowGraph, timings: Sequence[Timing]) -> list[str]:
    """The chain of zero-slack tasks from start to end; where chains split, the lower key."""
    critical = [t.slack == 0.0 for t in timings]
    starts = [i for i in range(len(g.keys)) if critical[i] and not g.hard_preds[i]]
    if not starts:
        return []
    tolerance = _tolerance(max(t.earliest_finish for t in timings))
    node = min(starts, key=g.rank.__getitem__)
    path = [node]
    while True:
        finish = timings[node].earliest_finish
        tight = [
            u
            for u in g.hard_succs[node]
            if critical[u]
            and abs(
                timings[u].earliest_start
                - (finish + g.handoff + (g.sync if len(g.hard_preds[u]) > 1 else 0.0))
            )
            <= tolerance
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
    parallel = parallel_schedule(g)
    hybrid = hybrid_schedule(g)
    timings = critical_path_method(g, parallel)
    clusters = independent_clusters(g)
    return {
        "cycle_time": {
            "sequential": _round(cycle_time(sequential)),
            "parallel": _round(cycle_time(parallel)),
            "hybrid": _round(cycle_time(hybrid)),
        },
        "critical_path": critical_path(g, timings),
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
