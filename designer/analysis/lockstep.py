"""The list schedule of many iterations at once, in lock-step over NumPy arrays.

`list_schedule` decides one iteration at a time in Python; the Monte Carlo needs thousands.
Here every iteration is a row and each step makes one decision per row: start the
highest-priority ready task that fits the free units, or — when none fits — move to the
next event (the earliest finish or ready time), release what finished and take in what
became ready. That is the same greedy rule taken one start at a time: within one event,
starting a task only takes units away, so the first task that fits in priority order is
the one the plain scan starts next, and a task passed over cannot fit later in that event.
Every time is computed with the same floating-point operations in the same order as
`list_schedule`, so the schedules are identical to the last bit, not approximately equal.

Ready tasks are kept per *need signature* (the pools and units a task needs): in a
signature's block the columns are its tasks in each row's priority order, so the best
ready task of a signature is the first set column of the block (`argmax` of a boolean
row), and whether it fits depends on the signature alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence

import numpy as np
from numpy.typing import NDArray

from .plans import Plan

Array = NDArray[np.float64]
Index = NDArray[np.intp]
CHUNK_CELLS = 300_000  # iterations × tasks scheduled together; bounds the memory in use


def _csr(lists: Sequence[Sequence[int]]) -> tuple[Index, Index]:
    counts = np.array([len(x) for x in lists], dtype=np.intp)
    pointer = np.zeros(len(lists) + 1, dtype=np.intp)
    np.cumsum(counts, out=pointer[1:])
    flat = np.array([v for x in lists for v in x], dtype=np.intp)
    return pointer, flat


def _expand(pointer: Index, flat: Index, rows: Index, items: Index) -> tuple[Index, Index, Index]:
    """For each (row, item) pair, the pairs (row, member) over the item's members, and which
    input pair each came from."""
    counts = pointer[items + 1] - pointer[items]
    total = int(counts.sum())
    if not total:
        empty = np.empty(0, dtype=np.intp)
        return empty, empty, empty
    source = np.repeat(np.arange(len(items)), counts)
    offsets = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
    return rows[source], flat[pointer[items][source] + offsets], source


def remaining_paths(plan: Plan, duration: Array) -> Array:
    """`remaining_path` over every iteration (tasks × iterations): the same rule
    (`Plan.remaining`) on rows, so the same arithmetic."""
    rest = np.empty_like(duration)
    for tasks in reversed(plan.phases):
        for i in reversed(tasks):
            rest[i] = plan.remaining(i, rest, duration[i])
    return rest


def list_schedules(
    plan: Plan,
    duration: Array,
    needs: Sequence[Mapping[str, int]],
    capacity: Mapping[str, int],
    progress: Callable[[float], None] | None = None,
) -> Array:
    """Start times (tasks × iterations) of `list_schedule` for each column of `duration`,
    scheduled in chunks of iterations; `progress` hears the share done after each chunk
    (and may raise to stop the work there)."""
    starts = np.empty_like(duration)
    for first, block, chunk in _chunks(plan, duration, needs, capacity, progress):
        starts[:, first : first + block.shape[1]] = chunk.T
    return starts


def list_schedule_cycle_times(
    plan: Plan,
    duration: Array,
    needs: Sequence[Mapping[str, int]],
    capacity: Mapping[str, int],
    progress: Callable[[float], None] | None = None,
) -> Array:
    """Each iteration's cycle time under `list_schedule` (its latest finish), chunk by chunk:
    nothing the size of all the samples is allocated."""
    cycles = np.zeros(duration.shape[1])
    for first, block, chunk in _chunks(plan, duration, needs, capacity, progress):
        cycles[first : first + block.shape[1]] = (chunk + block.T).max(axis=1)
    return cycles


def _chunks(
    plan: Plan,
    duration: Array,
    needs: Sequence[Mapping[str, int]],
    capacity: Mapping[str, int],
    progress: Callable[[float], None] | None,
) -> Iterator[tuple[int, Array, Array]]:
    """(first iteration, its block of durations, the block's start times iterations × tasks)."""
    n, iterations = duration.shape
    if not n or not iterations:
        return
    step = max(1, CHUNK_CELLS // n)
    for first in range(0, iterations, step):
        block = duration[:, first : first + step]
        yield first, block, _Lockstep(plan, block, needs, capacity).run()
        if progress:
            progress(min(iterations, first + step) / iterations)


class _Lockstep:
    def __init__(
        self,
        plan: Plan,
        duration: Array,
        needs: Sequence[Mapping[str, int]],
        capacity: Mapping[str, int],
    ):
        n, rows = duration.shape
        self.plan, self.n, self.rows = plan, n, rows
        self.duration = np.ascontiguousarray(duration.T)
        pools = list(capacity)
        self.need = np.zeros((n, len(pools)), dtype=np.int64)
        signatures: dict[tuple[tuple[int, int], ...], int] = {}
        sig = np.empty(n, dtype=np.intp)
        for i, need in enumerate(needs):
            wanted = tuple(
                sorted((pools.index(p), units) for p, units in need.items() if units > 0)
            )
            for p, units in wanted:
                self.need[i, p] = units
            sig[i] = signatures.setdefault(wanted, len(signatures))
        self.free = np.tile(np.array([capacity[p] for p in pools], dtype=np.int64), (rows, 1))

        # Each row's priority order: longest remaining path first, ties by key.
        rank = np.asarray(plan.rank, dtype=np.intp)
        by_rank = np.argsort(rank, kind="stable")
        rest = remaining_paths(plan, duration)
        keyed = np.negative(rest.T[:, by_rank])
        order = by_rank[np.argsort(keyed, axis=1, kind="stable")]  # rows × n, task ids
        position = np.empty_like(order)
        np.put_along_axis(position, order, np.arange(n)[None, :].repeat(rows, 0), axis=1)
        # Columns: one block per signature, each in the row's priority order.
        in_sig = sig[order]
        self.blocks: list[tuple[int, int, list[tuple[int, int]]]] = []
        task_at = np.empty_like(order)
        offset = 0
        for wanted, s in signatures.items():
            members = order[in_sig == s].reshape(rows, -1)
            width = members.shape[1]
            task_at[:, offset : offset + width] = members
            self.blocks.append((offset, width, list(wanted)))
            offset += width
        self.task_at = task_at
        self.column = np.empty_like(order)
        np.put_along_axis(self.column, task_at, np.arange(n)[None, :].repeat(rows, 0), axis=1)
        self.position_at = np.take_along_axis(position, task_at, axis=1)

        self.succ_ptr, self.succ = _csr(plan.succs)
        self.delay = np.array([plan.delay(i) for i in range(n)])
        self.phase_of = np.asarray(plan.phase_of, dtype=np.intp)
        self.roots_ptr, self.roots = _csr(
            [[i for i in tasks if not plan.preds[i]] for tasks in plan.phases]
        )
        self.waiting = np.tile(np.array([len(p) for p in plan.preds], dtype=np.int64), (rows, 1))
        self.last_pred = np.zeros((rows, n))
        self.left = np.tile(np.array([len(t) for t in plan.phases], dtype=np.int64), (rows, 1))
        self.phase_finish = np.zeros(rows)
        # Ready times not reached yet (by task), and each row's earliest; running tasks in a
        # few slots per row (finish time and task), grown when a row runs out of them.
        self.ready_at = np.full((rows, n), np.inf)
        self.next_ready = np.full(rows, np.inf)
        self.slot_finish = np.full((rows, 4), np.inf)
        self.slot_task = np.full((rows, 4), -1, dtype=np.intp)
        self.available = np.zeros((rows, n), dtype=bool)
        self.now = np.zeros(rows)
        self.starts = np.zeros((rows, n))
        self.started = np.zeros(rows, dtype=np.intp)

    def run(self) -> Array:
        every = np.arange(self.rows)
        if self.plan.phases:
            roots = self.roots[self.roots_ptr[0] : self.roots_ptr[1]]
            self.ready_at[:, roots] = 0.0
            self.next_ready[:] = 0.0
        self._take_ready(np.ones(self.rows, dtype=bool))
        advance = np.zeros(self.rows, dtype=bool)
        big = self.n + 1
        while True:
            if advance.any():
                self._advance(advance)
            best = np.full(self.rows, big, dtype=np.intp)
            best_column = np.zeros(self.rows, dtype=np.intp)
            for offset, width, wanted in self.blocks:
                block = self.available[:, offset : offset + width]
                first = block.argmax(axis=1)
                fits = block[every, first]
                for pool, units in wanted:
                    fits &= self.free[:, pool] >= units
                column = first + offset
                candidate = np.where(fits, self.position_at[every, column], big)
                better = candidate < best
                best = np.where(better, candidate, best)
                best_column = np.where(better, column, best_column)
            chosen = best < big
            rows = np.flatnonzero(chosen)
            if rows.size:
                columns = best_column[rows]
                tasks = self.task_at[rows, columns]
                self.available[rows, columns] = False
                at = self.now[rows]
                self.starts[rows, tasks] = at
                self._run(rows, tasks, at + self.duration[rows, tasks])
                self.free[rows] -= self.need[tasks]
                self.started[rows] += 1
            active = self.started < self.n
            if not active.any():
                return self.starts
            advance = active & ~chosen

    def _run(self, rows: Index, tasks: Index, finish: Array) -> None:
        empty = self.slot_task[rows] < 0
        slot = empty.argmax(axis=1)
        if not empty[np.arange(rows.size), slot].all():
            slot = np.full(rows.size, self.slot_task.shape[1])
            grow = self.slot_task.shape[1]
            self.slot_task = np.hstack([self.slot_task, np.full_like(self.slot_task, -1)])
            self.slot_finish = np.hstack([self.slot_finish, np.full((self.rows, grow), np.inf)])
            empty = self.slot_task[rows] < 0
            slot = empty.argmax(axis=1)
        self.slot_task[rows, slot] = tasks
        self.slot_finish[rows, slot] = finish

    def _advance(self, advance: NDArray[np.bool_]) -> None:
        """Rows with nothing more to start now: the next event, its finishes, its arrivals."""
        upcoming = np.minimum(self.slot_finish.min(axis=1), self.next_ready)
        if np.isinf(upcoming[advance]).any():
            raise RuntimeError("list schedule stalled: capacities were not checked")
        self.now = now = np.where(advance, upcoming, self.now)
        limit = np.where(advance, now, -np.inf)
        width = self.slot_finish.shape[1]
        flat = np.flatnonzero(self.slot_finish <= limit[:, None])
        if flat.size:
            rows, slots = np.divmod(flat, width)
            finish = self.slot_finish[rows, slots]
            tasks = self.slot_task[rows, slots]
            self.slot_finish[rows, slots] = np.inf
            self.slot_task[rows, slots] = -1
            np.add.at(self.free, rows, self.need[tasks])
            er, eu, source = _expand(self.succ_ptr, self.succ, rows, tasks)
            if er.size:
                np.subtract.at(self.waiting, (er, eu), 1)
                np.maximum.at(self.last_pred, (er, eu), finish[source])
                done = self.waiting[er, eu] == 0
                zr, zu = er[done], eu[done]
                self._pending(zr, zu, self.last_pred[zr, zu] + self.delay[zu])
            if len(self.plan.phases) > 1:
                phase = self.phase_of[tasks]
                np.subtract.at(self.left, (rows, phase), 1)
                np.maximum.at(self.phase_finish, rows, finish)
                closed = self.left[rows, phase] == 0
                closed &= phase + 1 < len(self.plan.phases)
                if closed.any():
                    pairs = np.unique(np.stack([rows[closed], phase[closed] + 1]), axis=1)
                    opens = self.plan.phase_opens(self.phase_finish[pairs[0]])
                    rr, roots, source = _expand(self.roots_ptr, self.roots, pairs[0], pairs[1])
                    self._pending(rr, roots, opens[source])
        self._take_ready(advance)

    def _pending(self, rows: Index, tasks: Index, at: Array) -> None:
        """Tasks whose ready time is now known: available at once when it is this event's
        (within the same tolerance as `list_schedule`), else waiting for it."""
        now = self.now[rows]
        now_ready = at <= now + 1e-9 * np.maximum(1.0, np.abs(now))
        if now_ready.any():
            r, t = rows[now_ready], tasks[now_ready]
            self.available[r, self.column[r, t]] = True
            later = ~now_ready
            rows, tasks, at = rows[later], tasks[later], at[later]
        if rows.size:
            self.ready_at[rows, tasks] = at
            np.minimum.at(self.next_ready, rows, at)

    def _take_ready(self, rows_mask: NDArray[np.bool_]) -> None:
        now = self.now
        limit = now + 1e-9 * np.maximum(1.0, np.abs(now))
        due = np.flatnonzero(rows_mask & (self.next_ready <= limit))
        if not due.size:
            return
        window = self.ready_at[due]
        hit = window <= limit[due, None]
        sub, tasks = np.nonzero(hit)
        rows = due[sub]
        window[hit] = np.inf
        self.ready_at[due] = window
        self.next_ready[due] = window.min(axis=1)
        self.available[rows, self.column[rows, tasks]] = True
