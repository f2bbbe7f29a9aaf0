"""Resource-constrained schedules and Monte Carlo over the three-point estimates.

Durations are drawn from the PERT-Beta distribution of each estimate, vectorised across
iterations with NumPy; a task that fails draws another attempt (spending its duration
again) up to the retry limit. Without resource needs the blueprints are timed by the plan's
forward pass over whole arrays at once; with them, every iteration is list-scheduled by
the same core the deterministic schedules and the run engine use.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .errors import FlowError
from .graph import FlowGraph
from .lockstep import list_schedule_cycle_times
from .model import Flow
from .plans import (
    BLUEPRINTS,
    Blueprint,
    Plan,
    Slot,
    check_capacities,
    constrained_schedule,
    cycle_time,
    plan_for,
    pool_usage,
)
from .sampling import new_seed, pert_beta

Array = NDArray[np.float64]
Progress = Callable[[float], None]  # called with the share of the work done, 0 to 1
REPORTED_DECIMALS = 6
SAMPLING_STREAMS = 2  # fixed, so results never depend on the machine's core count
MAX_ITERATIONS = 100_000


@dataclass(frozen=True)
class WhatIf:
    """Changes for one simulation that leave the flow itself alone."""

    capacities: Mapping[str, int] = field(default_factory=dict)
    handoff_delay: float | None = None
    sync_overhead: float | None = None


@dataclass
class _Setting:
    """A flow prepared for scheduling under a what-if."""

    graph: FlowGraph
    plans: dict[Blueprint, Plan]
    capacity: dict[str, int]
    needs: list[dict[str, int]]

    @property
    def constrained(self) -> bool:
        return any(self.needs)


def _prepare(
    flow: Flow,
    what_if: WhatIf,
    blueprints: Sequence[Blueprint],
    graph: FlowGraph | None = None,
) -> _Setting:
    capacity = {p.name: p.capacity for p in flow.resources}
    for pool, units in what_if.capacities.items():
        field_name = f"overrides.capacities.{pool}"
        if pool not in capacity:
            raise FlowError(
                f"{field_name}: the flow has no resource pool {pool!r}", field=field_name
            )
        if isinstance(units, bool) or not isinstance(units, int) or units < 1:
            raise FlowError(f"{field_name} must be a whole number of at least 1", field=field_name)
        capacity[pool] = units
    for name, value in (
        ("handoff_delay", what_if.handoff_delay),
        ("sync_overhead", what_if.sync_overhead),
    ):
        if value is not None and not (math.isfinite(value) and value >= 0):
            raise FlowError(
                f"overrides.{name} must be a number of at least 0", field=f"overrides.{name}"
            )
    for blueprint in blueprints:
        if blueprint not in BLUEPRINTS:
            raise FlowError(
                f"blueprints: {blueprint!r} is not one of {', '.join(BLUEPRINTS)}",
                field="blueprints",
            )
    graph = FlowGraph(flow) if graph is None else graph
    needs = [dict(t.resources) for t in flow.tasks]
    check_capacities(graph.keys, needs, capacity)
    plans = {
        b: plan_for(graph, b, handoff=what_if.handoff_delay, sync=what_if.sync_overhead)
        for b in blueprints
    }
    return _Setting(graph, plans, capacity, needs)


def check_simulation(
    flow: Flow, *, what_if: WhatIf = WhatIf(), blueprints: Sequence[Blueprint] = BLUEPRINTS
) -> None:
    """Refuse, by field, what `simulate` would refuse about the flow and the what-if, without
    simulating: for a simulation that will run later, in the background."""
    _prepare(flow, what_if, blueprints)


def _schedule(setting: _Setting, plan: Plan, duration: Sequence[float]) -> list[Slot]:
    keys = setting.graph.keys
    return constrained_schedule(plan, keys, duration, setting.needs, setting.capacity)


def constrained_schedules(
    flow: Flow,
    *,
    what_if: WhatIf = WhatIf(),
    blueprints: Sequence[Blueprint] = BLUEPRINTS,
) -> dict[str, Any]:
    """Each blueprint's schedule on likely durations with pool capacities respected: a
    start and finish per task (the Gantt), the cycle time and each pool's use over time."""
    setting = _prepare(flow, what_if, blueprints)
    pools = list(setting.capacity)
    result: dict[str, Any] = {}
    for blueprint, plan in setting.plans.items():
        slots = _schedule(setting, plan, setting.graph.duration)
        total = cycle_time(slots)
        usage = pool_usage(slots, setting.needs, pools)
        result[blueprint] = {
            "cycle_time": _r(total),
            "tasks": {
                key: [_r(s.start), _r(s.finish)]
                for key, s in zip(setting.graph.keys, slots, strict=True)
            },
            "usage": {
                pool: [[_r(t), units] for t, units in steps] for pool, steps in usage.items()
            },
            "utilisation": {
                pool: _r(_busy(setting, pool, setting.graph.duration) / (cap * total))
                if total > 0
                else 0.0
                for pool, cap in setting.capacity.items()
            },
        }
    return result


def _busy(setting: _Setting, pool: str, duration: Sequence[float]) -> float:
    return sum(need.get(pool, 0) * d for need, d in zip(setting.needs, duration, strict=True))


def pert_samples(
    optimistic: Array,
    likely: Array,
    pessimistic: Array,
    iterations: int,
    seed: np.random.SeedSequence,
) -> Array:
    """Durations (tasks × iterations) from PERT-Beta (`sampling.pert_beta`, the sampler the
    run engine draws from too); a task with o = p is a constant.

    The uncertain tasks are split into a fixed number of row blocks, each drawn from its own
    stream of `seed` on its own thread (NumPy draws without the GIL), row by row into the
    result (the same draws, in the same order, as one call per block): the numbers depend on
    the seed alone, not on the core count.
    """
    samples = np.empty((len(likely), iterations))
    spread = pessimistic - optimistic
    uncertain = np.flatnonzero(spread > 0)
    certain = np.flatnonzero(spread <= 0)
    samples[certain] = likely[certain, None]
    if not uncertain.size:
        return samples
    blocks = np.array_split(uncertain, SAMPLING_STREAMS)
    o, m, p = optimistic.tolist(), likely.tolist(), pessimistic.tolist()

    def draw(block: NDArray[np.intp], stream: np.random.SeedSequence) -> None:
        rng = np.random.default_rng(stream)
        for i in block.tolist():
            samples[i] = pert_beta(rng, o[i], m[i], p[i], iterations)

    list(_sampling_pool().map(draw, blocks, seed.spawn(SAMPLING_STREAMS)))  # errors surface
    return samples


_POOL: list[ThreadPoolExecutor] = []
_POOL_LOCK = threading.Lock()


def _sampling_pool() -> ThreadPoolExecutor:
    """The sampling threads, started once per process rather than once per simulation."""
    if not _POOL:
        with _POOL_LOCK:
            if not _POOL:
                _POOL.append(ThreadPoolExecutor(SAMPLING_STREAMS, thread_name_prefix="sampling"))
    return _POOL[0]


def _apply_retries(
    spent: Array, failure_rate: Array, max_retries: int, rng: np.random.Generator
) -> NDArray[np.bool_]:
    """Multiply each task's duration by the attempts it makes; return the iterations that
    fail for good.

    The first success comes on a geometric draw; every retry spends the duration again, and
    past 1 + `max_retries` attempts the task, and with it the iteration, has failed.
    """
    iterations = spent.shape[1]
    failed = np.zeros(iterations, dtype=bool)
    limit = max_retries + 1
    risky = np.flatnonzero(failure_rate > 0)
    certain = risky[failure_rate[risky] >= 1]
    if certain.size:
        spent[certain] *= limit
        failed[:] = True
    chance = risky[failure_rate[risky] < 1]
    if chance.size:
        first_success = rng.geometric(
            1 - failure_rate[chance][:, None], size=(chance.size, iterations)
        )
        failed |= (first_success > limit).any(axis=0)
        spent[chance] *= np.minimum(first_success, limit)
    return failed


def forward_many(plan: Plan, duration: Array) -> Array:
    """The plan's forward pass over every iteration at once: finish times, tasks × iterations.
    The same ready rule as `forward` (`Plan.ready_time`), on rows instead of floats."""
    finish = np.empty_like(duration)
    opens = np.zeros(duration.shape[1])
    for k, tasks in enumerate(plan.phases):
        if k:
            opens = plan.phase_opens(finish[plan.phases[k - 1]].max(axis=0))
        for i in tasks:
            np.add(plan.ready_time(i, finish, opens), duration[i], out=finish[i])
    return finish


def criticality_many(
    plan: Plan, duration: Array, finish: Array, *, overwrite: bool = False
) -> Array:
    """Per task, the share of iterations in which it has zero total slack (CPM on the
    parallel plan, backward pass over every iteration at once).

    With `overwrite`, the latest starts are written over `finish` row by row (a row's finish
    is read for its slack just before), so the pass allocates nothing the size of the
    samples: on a cold process, touching fresh memory costs more than the arithmetic.
    """
    iterations = duration.shape[1]
    end = finish.max(axis=0) if len(finish) else np.zeros(iterations)
    tolerance = 1e-9 * np.maximum(1.0, end)
    latest_start = finish if overwrite else np.empty_like(duration)
    critical = np.zeros(len(duration))
    start = np.empty(iterations)
    other = np.empty(iterations)
    for i in reversed(plan.phases[0] if plan.phases else []):
        np.subtract(plan.latest_finish(i, latest_start, end), duration[i], out=start)
        # slack = latest start − earliest start, earliest start = finish − duration
        np.subtract(finish[i], duration[i], out=other)
        np.subtract(start, other, out=other)
        np.abs(other, out=other)
        critical[i] = np.count_nonzero(other <= tolerance) / iterations
        latest_start[i] = start
    return critical


def simulate(
    flow: Flow,
    *,
    iterations: int = 1000,
    seed: int | None = None,
    blueprints: Sequence[Blueprint] = BLUEPRINTS,
    max_retries: int = 2,
    what_if: WhatIf = WhatIf(),
    bins: int = 30,
    progress: Progress | None = None,
    graph: FlowGraph | None = None,
) -> dict[str, Any]:
    """Monte Carlo of each blueprint's cycle time; the same seed gives the same numbers.

    `graph` is `FlowGraph(flow)` when the caller has built it already (the wizard's step 6
    measures the flow on the same one), so the flow is not indexed again.
    """
    if not 1 <= iterations <= MAX_ITERATIONS:
        raise FlowError(f"iterations must be between 1 and {MAX_ITERATIONS}", field="iterations")
    if not 0 <= max_retries <= 20:
        raise FlowError("max_retries must be between 0 and 20", field="max_retries")
    if seed is None:
        seed = new_seed()
    if seed < 0:
        raise FlowError("seed must be 0 or more", field="seed")
    blueprints = tuple(dict.fromkeys(blueprints))
    if not blueprints:
        raise FlowError(
            "blueprints: name at least one of sequential, hybrid, parallel", field="blueprints"
        )
    setting = _prepare(flow, what_if, blueprints, graph)
    graph = setting.graph
    durations_seed, failures_seed = np.random.SeedSequence(seed).spawn(2)
    tasks = flow.tasks
    spent = pert_samples(
        np.array([t.duration.optimistic for t in tasks], dtype=float),
        np.array([t.duration.likely for t in tasks], dtype=float),
        np.array([t.duration.pessimistic for t in tasks], dtype=float),
        iterations,
        durations_seed,
    )
    failed = _apply_retries(
        spent,
        np.array([t.failure_rate for t in tasks], dtype=float),
        max_retries,
        np.random.default_rng(failures_seed),
    )
    completed = ~failed

    steps = len(blueprints) + 1  # each blueprint, then criticality
    parallel_plan = setting.plans.get("parallel") or plan_for(
        graph, "parallel", handoff=what_if.handoff_delay, sync=what_if.sync_overhead
    )
    # The unconstrained parallel forward pass serves the parallel cycle times (when pools do
    # not constrain them) and the criticality: computed once.
    parallel_finish = forward_many(parallel_plan, spent)
    cycle: dict[str, Array] = {}
    for n, blueprint in enumerate(blueprints):
        part = None if progress is None else _part_of(progress, n, steps)
        if blueprint == "parallel" and not setting.constrained and len(spent):
            cycle[blueprint] = parallel_finish.max(axis=0)
            if part:
                part(1.0)
            continue
        cycle[blueprint] = _cycle_times(setting, setting.plans[blueprint], spent, part)
    critical = criticality_many(parallel_plan, spent, parallel_finish, overwrite=True)
    del parallel_finish
    if progress:
        progress(1.0)

    deterministic = {
        b: cycle_time(_schedule(setting, setting.plans[b], graph.duration)) for b in blueprints
    }
    kept = {b: c[completed] for b, c in cycle.items()}
    edges = _bin_edges(kept, bins)
    results = {
        b: {
            **_statistics(kept[b]),
            "histogram": {
                "edges": [_r(e) for e in edges],
                "counts": np.histogram(kept[b], bins=edges)[0].tolist()
                if kept[b].size
                else [0] * bins,
            },
            "deterministic": _r(deterministic[b]),
            "utilisation": _utilisation(setting, spent, cycle[b], completed),
        }
        for b in blueprints
    }
    comparison = {}
    if "sequential" in kept:
        for b in blueprints:
            if b == "sequential" or not kept[b].size:
                continue
            saving = kept["sequential"] - kept[b]
            tolerance = 1e-9 * np.maximum(1.0, kept["sequential"])
            comparison[b] = {
                "faster_share": _r(float((saving > tolerance).mean())),
                "mean_saving": _r(float(saving.mean())),
                "p50_saving": _r(float(np.percentile(saving, 50))),
            }
    headline = next(b for b in ("parallel", "hybrid", "sequential") if b in results)
    return {
        "iterations": iterations,
        "seed": seed,
        "max_retries": max_retries,
        "blueprints": list(blueprints),
        "results": results,
        "failed_share": _r(float(failed.mean())),
        "criticality": {key: _r(float(c)) for key, c in zip(graph.keys, critical, strict=True)},
        "utilisation": results[headline]["utilisation"],
        "utilisation_blueprint": headline,
        "comparison": comparison,
    }


def _part_of(progress: Progress, n: int, steps: int) -> Progress:
    return lambda share: progress((n + share) / steps)


def _cycle_times(setting: _Setting, plan: Plan, spent: Array, progress: Progress | None) -> Array:
    iterations = spent.shape[1]
    cycles: Array
    if not len(spent):
        cycles = np.zeros(iterations)
    elif plan.blueprint == "sequential":
        cycles = spent.sum(axis=0) + plan.handoff * (len(spent) - 1)
    elif not setting.constrained:
        cycles = forward_many(plan, spent).max(axis=0)
    else:
        # Every iteration list-scheduled, many at once (the same decisions as
        # `list_schedule`, to the last bit); the cycle time is the latest finish.
        cycles = list_schedule_cycle_times(plan, spent, setting.needs, setting.capacity, progress)
    if progress:
        progress(1.0)
    return cycles


def _utilisation(
    setting: _Setting, spent: Array, cycle: Array, completed: NDArray[np.bool_]
) -> dict[str, float]:
    shares = {}
    busy_cycles = completed & (cycle > 0)
    for pool, cap in setting.capacity.items():
        units = np.array([need.get(pool, 0) for need in setting.needs], dtype=float)
        if not busy_cycles.any():
            shares[pool] = 0.0
            continue
        busy = units @ spent[:, busy_cycles] if len(units) else np.zeros(int(busy_cycles.sum()))
        shares[pool] = _r(float((busy / (cap * cycle[busy_cycles])).mean()))
    return shares


def _statistics(values: Array) -> dict[str, float | None]:
    if not values.size:
        return dict.fromkeys(("p50", "p80", "p95", "mean", "std", "min", "max"))
    p50, p80, p95 = np.percentile(values, [50, 80, 95])
    return {
        "p50": _r(float(p50)),
        "p80": _r(float(p80)),
        "p95": _r(float(p95)),
        "mean": _r(float(values.mean())),
        "std": _r(float(values.std())),
        "min": _r(float(values.min())),
        "max": _r(float(values.max())),
    }


def _bin_edges(samples: Mapping[str, Array], bins: int) -> Array:
    """One set of bins for every blueprint, so their histograms overlay."""
    values = [v for v in samples.values() if v.size]
    if not values:
        return np.linspace(0, 1, bins + 1)
    low = min(float(v.min()) for v in values)
    high = max(float(v.max()) for v in values)
    if high <= low:
        high = low + 1.0
    return np.linspace(low, high, bins + 1)


def _r(value: float) -> float:
    rounded = round(float(value), REPORTED_DECIMALS)
    return 0.0 if rounded == 0 else rounded
