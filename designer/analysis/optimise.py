"""The best levelled schedule, proven: resource-constrained scheduling as a CP-SAT model.

The list scheduler (`scheduling.list_schedule`) picks the longest remaining path first at
every event. That rule is good, not optimal: two pools and a crossing pattern are enough to
make it start the wrong task first. Here the same problem — the same ready rule (handoff
delay h after each predecessor, sync overhead s at a join, phases behind barriers of h + s),
the same likely durations, the same pool capacities — is handed to OR-Tools' CP-SAT solver:
one interval per task, a precedence per dependency, a cumulative constraint per pool. The
greedy schedule is its hint and the bound it must beat; the solver minimises the makespan
within a time limit and says whether it proved the optimum, and what its lower bound is.

CP-SAT works on integers. Durations and delays are decimals as people type them, so they are
scaled by the least common multiple of their denominators, which makes the model exact: the
optimum it proves is the optimum of the flow. Only when that multiple would overflow the
solver's range are the figures rounded up onto a fine grid; the schedule is then still
feasible but no longer called optimal.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any, Literal

from ortools.sat.python import cp_model

from .graph import FlowGraph
from .model import Flow
from .plans import (
    Blueprint,
    Plan,
    Slot,
    check_capacities,
    cycle_time,
    forward,
    list_schedule,
    plan_for,
    pool_usage,
)

Status = Literal["optimal", "feasible"]
OPTIMISED_BLUEPRINTS: tuple[Blueprint, ...] = ("parallel", "hybrid")
MIN_TIME_LIMIT = 1.0
MAX_TIME_LIMIT = 60.0
WORKERS = 2  # the solver's portfolio threads: one per core of a small server
# The full searches those threads run: the default with its linear relaxation, and one
# without. Named rather than left to CP-SAT's choice for two threads: on the benchmark's
# random flows (bench/optimise.py) the median 30-task proof fell from 0.2 s to 0.1 s, and
# the 120-task schedules gained 6-8% over greedy instead of 5-6%. One 30-task flow of the
# 20 is proven in 2.5 to 7 s on some runs and not within 10 s on others (two threads race).
SUBSOLVERS = ("default_lp", "no_lp")
# Scaled horizons above this are rounded onto a grid (CP-SAT's sums must stay in int64).
MAX_SCALED = 2**40
GRID_STEPS = 10**6
ROUNDING = 9


@dataclass(frozen=True, slots=True)
class Progress:
    """What the search has reached so far, in the flow's time unit."""

    best: float  # the best cycle time found
    bound: float  # no schedule can be shorter than this
    seconds: float  # since the search began


@dataclass(frozen=True)
class Optimised:
    """The best schedule found for one blueprint, with what is known about its quality."""

    blueprint: Blueprint
    keys: list[str]
    slots: list[Slot]
    cycle_time: float
    lower_bound: float
    status: Status
    greedy_slots: list[Slot]
    greedy_cycle_time: float
    needs: list[dict[str, int]]
    pools: list[str]
    solve_seconds: float = 0.0
    # Seconds until the solver first found a schedule shorter than greedy's (None: never).
    first_better_seconds: float | None = None
    exact: bool = True  # durations scaled to integers without rounding

    @property
    def gap(self) -> float:
        """How far the best schedule may be above the optimum, as a share of the bound."""
        if self.lower_bound <= 0:
            return 0.0
        return max(0.0, (self.cycle_time - self.lower_bound) / self.lower_bound)

    @property
    def start_order(self) -> list[str]:
        """Task keys by their start in the best schedule (ties: the greedy start, then key
        order as given): the priority list a run follows."""
        position = {k: n for n, k in enumerate(self.keys)}
        return sorted(
            self.keys,
            key=lambda k: (
                self.slots[position[k]].start,
                self.greedy_slots[position[k]].start,
                position[k],
            ),
        )

    def as_dict(self) -> dict[str, Any]:
        """The API's answer: figures rounded like every other reported time."""
        usage = pool_usage(self.slots, self.needs, self.pools)
        return {
            "blueprint": self.blueprint,
            "cycle_time": _r(self.cycle_time),
            "lower_bound": _r(self.lower_bound),
            "status": self.status,
            "gap": _r(self.gap),
            "greedy_cycle_time": _r(self.greedy_cycle_time),
            "saving": _r(self.greedy_cycle_time - self.cycle_time),
            "tasks": {
                key: [_r(s.start), _r(s.finish)]
                for key, s in zip(self.keys, self.slots, strict=True)
            },
            "greedy_tasks": {
                key: [_r(s.start), _r(s.finish)]
                for key, s in zip(self.keys, self.greedy_slots, strict=True)
            },
            "usage": {
                pool: [[_r(t), units] for t, units in steps] for pool, steps in usage.items()
            },
            "order": self.start_order,
            "solve_seconds": round(self.solve_seconds, 3),
        }


def check_time_limit(value: object) -> float:
    """The time limit in seconds, or a `ValueError` saying what it must be."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError("time_limit must be a number of seconds")
    if not MIN_TIME_LIMIT <= value <= MAX_TIME_LIMIT:
        raise ValueError(
            f"time_limit must be between {MIN_TIME_LIMIT:g} and {MAX_TIME_LIMIT:g} seconds"
        )
    return float(value)


def optimise(
    flow: Flow,
    blueprint: Blueprint = "parallel",
    *,
    time_limit: float = 10.0,
    workers: int = WORKERS,
    progress: Callable[[Progress], None] | None = None,
    stop: threading.Event | None = None,
    deterministic_time: float | None = None,
    graph: FlowGraph | None = None,
) -> Optimised:
    """The shortest schedule of a blueprint that keeps every pool's capacity.

    `progress` hears each better schedule and each better bound; setting `stop` ends the
    search early with the best found so far. With `deterministic_time` the search is one
    thread bounded by the solver's own work measure, so the same flow always gets the same
    answer (figures a page shows again and again must not jitter); `time_limit` still caps
    the wall-clock time. Sequential runs one task at a time, so its schedule is already the
    only one and no solver is needed. `graph` is the flow's, when the caller has indexed it.
    """
    g = FlowGraph(flow) if graph is None else graph
    needs = [dict(t.resources) for t in flow.tasks]
    capacity = {p.name: p.capacity for p in flow.resources}
    check_capacities(g.keys, needs, capacity)
    plan = plan_for(g, blueprint)
    pools = list(capacity)
    duration = g.duration

    def done(
        slots: list[Slot], lower: float, status: Status, greedy: list[Slot], **more: Any
    ) -> Optimised:
        return Optimised(
            blueprint=blueprint,
            keys=g.keys,
            slots=slots,
            cycle_time=cycle_time(slots),
            lower_bound=lower,
            status=status,
            greedy_slots=greedy,
            greedy_cycle_time=cycle_time(greedy),
            needs=needs,
            pools=pools,
            **more,
        )

    unconstrained = forward(plan, duration)
    least = cycle_time(unconstrained)
    if blueprint == "sequential" or not any(needs):
        return done(unconstrained, least, "optimal", unconstrained)
    greedy = list_schedule(plan, duration, needs, capacity)
    # No schedule beats the longest chain, nor a pool's work spread over all its units.
    least = max(
        least,
        *(
            sum(d * need.get(pool, 0) for d, need in zip(duration, needs, strict=True)) / units
            for pool, units in capacity.items()
        ),
    )
    if cycle_time(greedy) <= least + _tolerance(least):
        return done(greedy, least, "optimal", greedy)

    started = time.perf_counter()
    scale, exact = _scale(plan, duration)
    model = _Model(plan, duration, needs, capacity, scale, exact)
    watch = _Watch(model, scale, started, progress, stop)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = max(1, workers)
    if deterministic_time is not None:
        solver.parameters.num_workers = 1
        solver.parameters.max_deterministic_time = deterministic_time
    elif workers >= len(SUBSOLVERS):
        solver.parameters.subsolvers.extend(SUBSOLVERS)
    solver.best_bound_callback = watch.on_bound
    if stop is not None and stop.is_set():
        return done(greedy, least, "feasible", greedy)
    if stop is not None:
        halt = threading.Thread(target=_halt_on, args=(stop, solver, watch), daemon=True)
        halt.start()
    code = solver.solve(model.model, watch)
    watch.finished.set()
    seconds = time.perf_counter() - started
    greedy_time = cycle_time(greedy)
    lower = least
    if exact and code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        lower = max(lower, float(Fraction(math.ceil(solver.best_objective_bound - 1e-6), scale)))
    best = greedy
    if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        found = [
            _slot(solver.value(model.starts[i]), duration[i], model.durations[i], scale, exact)
            for i in range(len(duration))
        ]
        if cycle_time(found) < greedy_time - _tolerance(greedy_time):
            best = found
    proven = exact and code == cp_model.OPTIMAL
    total = cycle_time(best)
    if proven:
        lower = total
    elif total <= lower + _tolerance(lower):
        proven, lower = True, total
    return done(
        best,
        min(lower, total),
        "optimal" if proven else "feasible",
        greedy,
        solve_seconds=seconds,
        first_better_seconds=watch.first_better,
        exact=exact,
    )


def greedy_and_optimal(
    flow: Flow,
    blueprints: Sequence[Blueprint] = OPTIMISED_BLUEPRINTS,
    *,
    time_limit: float = 10.0,
) -> dict[str, dict[str, Any]]:
    """Each blueprint's optimised answer (`Optimised.as_dict`), for pages and reports."""
    return {b: optimise(flow, b, time_limit=time_limit).as_dict() for b in blueprints}


# The model ------------------------------------------------------------------------------


def _decimal(value: float) -> Fraction:
    """The decimal a person typed (0.1 is one tenth, not its binary neighbour)."""
    return Fraction(repr(float(value)))


def _scale(plan: Plan, duration: Sequence[float]) -> tuple[int, bool]:
    """The integer factor that makes every duration and delay whole, and whether it is exact
    (False: too large a factor, so figures are rounded up onto a grid instead)."""
    values = [*duration, plan.handoff, plan.sync]
    scale = 1
    for value in values:
        scale = math.lcm(scale, _decimal(value).denominator)
    horizon = sum(duration) + (plan.handoff + plan.sync) * (len(duration) + 1)
    if horizon * scale <= MAX_SCALED:
        return scale, True
    # A power of ten giving the horizon about GRID_STEPS steps: fine enough that rounding
    # up costs little, coarse enough for the solver to search quickly.
    return 10 ** max(0, math.ceil(math.log10(GRID_STEPS / max(horizon, 1e-9)))), False


def _whole(value: float, scale: int, exact: bool) -> int:
    scaled = _decimal(value) * scale
    if exact:
        assert scaled.denominator == 1
        return int(scaled)
    return math.ceil(scaled)


def _slot(start: int, duration: float, whole: int, scale: int, exact: bool) -> Slot:
    begin = float(Fraction(start, scale))
    if exact:
        return Slot(begin, float(Fraction(start + whole, scale)))
    return Slot(begin, begin + duration)


class _Model:
    """The CP-SAT model of a plan: starts, intervals, precedences, barriers, pools."""

    def __init__(
        self,
        plan: Plan,
        duration: Sequence[float],
        needs: Sequence[Mapping[str, int]],
        capacity: Mapping[str, int],
        scale: int,
        exact: bool,
    ):
        n = len(duration)
        h = _whole(plan.handoff, scale, exact)
        s = _whole(plan.sync, scale, exact)
        self.durations = [_whole(d, scale, exact) for d in duration]
        delay = [h + (s if len(plan.preds[i]) > 1 else 0) for i in range(n)]
        # The greedy schedule on the whole numbers: the hint, and the makespan to beat.
        scaled = replace(plan, handoff=float(h), sync=float(s))
        hint = list_schedule(scaled, [float(d) for d in self.durations], needs, capacity)
        self.greedy = round(cycle_time(hint))
        lower = round(cycle_time(forward(scaled, [float(d) for d in self.durations])))
        horizon = self.greedy
        m = cp_model.CpModel()
        self.model = m
        self.starts = [m.new_int_var(0, horizon - self.durations[i], f"s{i}") for i in range(n)]
        ends = [self.starts[i] + self.durations[i] for i in range(n)]
        intervals = [
            m.new_fixed_size_interval_var(self.starts[i], self.durations[i], f"t{i}")
            for i in range(n)
        ]
        for i in range(n):
            for p in plan.preds[i]:
                m.add(self.starts[i] >= ends[p] + delay[i])
        barrier = h + s
        for k in range(1, len(plan.phases)):
            opens = m.new_int_var(0, horizon, f"phase{k}")
            for j in plan.phases[k - 1]:
                m.add(opens >= ends[j] + barrier)
            for i in plan.phases[k]:
                if not plan.preds[i]:
                    m.add(self.starts[i] >= opens)
        for pool, units in capacity.items():
            members = [
                (intervals[i], need[pool])
                for i, need in enumerate(needs)
                if need.get(pool, 0) > 0 and self.durations[i] > 0
            ]
            if sum(d for _, d in members) > units:
                m.add_cumulative([v for v, _ in members], [d for _, d in members], units)
        self.makespan = m.new_int_var(lower, horizon, "makespan")
        m.add_max_equality(self.makespan, ends)
        m.minimize(self.makespan)
        for i in range(n):
            m.add_hint(self.starts[i], round(hint[i].start))
        m.add_hint(self.makespan, self.greedy)


class _Watch(cp_model.CpSolverSolutionCallback):
    """Hears every better schedule and bound: progress, stopping, time to beat greedy."""

    def __init__(
        self,
        model: _Model,
        scale: int,
        started: float,
        progress: Callable[[Progress], None] | None,
        stop: threading.Event | None,
    ):
        super().__init__()
        self.target = model.greedy
        self.scale = scale
        self.started = started
        self.progress = progress
        self.stop = stop
        self.best = float(model.greedy)
        self.bound = 0.0
        self.first_better: float | None = None
        self.finished = threading.Event()
        self.lock = threading.Lock()

    def on_solution_callback(self) -> None:
        value = self.objective_value
        with self.lock:
            if value < self.target and self.first_better is None:
                self.first_better = time.perf_counter() - self.started
            self.best = min(self.best, value)
            self.bound = max(self.bound, self.best_objective_bound)
        self._tell()
        if self.stop is not None and self.stop.is_set():
            self.stop_search()

    def on_bound(self, bound: float) -> None:
        with self.lock:
            self.bound = max(self.bound, bound)
        self._tell()

    def _tell(self) -> None:
        if self.progress is None:
            return
        with self.lock:
            best, bound = self.best, self.bound
        self.progress(
            Progress(
                best=_r(best / self.scale),
                bound=_r(min(bound, best) / self.scale),
                seconds=time.perf_counter() - self.started,
            )
        )


def _halt_on(stop: threading.Event, solver: cp_model.CpSolver, watch: _Watch) -> None:
    """Stops the solver when `stop` is set, even between solutions."""
    while not watch.finished.is_set():
        if stop.wait(0.1):
            solver.stop_search()
            return


def _tolerance(scale: float) -> float:
    return 1e-9 * max(1.0, abs(scale))


def _r(value: float) -> float:
    rounded = round(value, ROUNDING)
    return 0.0 if rounded == 0 else rounded
