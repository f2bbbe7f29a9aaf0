"""Graph primitives over task indices: topological order and cycle finding."""

from __future__ import annotations

import heapq
from collections.abc import Sequence

from .errors import FlowError
from .model import key_order


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
