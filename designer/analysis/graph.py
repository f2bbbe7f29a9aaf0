"""A flow as an indexed graph: topological order, cycles, levels and phases."""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from functools import cached_property

from .errors import FlowError
from .model import ORDERING_STRENGTHS, Flow, key_order


def topological_indices(
    keys: Sequence[str],
    successors: Sequence[Sequence[int]],
    rank: Sequence[int] | None = None,
) -> list[int]:
    """Kahn's order with ties broken by task key; a cycle raises `FlowError` naming it.

    `rank` is each task's position in key order, if the caller has it already.
    """
    indegree = [0] * len(keys)
    for succ in successors:
        for j in succ:
            indegree[j] += 1
    rank = rank if rank is not None else key_ranks(keys)
    ready = [(rank[i], i) for i, d in enumerate(indegree) if d == 0]
    heapq.heapify(ready)
    order: list[int] = []
    while ready:
        _, i = heapq.heappop(ready)
        order.append(i)
        for j in successors[i]:
            indegree[j] -= 1
            if indegree[j] == 0:
                heapq.heappush(ready, (rank[j], j))
    if len(order) < len(keys):
        left = [i for i, d in enumerate(indegree) if d > 0]
        cycle = find_cycle(left, successors)
        names = [keys[i] for i in cycle]
        raise FlowError(
            "dependency cycle: " + " → ".join([*names, names[0]]),
            field="dependencies",
            keys=names,
        )
    return order


def key_ranks(keys: Sequence[str]) -> list[int]:
    """Each key's position when the keys are sorted as a person reads them (T2 before T10)."""
    rank = [0] * len(keys)
    for position, i in enumerate(sorted(range(len(keys)), key=lambda i: key_order(keys[i]))):
        rank[i] = position
    return rank


def phase_positions(
    flow: Flow,
    order: Sequence[int],
    predecessors: Sequence[Sequence[int]],
    phases: dict[str, int],
) -> list[int]:
    """Each task's phase by position: its own, or for a task without one, the latest phase of
    its hard and soft predecessors (the first phase when it has none)."""
    placed = [0] * len(flow.tasks)
    for i in order:
        phase = flow.tasks[i].phase
        if phase is not None:
            placed[i] = phases[phase]
        else:
            placed[i] = max((placed[p] for p in predecessors[i]), default=0)
    return placed


def find_cycle(candidates: Sequence[int], successors: Sequence[Sequence[int]]) -> list[int]:
    """One cycle among `candidates` (the nodes Kahn could not order), as indices in edge order.

    Each such node keeps a predecessor that is also left over, so walking predecessors from
    any of them must repeat a node; the cycle is rotated to start at its smallest index so
    the message is the same whatever the walk began with.
    """
    inside = set(candidates)
    predecessor: dict[int, int] = {}
    for i in candidates:
        for j in successors[i]:
            if j in inside and j not in predecessor:
                predecessor[j] = i
    seen: dict[int, int] = {}
    walk: list[int] = []
    node = min(candidates)
    while node not in seen:
        seen[node] = len(walk)
        walk.append(node)
        node = predecessor[node]
    cycle = walk[seen[node] :][::-1]
    first = cycle.index(min(cycle))
    return cycle[first:] + cycle[:first]


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
        self.ordering_preds: list[list[int]] = [[] for _ in range(n)]
        for dep in flow.dependencies:
            a, b = self.index[dep.source], self.index[dep.target]
            if dep.strength == "hard":
                self.hard_preds[b].append(a)
                self.hard_succs[a].append(b)
            if dep.strength in ORDERING_STRENGTHS:
                ordering[a].append(b)
                self.ordering_preds[b].append(a)
        self.rank = key_ranks(self.keys)
        self.by_key = sorted(range(n), key=self.rank.__getitem__)
        self.order = topological_indices(self.keys, ordering, self.rank)

    @cached_property
    def levels(self) -> list[list[int]]:
        """One list per level of the hard graph (edges on the longest hard path to a task)."""
        return hard_levels(self.order, self.hard_preds, self.by_key)


def hard_levels(
    order: Sequence[int], hard_preds: Sequence[Sequence[int]], by_key: Sequence[int]
) -> list[list[int]]:
    """Tasks by level of the hard graph `hard_preds` (edges on the longest hard path to a
    task), each level in key order; `order` is any order with predecessors first."""
    level = [0] * len(by_key)
    for i in order:
        for p in hard_preds[i]:
            level[i] = max(level[i], level[p] + 1)
    levels: list[list[int]] = [[] for _ in range(max(level, default=-1) + 1)]
    for i in by_key:
        levels[level[i]].append(i)
    return levels


def derived_phases(g: FlowGraph) -> list[list[int]]:
    """One phase per level: the number of edges on the longest hard path reaching a task."""
    return g.levels


def hybrid_phases(g: FlowGraph) -> list[list[int]]:
    """The flow's own phases in order (empty ones dropped), or the derived ones if it has none.

    A task without a phase joins the latest phase of its predecessors (see `phase_positions`).
    """
    if not names_phases(g.flow):
        return derived_phases(g)
    return own_phases(g.flow, g.order, g.ordering_preds, g.by_key)


def names_phases(flow: Flow) -> bool:
    """Whether hybrid follows the flow's own phases (a task names one) or derives them."""
    return any(t.phase is not None for t in flow.tasks)


def own_phases(
    flow: Flow,
    order: Sequence[int],
    ordering_preds: Sequence[Sequence[int]],
    by_key: Sequence[int],
) -> list[list[int]]:
    """The flow's own phases in order, each in key order, empty ones dropped; a task without
    a phase placed by `phase_positions` over the ordering edges `ordering_preds`."""
    positions = {p.name: n for n, p in enumerate(flow.phases)}
    placed = phase_positions(flow, order, ordering_preds, positions)
    members: list[list[int]] = [[] for _ in flow.phases]
    for i in by_key:
        members[placed[i]].append(i)
    return [tasks for tasks in members if tasks]
