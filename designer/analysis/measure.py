"""Step 6's measurements on the schedule a flow can actually keep: pools respected.

The plain cycle times of `cpm.py` assume unlimited resources. A recommendation built on
them overstates parallelism whenever tasks share a pool, so the wizard measures every
blueprint on the resource-constrained schedule (the list scheduler shared with the simulator
and the run engine), puts the simulator's P50 and P80 beside it, and derives from that one
schedule the gains, the coordination overhead, the critical chain, the contention, the
cluster savings, the dependency audit and the cost of speed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from functools import cached_property
from itertools import pairwise
from typing import Any

from .graph import FlowGraph, derived_phases, hard_levels, names_phases, own_phases
from .model import Dependency, Flow, format_duration
from .optimise import optimise
from .plans import (
    BLUEPRINTS,
    Blueprint,
    Plan,
    Slot,
    constrained_schedule,
    cycle_time,
    forward,
    hybrid_layout,
    list_schedule,
    plan_for,
    plan_of,
)
from .simulation import simulate

SIMULATION_ITERATIONS = 500  # enough for a steady P50/P80, quick enough for each request
# With pools every iteration is list-scheduled in Python: above 40 such tasks the runs are
# cut so that tasks × runs stays near 20,000 (never under 100), keeping a request near 1 s.
CONSTRAINED_TASK_RUNS = 20_000
MIN_ITERATIONS = 100
SIMULATION_SEED = 1  # one seed for every blueprint and every request: figures do not jitter
AUDIT_LIMIT = 200  # dependencies audited at most; each one costs a full set of schedules
# The solver's budget per blueprint for the optimal schedule, in its deterministic work
# units (about two seconds at most on a hard 30-task flow here) so the same flow always gets
# the same figures; the wall-clock cap is a safety net on a loaded machine.
SOLVER_WORK = 0.5
SOLVER_SECONDS = 5.0
ROUNDING = 9


def _r(value: float) -> float:
    rounded = round(value, ROUNDING)
    return 0.0 if rounded == 0 else rounded


def _tolerance(scale: float) -> float:
    return 1e-9 * max(1.0, abs(scale))


def constrained_slots(
    g: FlowGraph,
    blueprint: Blueprint,
    *,
    handoff: float | None = None,
    sync: float | None = None,
) -> tuple[Plan, list[Slot]]:
    """A blueprint's schedule on likely durations with pools respected.

    Sequential runs one task at a time, so it never contends (capacities are checked first).
    """
    plan = plan_for(g, blueprint, handoff=handoff, sync=sync)
    needs = [dict(t.resources) for t in g.flow.tasks]
    capacity = {p.name: p.capacity for p in g.flow.resources}
    return plan, constrained_schedule(plan, g.keys, g.duration, needs, capacity)


class Basis:
    """A flow indexed once (one `FlowGraph`), planned once per blueprint and scheduled once,
    shared by every figure of step 6: the measurements, the contention, the clusters and
    the dependency audit, whose relaxed variants are derived from these plans."""

    def __init__(self, flow: Flow):
        self.flow = flow
        self.graph = FlowGraph(flow)
        self.plans: dict[Blueprint, Plan] = {b: plan_for(self.graph, b) for b in BLUEPRINTS}
        self.needs = [dict(t.resources) for t in flow.tasks]
        self.capacity = {p.name: p.capacity for p in flow.resources}

    def schedule(self, plan: Plan) -> list[Slot]:
        """A plan's schedule on likely durations with pools respected."""
        return constrained_schedule(
            plan, self.graph.keys, self.graph.duration, self.needs, self.capacity
        )

    @cached_property
    def unlimited(self) -> dict[Blueprint, list[Slot]]:
        """Each blueprint's schedule with unlimited resources (the forward pass)."""
        return {b: forward(plan, self.graph.duration) for b, plan in self.plans.items()}

    @cached_property
    def constrained(self) -> dict[Blueprint, list[Slot]]:
        """Each blueprint's schedule with pools respected."""
        return {b: self.schedule(plan) for b, plan in self.plans.items()}


def driving_chain(g: FlowGraph, plan: Plan, slots: Sequence[Slot]) -> list[dict[str, str]]:
    """The chain of tasks that drives the finish of a schedule, resource waits included.

    Start from the task that finishes last (ties: the lower key) and walk back: a task that
    started later than its ready time waited for a pool, and the task that released a unit
    of that pool at its start is the one before it (`resource`); otherwise the predecessor
    whose finish + h (+ s at a join) is its start (`dependency`, or `sequence` in the
    sequential blueprint), or for the first tasks of a hybrid phase, the previous phase's
    last task (`phase`). The walk ends at a task that starts with the flow (`start`).
    On a schedule without pools this is the CPM critical path, read from its end.
    """
    n = len(slots)
    if not n:
        return []
    needs = [t.resources for t in g.flow.tasks]
    end = cycle_time(slots)
    tol = _tolerance(end)
    finish = [s.finish for s in slots]
    phase_start = [0.0] * len(plan.phases)
    for k in range(1, len(plan.phases)):
        phase_start[k] = plan.phase_opens(max(finish[i] for i in plan.phases[k - 1]))
    link = "sequence" if plan.blueprint == "sequential" else "dependency"

    def earlier_first(candidates: list[int]) -> int:
        return min(candidates, key=g.rank.__getitem__)

    node = earlier_first([i for i in range(n) if abs(slots[i].finish - end) <= tol])
    chain: list[dict[str, str]] = []
    seen = {node}
    while True:
        start = slots[node].start
        before = plan.preds[node]
        k = plan.phase_of[node]
        ready = plan.ready_time(node, finish, phase_start[k])
        previous: int | None = None
        via = "start"
        if start > ready + tol:
            releasing = [
                q
                for q in range(n)
                if q not in seen
                and abs(slots[q].finish - start) <= tol
                and any(pool in needs[node] for pool in needs[q])
            ]
            if releasing:
                previous, via = earlier_first(releasing), "resource"
        if previous is None and before:
            binding = [p for p in before if abs(slots[p].finish + plan.delay(node) - start) <= tol]
            binding = [p for p in binding if p not in seen]
            if binding:
                previous, via = earlier_first(binding), link
        if previous is None and not before and k > 0 and abs(start - phase_start[k]) <= tol:
            last = max(slots[i].finish for i in plan.phases[k - 1])
            closing = [
                i
                for i in plan.phases[k - 1]
                if abs(slots[i].finish - last) <= tol and i not in seen
            ]
            if closing:
                previous, via = earlier_first(closing), "phase"
        chain.append({"key": g.keys[node], "via": via})
        if previous is None:
            break
        seen.add(previous)
        node = previous
    chain.reverse()  # each entry says how its task was reached from the one before it
    return chain


def _busy_cost(flow: Flow, slots: Sequence[Slot]) -> float | None:
    """Busy units × time × rate, summed over the pools that have a rate."""
    rates = {p.name: p.cost_per_unit for p in flow.resources if p.cost_per_unit is not None}
    if not rates:
        return None
    total = 0.0
    for task, slot in zip(flow.tasks, slots, strict=True):
        for pool, units in task.resources.items():
            if pool in rates:
                total += units * (slot.finish - slot.start) * (rates[pool] or 0.0)
    return _r(total)


def cost_enabled(flow: Flow) -> bool:
    """The cost of speed is shown only when the flow says what time or a pool is worth."""
    return flow.value_per_time_unit is not None or any(
        p.cost_per_unit is not None for p in flow.resources
    )


def simulation_iterations(flow: Flow) -> int:
    """500 runs, fewer for a large flow with pools (see `CONSTRAINED_TASK_RUNS`)."""
    if not any(t.resources for t in flow.tasks):
        return SIMULATION_ITERATIONS
    fitting = CONSTRAINED_TASK_RUNS // max(1, len(flow.tasks))
    return max(MIN_ITERATIONS, min(SIMULATION_ITERATIONS, fitting))


def measure(
    flow: Flow, *, iterations: int | None = None, basis: Basis | None = None
) -> dict[str, Any]:
    """Every blueprint's figures on the constrained schedule, with P50 and P80 beside them.

    Gain is sequential's cycle time minus the blueprint's; overhead is the cycle time minus
    the same constrained schedule with no handoff delay and no sync overhead. `basis` is
    the flow's, when the caller shares one between the figures of step 6.
    """
    if iterations is None:
        iterations = simulation_iterations(flow)
    basis = Basis(flow) if basis is None else basis
    g = basis.graph
    unlimited = {b: cycle_time(slots) for b, slots in basis.unlimited.items()}
    simulated: dict[str, Any] = (
        simulate(flow, iterations=iterations, seed=SIMULATION_SEED, graph=g)
        if flow.tasks
        else {"results": {}, "failed_share": 0.0}
    )
    schedules = basis.constrained
    sequential = cycle_time(schedules["sequential"])
    sequential_cost = _busy_cost(flow, schedules["sequential"])
    with_cost = cost_enabled(flow)
    blueprints: dict[str, Any] = {}
    constrained = any(t.resources for t in flow.tasks)
    for name in BLUEPRINTS:
        plan, slots = basis.plans[name], schedules[name]
        # Without delays: the same plan with h = s = 0 (the flow's own graph, no other).
        bare = replace(plan, handoff=0.0, sync=0.0)
        greedy = cycle_time(slots)
        optimised: dict[str, Any] | None = None
        if constrained and name != "sequential":
            # The optimal levelled schedule, where the solver finds one shorter than greedy's:
            # every figure of the blueprint is then read off it, and says so.
            best = optimise(
                flow, name, time_limit=SOLVER_SECONDS, deterministic_time=SOLVER_WORK, graph=g
            )
            if best.cycle_time < greedy - _tolerance(greedy):
                slots = best.slots
            optimised = {
                "status": best.status,
                "greedy_cycle_time": _r(greedy),
                "lower_bound": _r(best.lower_bound),
                "gap": _r(best.gap),
            }
        cycle = cycle_time(slots)
        gain = sequential - cycle
        chain = driving_chain(g, plan, slots)
        stats = simulated["results"].get(name, {})
        figures: dict[str, Any] = {
            "cycle_time": _r(cycle),
            "unconstrained": _r(unlimited[name]),
            "p50": stats.get("p50"),
            "p80": stats.get("p80"),
            "gain": _r(gain),
            "gain_share": round(gain / sequential, 4) if sequential > 0 else 0.0,
            # Greedy against greedy: the optimal schedule's own gain is not coordination's.
            "overhead": _r(greedy - cycle_time(basis.schedule(bare))),
            "optimised": optimised,
            "schedule": {
                key: [_r(s.start), _r(s.finish)] for key, s in zip(g.keys, slots, strict=True)
            },
            "critical_path": [entry["key"] for entry in chain],
            "critical_chain": chain,
            "cost": None,
        }
        if with_cost:
            cost = _busy_cost(flow, slots)
            extra = None if cost is None or sequential_cost is None else _r(cost - sequential_cost)
            value = (
                None if flow.value_per_time_unit is None else _r(gain * flow.value_per_time_unit)
            )
            figures["cost"] = {
                "resource_cost": cost,
                "extra_cost": extra,
                "time_saved": _r(gain),
                "value": value,
                "net": _r((value or 0.0) - (extra or 0.0)),
            }
        blueprints[name] = figures
    return {
        "time_unit": flow.time_unit,
        "constrained": constrained,
        "critical_path": blueprints["parallel"]["critical_path"],
        "simulation": {
            "iterations": iterations,
            "seed": SIMULATION_SEED,
            "failed_share": simulated["failed_share"],
        },
        "cost_enabled": with_cost,
        "value_per_time_unit": flow.value_per_time_unit,
        "blueprints": blueprints,
    }


def contention(flow: Flow, *, basis: Basis | None = None) -> list[dict[str, Any]]:
    """Pools whose concurrent demand exceeds their capacity in the parallel schedule with
    unlimited resources, across levels: each time window of excess, with the tasks in it.

    This is where the constrained schedule has to make tasks wait, so where parallelism
    cannot pay in full.
    """
    if not flow.tasks:
        return []
    basis = Basis(flow) if basis is None else basis
    g = basis.graph
    slots = basis.unlimited["parallel"]
    found: list[dict[str, Any]] = []
    for pool in flow.resources:
        users = [
            i
            for i, t in enumerate(flow.tasks)
            if pool.name in t.resources and slots[i].finish > slots[i].start
        ]
        times = sorted({slots[i].start for i in users} | {slots[i].finish for i in users})
        window: dict[str, Any] | None = None
        for a, b in pairwise(times):
            running = [i for i in users if slots[i].start <= a and slots[i].finish >= b]
            demand = sum(flow.tasks[i].resources[pool.name] for i in running)
            if demand > pool.capacity:
                if window is None:
                    window = {"tasks": [], "demand": 0, "start": a}
                window["end"] = b
                window["demand"] = max(window["demand"], demand)
                window["tasks"] += [i for i in running if i not in window["tasks"]]
            elif window is not None:
                found.append(_window(g, pool.name, pool.capacity, window))
                window = None
        if window is not None:
            found.append(_window(g, pool.name, pool.capacity, window))
    return found


def _window(g: FlowGraph, pool: str, capacity: int, window: Mapping[str, Any]) -> dict[str, Any]:
    tasks = sorted(window["tasks"], key=g.rank.__getitem__)
    return {
        "pool": pool,
        "capacity": capacity,
        "demand": window["demand"],
        "tasks": [g.keys[i] for i in tasks],
        "start": _r(window["start"]),
        "end": _r(window["end"]),
    }


def clusters(
    flow: Flow, *, basis: Basis | None = None, clashes: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """Independent clusters (derived phases of two or more tasks) and what running each in
    parallel saves with its pools respected.

    Saving = (sum of durations + h × (size − 1)) − the cluster's own makespan when its
    tasks start together and queue for the pools they need; without pools the makespan is
    the longest duration, which is the design document's figure (`saving_unconstrained`).
    `clashes` is `contention(flow)` when the caller has it.
    """
    if not flow.tasks:
        return []
    basis = Basis(flow) if basis is None else basis
    g = basis.graph
    capacity = basis.capacity
    if clashes is None:
        clashes = contention(flow, basis=basis)
    report = []
    for level in derived_phases(g):
        if len(level) < 2:
            continue
        durations = [g.duration[i] for i in level]
        needs = [dict(flow.tasks[i].resources) for i in level]
        alone = Plan(
            blueprint="parallel",
            preds=[[] for _ in level],
            succs=[[] for _ in level],
            phases=[list(range(len(level)))],
            phase_of=[0] * len(level),
            handoff=g.handoff,
            sync=g.sync,
            rank=[g.rank[i] for i in level],
        )
        makespan = cycle_time(list_schedule(alone, durations, needs, capacity))
        serial = sum(durations) + g.handoff * (len(level) - 1)
        keys = [g.keys[i] for i in level]
        members = set(keys)
        collisions = [c for c in clashes if len(members & set(c["tasks"])) >= 2]
        report.append(
            {
                "tasks": keys,
                "saving": _r(serial - makespan),
                "saving_unconstrained": _r(serial - max(durations)),
                "longest": max(durations),
                "makespan": _r(makespan),
                "balanced": _r(makespan) == _r(max(durations)),
                "contention": collisions,
            }
        )
    return report


def relaxed_plans(basis: Basis, dependency: Dependency) -> dict[Blueprint, Plan]:
    """Parallel's and hybrid's plans with one dependency relaxed (hard made soft, soft
    removed), derived from the flow's own graph and plans rather than from a new graph.

    Relaxing takes one edge out of one graph: a hard one leaves the hard graph (it still
    orders, as soft), a soft one leaves the ordering graph. Parallel follows the hard graph,
    so it changes only in the first case, by that edge. Hybrid's phases are recomputed on
    the changed graph: the hard levels when the flow names no phases, the phase a task
    without one inherits (over the ordering edges) when it does. The flow's topological
    order stays valid, since an order that respects every edge respects all but one.
    """
    g = basis.graph
    source, target = g.index[dependency.source], g.index[dependency.target]
    hard_preds, hard_succs, ordering_preds = g.hard_preds, g.hard_succs, g.ordering_preds
    parallel = basis.plans["parallel"]
    if dependency.strength == "hard":
        hard_preds = _without(hard_preds, target, source)
        hard_succs = _without(hard_succs, source, target)
        parallel = replace(parallel, preds=hard_preds, succs=hard_succs)
    else:
        ordering_preds = _without(ordering_preds, target, source)
    groups = (
        own_phases(basis.flow, g.order, ordering_preds, g.by_key)
        if names_phases(basis.flow)
        else hard_levels(g.order, hard_preds, g.by_key)
    )
    preds, phases = hybrid_layout(groups, g.order, hard_preds)
    hybrid = plan_of("hybrid", preds, phases, handoff=g.handoff, sync=g.sync, rank=g.rank)
    return {"parallel": parallel, "hybrid": hybrid}


def _without(rows: list[list[int]], row: int, value: int) -> list[list[int]]:
    """`rows` with `value` taken out of one row; the other rows are shared, not copied."""
    changed = list(rows)
    changed[row] = [v for v in rows[row] if v != value]
    return changed


def dependency_audit(
    flow: Flow, measured: Mapping[str, Any], *, basis: Basis | None = None
) -> dict[str, Any]:
    """For every hard and soft dependency, the parallel and hybrid cycle times if it were
    relaxed — a hard one made soft, a soft one removed — on the same constrained schedule
    as step 6, ranked by the larger of the two savings (then parallel's, then flow order).

    Only hard dependencies hold back parallel and hybrid work, and a soft one orders only
    the sequential blueprint (and places a task without a phase), so relaxing a soft
    dependency usually saves nothing: the audit says so rather than hiding it. A relaxed
    plan equal to the flow's own (a soft dependency parallel ignores, an edge between two
    hybrid phases whose tasks stay put) keeps the flow's own schedule.
    """
    basis = Basis(flow) if basis is None else basis
    unit = measured["time_unit"]
    base = measured["blueprints"]
    audited = [n for n, d in enumerate(flow.dependencies) if d.strength in ("hard", "soft")]
    truncated = len(audited) > AUDIT_LIMIT
    entries: list[dict[str, Any]] = []
    for n in audited[:AUDIT_LIMIT]:
        dependency = flow.dependencies[n]
        relaxed = relaxed_plans(basis, dependency)
        parallel = _relaxed_cycle(basis, "parallel", relaxed["parallel"])
        hybrid = _relaxed_cycle(basis, "hybrid", relaxed["hybrid"])
        parallel_saving = _r(greedy_cycle_time(base["parallel"]) - parallel)
        hybrid_saving = _r(greedy_cycle_time(base["hybrid"]) - hybrid)
        saving = max(parallel_saving, hybrid_saving)
        relaxed_to = "soft" if dependency.strength == "hard" else "removed"
        entries.append(
            {
                "from": dependency.source,
                "to": dependency.target,
                "strength": dependency.strength,
                "note": dependency.note,
                "relaxed_to": relaxed_to,
                "parallel": _r(parallel),
                "hybrid": _r(hybrid),
                "parallel_saving": parallel_saving,
                "hybrid_saving": hybrid_saving,
                "saving": saving,
                "position": n,
                "text": audit_sentence(
                    dependency.source,
                    dependency.target,
                    relaxed_to,
                    parallel_saving,
                    hybrid_saving,
                    unit,
                ),
            }
        )
    entries.sort(key=lambda e: (-e["saving"], -e["parallel_saving"], e["position"]))
    return {"entries": entries, "truncated": truncated, "limit": AUDIT_LIMIT}


def greedy_cycle_time(figures: Mapping[str, Any]) -> float:
    """A blueprint's cycle time under greedy levelling, optimised or not: what the audit
    compares its (greedy) relaxed schedules with."""
    optimised = figures.get("optimised")
    return float(optimised["greedy_cycle_time"] if optimised else figures["cycle_time"])


def _relaxed_cycle(basis: Basis, blueprint: Blueprint, plan: Plan) -> float:
    if plan == basis.plans[blueprint]:
        return cycle_time(basis.constrained[blueprint])
    return cycle_time(basis.schedule(plan))


def audit_sentence(
    source: str, target: str, relaxed_to: str, parallel: float, hybrid: float, unit: str
) -> str:
    """One line of the audit, the same in the API, step 2, step 6 and both reports."""
    how = "making it soft" if relaxed_to == "soft" else "removing it"
    if parallel == 0 and hybrid == 0:
        return f"{source} → {target}: {how} saves no time"

    def effect(saving: float, blueprint: str, verb_said: str | None = None) -> str:
        if saving == 0:
            return f"changes nothing in {blueprint}"
        verb = "saves" if saving > 0 else "adds"
        said = "" if verb == verb_said else f"{verb} "
        return f"{said}{format_duration(abs(saving), unit)} in {blueprint}"

    first_verb = None if parallel == 0 else ("saves" if parallel > 0 else "adds")
    return (
        f"{source} → {target}: {how} {effect(parallel, 'parallel')} and "
        f"{effect(hybrid, 'hybrid', first_verb)}"
    )


__all__ = [
    "AUDIT_LIMIT",
    "SIMULATION_ITERATIONS",
    "SIMULATION_SEED",
    "Basis",
    "clusters",
    "constrained_slots",
    "contention",
    "cost_enabled",
    "dependency_audit",
    "driving_chain",
    "measure",
    "relaxed_plans",
]
