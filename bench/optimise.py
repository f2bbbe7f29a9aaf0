"""The optimiser against greedy levelling on random resource-constrained flows.

Flows in the shape of the classic project-scheduling benchmarks (30 tasks, four renewable
pools, durations of 1 to 10, a few predecessors each): how much shorter the proven schedule
is than longest-remaining-path-first, how often the optimum is proven, how long it takes.
"""

from __future__ import annotations

import random
import statistics
from typing import Any

from bench.support import Report, Row

POOLS = ("Design", "Build", "Test", "Review")
SMALL, SMALL_FLOWS, SMALL_LIMIT = 30, 20, 10.0
LARGE, LARGE_FLOWS, LARGE_LIMIT = 120, 5, 20.0


def random_pooled_document(tasks: int, seed: int) -> dict[str, Any]:
    """`tasks` tasks of 1-10 time units, each with one to three predecessors among the tasks
    before it (the first few have none), each needing one to four pools; capacities chosen
    so that the pools bind (about half the peak demand of the unlevelled schedule)."""
    rng = random.Random(seed)
    capacity = {pool: rng.randint(4, 10) for pool in POOLS}
    docs_tasks = []
    dependencies = []
    for i in range(tasks):
        likely = rng.randint(1, 10)
        wanted = rng.sample(POOLS, rng.randint(1, 4))
        docs_tasks.append(
            {
                "key": f"T{i + 1}",
                "name": f"Task {i + 1}",
                "duration": {"optimistic": likely, "likely": likely, "pessimistic": likely},
                "resources": {p: rng.randint(1, max(1, capacity[p] * 2 // 3)) for p in wanted},
            }
        )
        if i >= 3:
            for p in rng.sample(range(i), min(i, rng.randint(1, 3))):
                dependencies.append({"from": f"T{p + 1}", "to": f"T{i + 1}", "strength": "hard"})
    return {
        "format": "vivido.flow/1",
        "name": f"Random pooled flow {tasks} (seed {seed})",
        "handoff_delay": rng.choice([0, 0.5, 1]),
        "sync_overhead": rng.choice([0, 0.25]),
        "resources": [{"name": p, "capacity": c} for p, c in capacity.items()],
        "tasks": docs_tasks,
        "dependencies": dependencies,
    }


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def optimiser(repeat: int = 1) -> Report:
    """Each flow solved once (a solve is its own timing; `repeat` does not apply)."""
    from designer.analysis.document import flow_from_document
    from designer.analysis.optimise import WORKERS, optimise

    report = Report(
        "optimiser",
        "CP-SAT optimal levelling against greedy (longest remaining path first), parallel",
    )
    for size, count, limit in (
        (SMALL, SMALL_FLOWS, SMALL_LIMIT),
        (LARGE, LARGE_FLOWS, LARGE_LIMIT),
    ):
        gains, times, firsts, proven, flows = [], [], [], 0, []
        for seed in range(count):
            flow = flow_from_document(random_pooled_document(size, seed))
            result = optimise(flow, "parallel", time_limit=limit)
            gain = 1 - result.cycle_time / result.greedy_cycle_time
            gains.append(gain)
            times.append(result.solve_seconds)
            if result.first_better_seconds is not None:
                firsts.append(result.first_better_seconds)
            proven += result.status == "optimal"
            flows.append(
                {
                    "seed": seed,
                    "greedy": result.greedy_cycle_time,
                    "best": result.cycle_time,
                    "lower_bound": result.lower_bound,
                    "status": result.status,
                    "seconds": round(result.solve_seconds, 3),
                    "first_better_seconds": None
                    if result.first_better_seconds is None
                    else round(result.first_better_seconds, 3),
                }
            )
        label = f"{count} flows of {size} tasks, 4 pools, limit {limit:g} s"
        report.rows += [
            Row(f"{label}: median solve", statistics.median(times)),
            Row(f"{label}: p95 solve", _percentile(times, 0.95)),
            Row(
                f"{label}: median time to beat greedy",
                statistics.median(firsts) if firsts else None,
                note=f"{len(firsts)} of {count} flows beaten",
            ),
        ]
        report.facts[f"{size} tasks"] = {
            "mean gain over greedy": f"{statistics.mean(gains):.1%}",
            "worst gain (least)": f"{min(gains):.1%}",
            "best gain": f"{max(gains):.1%}",
            "proven optimal": f"{proven}/{count}",
            "slowest solve (s)": round(max(times), 3),
            "flows": flows,
        }
    report.facts["solver threads"] = WORKERS
    return report
