"""Plans: what each blueprint lets a task wait for, and who starts next.

One `Plan` per blueprint holds the rule of the design document — a task is ready when its
predecessors have finished, plus the handoff delay, plus the sync overhead at a join, and
not before its phase has started. The rule is written once, in `Plan.ready_time` and
`Plan.phase_opens` (its mirror for the backward pass in `Plan.latest_finish`), and every
pass calls it: the deterministic schedules (`forward`, `backward`), the Monte Carlo
simulator (the same functions over arrays of sampled durations), the resource-constrained
list scheduler (`list_schedule`) and the run engine's question of what may start now
(`startable`). The CPM figures built on these passes are in `cpm`.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol, TypeVar

import numpy as np
from numpy.typing import NDArray

from .errors import FlowError
from .graph import FlowGraph, hybrid_phases

Blueprint = Literal["sequential", "hybrid", "parallel"]
BLUEPRINTS: tuple[Blueprint, ...] = ("sequential", "hybrid", "parallel")

# A time: one float for one schedule, or an array of them for many iterations at once.
Time = TypeVar("Time", float, NDArray[np.float64])
_Time_co = TypeVar("_Time_co", float, NDArray[np.float64], covariant=True)


class Times(Protocol[_Time_co]):
    """Times by task index: a list of floats, or the rows (tasks × iterations) of an array."""

    def __getitem__(self, i: int, /) -> _Time_co: ...


def _later(a: Time, b: Time) -> Time:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return np.maximum(a, b)
    return a if a >= b else b


def _earlier(a: Time, b: Time) -> Time:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return np.minimum(a, b)
    return a if a <= b else b


@dataclass(frozen=True, slots=True)
class Slot:
    start: float
    finish: float


@dataclass(frozen=True, slots=True)
class Plan:
    """How one blueprint orders a flow's tasks, by task index.

    `preds[i]` must all finish before task i is ready; `phases` are groups run one after
    another behind a barrier (one group holding every task when there is no barrier), each
    with its tasks in topological order.
    """

    blueprint: Blueprint
    preds: list[list[int]]
    succs: list[list[int]]
    phases: list[list[int]]
    phase_of: list[int]
    handoff: float
    sync: float
    rank: list[int]

    def delay(self, i: int) -> float:
        """What a task waits after its last predecessor finishes: h, plus s at a join."""
        return self.handoff + (self.sync if len(self.preds[i]) > 1 else 0.0)

    def phase_opens(self, last_finish: Time, scale: float = 1.0) -> Time:
        """When a phase opens: h + s after the last task of the phase before it finishes
        (delays multiplied by `scale`, the run engine's seconds per time unit)."""
        return last_finish + self.handoff * scale + self.sync * scale

    def ready_time(self, i: int, finish: Times[Time], opens: Time, scale: float = 1.0) -> Time:
        """The ready rule, the one every pass uses: task i may start `delay(i)` after its
        last predecessor finishes, and not before its phase opens at `opens`.

        Generic over the time: floats for one schedule (`forward`, `list_schedule`,
        `startable`) or arrays for every iteration at once (`forward_many`); `finish` need
        only hold the predecessors' finishes.
        """
        before = self.preds[i]
        if not before:
            return opens
        last = finish[before[0]]
        for p in before[1:]:
            last = _later(last, finish[p])
        return _later(opens, last + self.delay(i) * scale)

    def latest_finish(self, i: int, latest_start: Times[Time], end: Time) -> Time:
        """The backward pass's rule, the mirror of `ready_time`: task i must finish by the
        delay before its tightest successor's latest start, or by `end` if none follows.
        Generic over the time like `ready_time`; `latest_start` need only hold the
        successors'."""
        after = self.succs[i]
        if not after:
            return end
        finish = latest_start[after[0]] - self.delay(after[0])
        for u in after[1:]:
            finish = _earlier(finish, latest_start[u] - self.delay(u))
        return finish

    def remaining(self, i: int, rest: Times[Time], duration: Time) -> Time:
        """Task i's duration plus the longest chain after it of delays and durations (the
        list scheduler's priority), from its successors' own; generic like `ready_time`."""
        after = self.succs[i]
        if not after:
            return duration + 0.0
        tail = self.delay(after[0]) + rest[after[0]]
        for u in after[1:]:
            tail = _later(tail, self.delay(u) + rest[u])
        return duration + tail


def plan_for(
    g: FlowGraph,
    blueprint: Blueprint,
    *,
    handoff: float | None = None,
    sync: float | None = None,
) -> Plan:
    """The plan of a blueprint; `handoff` and `sync` override the flow's own for a what-if."""
    n = len(g.keys)
    preds: list[list[int]]
    phases: list[list[int]]
    succs: list[list[int]] | None = None
    if blueprint == "sequential":
        preds = [[] for _ in range(n)]
        for first, then in zip(g.order, g.order[1:], strict=False):
            preds[then] = [first]
        phases = [list(g.order)]
    elif blueprint == "parallel":
        preds, succs = g.hard_preds, g.hard_succs  # shared, never changed
        phases = [list(g.order)]
    elif blueprint == "hybrid":
        preds, phases = hybrid_layout(hybrid_phases(g), g.order, g.hard_preds)
    else:
        raise ValueError(f"unknown blueprint {blueprint!r}")
    return plan_of(
        blueprint,
        preds,
        phases,
        handoff=g.handoff if handoff is None else handoff,
        sync=g.sync if sync is None else sync,
        rank=g.rank,
        succs=succs,
    )


def hybrid_layout(
    groups: Sequence[Sequence[int]], order: Sequence[int], hard_preds: Sequence[Sequence[int]]
) -> tuple[list[list[int]], list[list[int]]]:
    """Hybrid's predecessors (a task's hard ones inside its own phase: the barrier orders the
    rest) and its phases (`groups`, each in `order`, predecessors first)."""
    group_of = [0] * len(order)
    for k, tasks in enumerate(groups):
        for i in tasks:
            group_of[i] = k
    preds = [
        [p for p in before if group_of[p] == group_of[i]] for i, before in enumerate(hard_preds)
    ]
    phases: list[list[int]] = [[] for _ in groups]
    for i in order:
        phases[group_of[i]].append(i)
    return preds, phases


def plan_of(
    blueprint: Blueprint,
    preds: list[list[int]],
    phases: list[list[int]],
    *,
    handoff: float,
    sync: float,
    rank: list[int],
    succs: list[list[int]] | None = None,
) -> Plan:
    """A plan from its predecessors and phases; the successors are derived unless given."""
    n = len(preds)
    phase_of = [0] * n
    for k, members in enumerate(phases):
        for i in members:
            phase_of[i] = k
    if succs is None:
        succs = [[] for _ in range(n)]
        for task, before in enumerate(preds):
            for p in before:
                succs[p].append(task)
    return Plan(
        blueprint=blueprint,
        preds=preds,
        succs=succs,
        phases=phases,
        phase_of=phase_of,
        handoff=handoff,
        sync=sync,
        rank=rank,
    )


def forward(plan: Plan, duration: Sequence[float]) -> list[Slot]:
    """Every task as early as the plan allows, with unlimited resources."""
    start = [0.0] * len(duration)
    finish = [0.0] * len(duration)
    opens = 0.0
    for k, tasks in enumerate(plan.phases):
        if k:
            opens = plan.phase_opens(max(finish[i] for i in plan.phases[k - 1]))
        for i in tasks:
            start[i] = plan.ready_time(i, finish, opens)
            finish[i] = start[i] + duration[i]
    return [Slot(s, f) for s, f in zip(start, finish, strict=True)]


def backward(plan: Plan, duration: Sequence[float], end: float) -> tuple[list[float], list[float]]:
    """Latest starts and finishes that still end by `end` (the CPM backward pass)."""
    latest_start = [0.0] * len(duration)
    latest_finish = [0.0] * len(duration)
    for tasks in reversed(plan.phases):
        for i in reversed(tasks):
            latest_finish[i] = plan.latest_finish(i, latest_start, end)
            latest_start[i] = latest_finish[i] - duration[i]
    return latest_start, latest_finish


def cycle_time(slots: Sequence[Slot]) -> float:
    return max((s.finish for s in slots), default=0.0)


def remaining_path(plan: Plan, duration: Sequence[float]) -> list[float]:
    """Each task's duration plus the longest chain after it of h, join s and durations:
    the list scheduler's priority (longest first)."""
    rest = [0.0] * len(duration)
    for tasks in reversed(plan.phases):
        for i in reversed(tasks):
            rest[i] = plan.remaining(i, rest, duration[i])
    return rest


def constrained_schedule(
    plan: Plan,
    keys: Sequence[str],
    duration: Sequence[float],
    needs: Sequence[Mapping[str, int]],
    capacity: Mapping[str, int],
) -> list[Slot]:
    """The schedule with pools respected. Where nothing can contend — no task needs a pool,
    or one task at a time — it is the forward pass. `keys` name a task that needs more of a
    pool than it holds, which could never start (`check_capacities`)."""
    check_capacities(keys, needs, capacity)
    if plan.blueprint == "sequential" or not any(needs):
        return forward(plan, duration)
    return list_schedule(plan, duration, needs, capacity)


def check_capacities(
    keys: Sequence[str],
    needs: Sequence[Mapping[str, int]],
    capacity: Mapping[str, int],
) -> None:
    """A task that needs more of a pool than it holds could never start: say so by name."""
    for key, need in zip(keys, needs, strict=True):
        for pool, units in need.items():
            if units > capacity[pool]:
                raise FlowError(
                    f"task {key} needs {units} units of pool {pool!r}, "
                    f"which has a capacity of {capacity[pool]}",
                    field=f"resources.{pool}",
                    keys=[key],
                )


def list_schedule(
    plan: Plan,
    duration: Sequence[float],
    needs: Sequence[Mapping[str, int]],
    capacity: Mapping[str, int],
) -> list[Slot]:
    """The resource-constrained schedule (parallel schedule generation, greedy).

    Time moves from event to event — 0, every finish, every ready time. At each event the
    ready tasks not yet started are taken longest remaining path first, ties by key, and
    each starts if every pool it needs has the units free; the others wait for the next
    event. Callers check capacities first (`check_capacities`), so nothing waits forever.

    Event-driven: a task that does not fit waits in the queue of one pool that lacks the
    units (keyed by the units it needs there) and is looked at again only when that pool
    gets units back and has at least that many free. Skipping it in between changes
    nothing: free units only shrink while an event's tasks are started, so a task that did
    not fit cannot fit until a pool it lacked is released. The starts, and so the schedule,
    are those of the plain rule; the cost is close to n log n instead of quadratic.
    """
    n = len(duration)
    priority = remaining_path(plan, duration)
    rank = plan.rank
    succs, preds = plan.succs, plan.preds
    wants = [[(pool, units) for pool, units in need.items() if units > 0] for need in needs]
    waiting = [len(p) for p in preds]
    finished = [0.0] * n
    opened = [0.0] * len(plan.phases)
    left_in_phase = [len(tasks) for tasks in plan.phases]
    phase_finish = 0.0
    free = dict(capacity)
    # Tasks whose ready time is known, by that time; tasks that became ready at this event,
    # by priority; tasks that did not fit, by (pool, units they need of it), by priority.
    pending: list[tuple[float, int]] = []
    arrived: list[tuple[float, int, int]] = []
    parked: dict[tuple[str, int], list[tuple[float, int, int]]] = {}
    parked_on: dict[str, list[int]] = {}  # pool -> the units its non-empty queues wait for
    running: list[tuple[float, int]] = []
    released: set[str] = set()
    starts = [0.0] * n
    started = 0
    heappush, heappop = heapq.heappush, heapq.heappop

    def open_phase(k: int, at: float) -> None:
        opened[k] = at
        for i in plan.phases[k]:
            if not preds[i]:
                heappush(pending, (at, i))

    def blocker(i: int) -> tuple[str, int] | None:
        for pool, units in wants[i]:
            if free[pool] < units:
                return pool, units
        return None

    if plan.phases:
        open_phase(0, 0.0)
    now = 0.0
    while started < n:
        tolerance = 1e-9 * max(1.0, abs(now))
        while pending and pending[0][0] <= now + tolerance:
            _, i = heappop(pending)
            heappush(arrived, (-priority[i], rank[i], i))
        # The candidates, merged in priority order: tasks that arrived, and the head of each
        # queue of a released pool that now has the units its tasks wait for (an entry with
        # a negative index stands for the head of queue `heads[-1 - index]`).
        candidates = arrived
        arrived = []
        heads: list[tuple[str, int]] = []
        for pool in released:
            for units in parked_on.get(pool, ()):
                queue = parked[pool, units]
                if queue and free[pool] >= units:
                    heads.append((pool, units))
                    heappush(candidates, (queue[0][0], queue[0][1], -len(heads)))
        released.clear()
        again: list[tuple[tuple[str, int], tuple[float, int, int]]] = []
        while candidates:
            entry = heappop(candidates)
            head = -1 - entry[2]
            if head >= 0:
                key = heads[head]
                queue = parked[key]
                entry = heappop(queue)
            i = entry[2]
            lacking = blocker(i)
            if lacking is None:
                for pool, units in wants[i]:
                    free[pool] -= units
                starts[i] = now
                heappush(running, (now + duration[i], i))
                started += 1
            else:
                again.append((lacking, entry))
            if head >= 0 and queue and free[key[0]] >= key[1]:
                heappush(candidates, (queue[0][0], queue[0][1], -1 - head))
        # Those that did not fit wait behind what they lack; nothing released can reach
        # them before the next event.
        for key, entry in again:
            queue = parked.setdefault(key, [])
            if not queue and key[1] not in parked_on.setdefault(key[0], []):
                parked_on[key[0]].append(key[1])
            heappush(queue, entry)
        if started == n:
            break
        next_finish = running[0][0] if running else math.inf
        next_ready = pending[0][0] if pending else math.inf
        now = next_finish if next_finish < next_ready else next_ready
        if now == math.inf:
            raise RuntimeError("list schedule stalled: capacities were not checked")
        while running and running[0][0] <= now:
            finish, i = heappop(running)
            finished[i] = finish
            for pool, units in wants[i]:
                free[pool] += units
                released.add(pool)
            for u in succs[i]:
                waiting[u] -= 1
                if waiting[u] == 0:
                    ready = plan.ready_time(u, finished, opened[plan.phase_of[u]])
                    heappush(pending, (ready, u))
            k = plan.phase_of[i]
            left_in_phase[k] -= 1
            if finish > phase_finish:
                phase_finish = finish
            if left_in_phase[k] == 0 and k + 1 < len(plan.phases):
                open_phase(k + 1, plan.phase_opens(phase_finish))
    return [Slot(starts[i], starts[i] + duration[i]) for i in range(n)]


def pool_usage(
    slots: Sequence[Slot], needs: Sequence[Mapping[str, int]], pools: Sequence[str]
) -> dict[str, list[tuple[float, int]]]:
    """Units in use of each pool over time, as steps: (time, units from then on)."""
    changes: dict[str, dict[float, int]] = {pool: {} for pool in pools}
    for slot, need in zip(slots, needs, strict=True):
        if slot.finish <= slot.start:
            continue
        for pool, units in need.items():
            steps = changes[pool]
            steps[slot.start] = steps.get(slot.start, 0) + units
            steps[slot.finish] = steps.get(slot.finish, 0) - units
    usage: dict[str, list[tuple[float, int]]] = {}
    for pool, steps in changes.items():
        level, series = 0, [(0.0, 0)]
        for time in sorted(steps):
            level += steps[time]
            if series[-1][0] == time:
                series[-1] = (time, level)
            elif series[-1][1] != level:
                series.append((time, level))
        usage[pool] = series
    return usage


def startable(
    plan: Plan,
    *,
    done: Sequence[bool],
    started: Sequence[bool],
    finished_at: Sequence[float | None],
    running_needs: Sequence[Mapping[str, int]],
    needs: Sequence[Mapping[str, int]],
    capacity: Mapping[str, int],
    priority: Sequence[float],
    now: float,
    scale: float = 1.0,
    not_before: Sequence[float | None] | None = None,
) -> tuple[list[int], float | None]:
    """Which waiting tasks may start now, and when the next one will be ready.

    The run engine's question, answered by the plan's rule: every predecessor done, the
    task's phase open (the previous phase done, then h + s), the handoff delay (and sync at
    a join) passed — times in seconds, delays multiplied by `scale` — and the pools it
    needs free after what is running holds. Candidates go longest remaining path first,
    ties by key, as in the list schedule.
    """
    free = dict(capacity)
    for held in running_needs:
        for pool, units in held.items():
            free[pool] -= units
    finish = [at or 0.0 for at in finished_at]
    phase_open: list[float | None] = []
    opened: float | None = 0.0
    for k in range(len(plan.phases)):
        if k and opened is not None:
            previous = plan.phases[k - 1]
            if all(done[i] for i in previous):
                last = max((finish[i] for i in previous), default=0.0)
                opened = _later(opened, plan.phase_opens(last, scale))
            else:
                opened = None
        phase_open.append(opened)
    ready: list[int] = []
    upcoming: float | None = None
    for i in range(len(plan.preds)):
        if started[i] or done[i]:
            continue
        opens = phase_open[plan.phase_of[i]]
        if opens is None or not all(done[p] for p in plan.preds[i]):
            continue
        at = plan.ready_time(i, finish, opens, scale)
        earliest = not_before[i] if not_before is not None else None
        if earliest is not None:
            at = max(at, earliest)
        if at <= now + 1e-9:
            ready.append(i)
        elif upcoming is None or at < upcoming:
            upcoming = at
    ready.sort(key=lambda i: (-priority[i], plan.rank[i]))
    starts = []
    for i in ready:
        if all(free.get(pool, 0) >= units for pool, units in needs[i].items()):
            for pool, units in needs[i].items():
                free[pool] -= units
            starts.append(i)
    return starts, upcoming
