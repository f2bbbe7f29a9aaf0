"""The list scheduler as it was before it became event-driven: it re-pushes every blocked
task at every event (quadratic when a pool binds). Kept verbatim as the oracle the new one
must match exactly, and as the benchmark's "before"."""

from __future__ import annotations

import heapq
import math
from collections.abc import Mapping, Sequence

from designer.analysis.plans import Plan, Slot, remaining_path


def oracle_list_schedule(
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
    """
    n = len(duration)
    priority = remaining_path(plan, duration)
    waiting = [len(p) for p in plan.preds]
    last_pred_finish = [0.0] * n
    left_in_phase = [len(tasks) for tasks in plan.phases]
    phase_finish = 0.0
    free = dict(capacity)
    # Tasks whose ready time is known, by that time; then those ready now, by priority.
    pending: list[tuple[float, int]] = []
    available: list[tuple[float, int, int]] = []
    running: list[tuple[float, int]] = []
    slots = [Slot(0.0, 0.0)] * n
    started = 0

    def open_phase(k: int, at: float) -> None:
        for i in plan.phases[k]:
            if not plan.preds[i]:
                heapq.heappush(pending, (at, i))

    if plan.phases:
        open_phase(0, 0.0)
    now = 0.0
    while started < n:
        tolerance = 1e-9 * max(1.0, abs(now))
        while pending and pending[0][0] <= now + tolerance:
            _, i = heapq.heappop(pending)
            heapq.heappush(available, (-priority[i], plan.rank[i], i))
        blocked = []
        while available:
            entry = heapq.heappop(available)
            i = entry[2]
            if all(free[pool] >= units for pool, units in needs[i].items()):
                for pool, units in needs[i].items():
                    free[pool] -= units
                slots[i] = Slot(now, now + duration[i])
                heapq.heappush(running, (now + duration[i], i))
                started += 1
            else:
                blocked.append(entry)
        for entry in blocked:
            heapq.heappush(available, entry)
        if started == n:
            break
        upcoming = [t for t in (pending[0][0] if pending else math.inf,) if t > now]
        next_finish = running[0][0] if running else math.inf
        now = min([next_finish, *upcoming])
        if now == math.inf:
            raise RuntimeError("list schedule stalled: capacities were not checked")
        while running and running[0][0] <= now:
            finish, i = heapq.heappop(running)
            for pool, units in needs[i].items():
                free[pool] += units
            for u in plan.succs[i]:
                waiting[u] -= 1
                last_pred_finish[u] = max(last_pred_finish[u], finish)
                if waiting[u] == 0:
                    heapq.heappush(pending, (last_pred_finish[u] + plan.delay(u), u))
            k = plan.phase_of[i]
            left_in_phase[k] -= 1
            phase_finish = max(phase_finish, finish)
            if left_in_phase[k] == 0 and k + 1 < len(plan.phases):
                open_phase(k + 1, phase_finish + plan.handoff + plan.sync)
    return slots
