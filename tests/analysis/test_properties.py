"""Property tests of the analysis core on random acyclic flows.

Every flow drawn here is a valid `vivido.flow/1` document: tasks T1..Tn, dependencies only
from a lower to a higher index (so acyclic), phases (when used) assigned monotonically along
the index order (so no dependency points back), and every optional field present.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from designer.analysis.cpm import (
    FlowGraph,
    analyse,
    cycle_time,
    hybrid_schedule,
    parallel_schedule,
    sequential_schedule,
)
from designer.analysis.document import FORMAT, flow_from_document, flow_to_document
from designer.analysis.errors import FlowError
from designer.analysis.model import STRENGTHS, TIME_UNITS

MAX_TASKS = 25
SETTINGS = settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
# analyse() reports figures rounded to 9 decimal places: compare them to that absolute precision.
REPORTED = 1e-9
CYCLE_ARROW = " → "
CYCLE_PREFIX = "dependency cycle: "

# Text that survives a JSON round trip unchanged (no lone surrogates).
_chars = st.characters(codec="utf-8")
names = st.text(_chars, min_size=1, max_size=12)
texts = st.text(_chars, max_size=20)
# Whole numbers as ints and floats with (usually) a fractional part; both must survive.
durations = st.one_of(
    st.integers(0, 1000),
    st.floats(0, 1000, allow_nan=False, allow_infinity=False),
)
delays = st.one_of(st.integers(0, 20), st.floats(0, 20, allow_nan=False, allow_infinity=False))
coordinates = st.one_of(
    st.integers(-100_000, 100_000),
    st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False),
)
failure_rates = st.one_of(st.sampled_from([0, 1]), st.floats(0, 1, allow_nan=False))
executors = st.one_of(
    st.sampled_from(["simulated", "manual"]),
    st.from_regex(r"[a-z][a-z0-9_.-]{0,63}", fullmatch=True),
)


@st.composite
def flow_documents(
    draw: st.DrawFn,
    *,
    min_tasks: int = 0,
    max_tasks: int = MAX_TASKS,
    phases: str = "maybe",  # "never", "maybe" or "always"
    delays_zero: bool = False,
    strengths: tuple[str, ...] = STRENGTHS,
    with_resources: bool = True,
) -> dict[str, Any]:
    n = draw(st.integers(min_tasks, max_tasks))
    keys = [f"T{i + 1}" for i in range(n)]

    pools: list[dict[str, Any]] = []
    if with_resources:
        pool_names = draw(st.lists(names, max_size=3, unique=True))
        pools = [
            {"name": name, "capacity": draw(st.integers(1, 100_000)), "description": draw(texts)}
            for name in pool_names
        ]

    use_phases = phases == "always" or (phases == "maybe" and n > 0 and draw(st.booleans()))
    phase_list: list[dict[str, Any]] = []
    task_phase: list[str | None] = [None] * n
    if use_phases:
        phase_names = draw(st.lists(names, min_size=1, max_size=6, unique=True))
        phase_list = [{"name": name, "description": draw(texts)} for name in phase_names]
        # Monotone along the index order: a dependency (always lower → higher) never points back.
        positions = sorted(
            draw(st.lists(st.integers(0, len(phase_names) - 1), min_size=n, max_size=n))
        )
        task_phase = [phase_names[p] for p in positions]

    tasks = []
    for i, key in enumerate(keys):
        optimistic, likely, pessimistic = sorted(draw(st.lists(durations, min_size=3, max_size=3)))
        needs = draw(
            st.dictionaries(st.sampled_from([p["name"] for p in pools]), st.integers(1, 100_000))
            if pools
            else st.just({})
        )
        tasks.append(
            {
                "key": key,
                "name": draw(names),
                "description": draw(texts),
                "duration": {
                    "optimistic": optimistic,
                    "likely": likely,
                    "pessimistic": pessimistic,
                },
                "resources": needs,
                "phase": task_phase[i],
                "failure_rate": draw(failure_rates),
                "executor": draw(executors),
                "x": draw(coordinates),
                "y": draw(coordinates),
            }
        )

    pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=60)) if pairs else []
    dependencies = [
        {
            "from": keys[i],
            "to": keys[j],
            "strength": draw(st.sampled_from(strengths)),
            "note": draw(texts),
        }
        for i, j in chosen
    ]

    return {
        "format": FORMAT,
        "name": draw(names),
        "description": draw(texts),
        "time_unit": draw(st.sampled_from(TIME_UNITS)),
        "handoff_delay": 0 if delays_zero else draw(delays),
        "sync_overhead": 0 if delays_zero else draw(delays),
        "resources": pools,
        "phases": phase_list,
        "tasks": tasks,
        "dependencies": dependencies,
    }


def likely(doc: dict[str, Any]) -> dict[str, float]:
    return {t["key"]: float(t["duration"]["likely"]) for t in doc["tasks"]}


def hard_edges(doc: dict[str, Any]) -> set[tuple[str, str]]:
    return {(d["from"], d["to"]) for d in doc["dependencies"] if d["strength"] == "hard"}


def split_graph(doc: dict[str, Any], handoff: float = 0.0, sync: float = 0.0) -> nx.DiGraph:
    """Each task an edge (k, in) → (k, out) weighted by its duration; each hard dependency an
    edge (a, out) → (b, in) weighted by h, plus s when b is a join."""
    graph = nx.DiGraph()
    for key, duration in likely(doc).items():
        graph.add_edge((key, "in"), (key, "out"), weight=duration)
    edges = hard_edges(doc)
    indegree: dict[str, int] = {}
    for _, b in edges:
        indegree[b] = indegree.get(b, 0) + 1
    for a, b in edges:
        graph.add_edge((a, "out"), (b, "in"), weight=handoff + (sync if indegree[b] > 1 else 0.0))
    return graph


def tolerance(*values: float) -> float:
    return 1e-9 * max(1.0, *(abs(v) for v in values))


@SETTINGS
@given(flow_documents(delays_zero=True))
def test_parallel_cycle_time_is_longest_hard_path_without_delays(doc: dict[str, Any]) -> None:
    result = analyse(flow_from_document(doc))
    expected = nx.dag_longest_path_length(split_graph(doc), weight="weight")
    assert result["cycle_time"]["parallel"] == pytest.approx(expected, abs=REPORTED)


@SETTINGS
@given(flow_documents())
def test_parallel_cycle_time_is_longest_path_with_handoff_and_join_weights(
    doc: dict[str, Any],
) -> None:
    result = analyse(flow_from_document(doc))
    graph = split_graph(doc, float(doc["handoff_delay"]), float(doc["sync_overhead"]))
    expected = nx.dag_longest_path_length(graph, weight="weight")
    assert result["cycle_time"]["parallel"] == pytest.approx(expected, abs=REPORTED)


def _assert_ordered(doc: dict[str, Any]) -> None:
    g = FlowGraph(flow_from_document(doc))
    parallel = cycle_time(parallel_schedule(g))
    hybrid = cycle_time(hybrid_schedule(g))
    sequential = cycle_time(sequential_schedule(g))
    eps = tolerance(parallel, hybrid, sequential)
    assert parallel <= hybrid + eps
    assert hybrid <= sequential + eps


@SETTINGS
@given(flow_documents(delays_zero=True, phases="never"))
def test_parallel_le_hybrid_le_sequential_with_derived_phases(doc: dict[str, Any]) -> None:
    _assert_ordered(doc)


@SETTINGS
@given(flow_documents(delays_zero=True, phases="always", min_tasks=1))
def test_parallel_le_hybrid_le_sequential_with_assigned_phases(doc: dict[str, Any]) -> None:
    _assert_ordered(doc)


@SETTINGS
@given(flow_documents())
def test_slack_and_critical_path(doc: dict[str, Any]) -> None:
    result = analyse(flow_from_document(doc))
    tasks = result["tasks"]
    parallel = result["cycle_time"]["parallel"]
    for timing in tasks.values():
        assert timing["slack"] >= 0
    path = result["critical_path"]
    if not doc["tasks"]:
        assert path == []
        return
    assert path, "a non-empty flow has a critical path"
    for key in path:
        assert tasks[key]["slack"] == 0
    edges = hard_edges(doc)
    for a, b in itertools.pairwise(path):
        assert (a, b) in edges
    assert tasks[path[-1]]["earliest_finish"] == pytest.approx(parallel, abs=tolerance(parallel))
    assert not any(b == path[0] for _, b in edges)
    assert tasks[path[0]]["earliest_start"] == 0


@SETTINGS
@given(flow_documents())
def test_sequential_cycle_time_is_sum_plus_handoffs(doc: dict[str, Any]) -> None:
    result = analyse(flow_from_document(doc))
    n = len(doc["tasks"])
    if n == 0:
        assert result["cycle_time"]["sequential"] == 0
        return
    expected = sum(likely(doc).values()) + float(doc["handoff_delay"]) * (n - 1)
    assert result["cycle_time"]["sequential"] == pytest.approx(expected, abs=REPORTED)


@SETTINGS
@given(flow_documents())
def test_document_round_trip(doc: dict[str, Any]) -> None:
    once = flow_to_document(flow_from_document(doc))
    twice = flow_to_document(flow_from_document(once))
    assert once == twice
    # Idempotent down to the JSON text: the same numbers with the same types.
    assert json.dumps(once, sort_keys=True) == json.dumps(twice, sort_keys=True)
    # Input fully specified, so the output equals it (ints and floats compare numerically).
    for part in ("tasks", "dependencies", "resources", "phases"):
        assert once[part] == doc[part]
    for part in ("format", "name", "description", "time_unit", "handoff_delay", "sync_overhead"):
        assert once[part] == doc[part]
    assert once == doc


@SETTINGS
@given(flow_documents(min_tasks=2, phases="never"), st.data())
def test_closing_a_cycle_is_named(doc: dict[str, Any], data: st.DataObject) -> None:
    keys = [t["key"] for t in doc["tasks"]]
    deps = doc["dependencies"]
    ordering = nx.DiGraph()
    ordering.add_nodes_from(keys)
    ordering.add_edges_from((d["from"], d["to"]) for d in deps if d["strength"] != "none")
    pair = st.lists(st.sampled_from(range(len(keys))), min_size=2, max_size=2, unique=True)
    i, j = sorted(data.draw(pair))
    a, b = keys[i], keys[j]
    if not nx.has_path(ordering, a, b):
        # Make `b` reachable from `a`: strengthen an existing loose edge or add one.
        strength = data.draw(st.sampled_from(["hard", "soft"]))
        existing = next((d for d in deps if (d["from"], d["to"]) == (a, b)), None)
        if existing is not None:
            existing["strength"] = strength
        else:
            deps.append({"from": a, "to": b, "strength": strength, "note": ""})
        ordering.add_edge(a, b)
    if data.draw(st.booleans()):
        # Sometimes all in one phase: the phase rule must not mask the cycle.
        doc["phases"] = [{"name": "Only", "description": ""}]
        for task in doc["tasks"]:
            task["phase"] = "Only"
    back = {
        "from": b,
        "to": a,
        "strength": data.draw(st.sampled_from(["hard", "soft"])),
        "note": "",
    }
    deps.insert(data.draw(st.integers(0, len(deps))), back)
    ordering.add_edge(b, a)

    with pytest.raises(FlowError) as caught:
        flow_from_document(doc)
    message = caught.value.message
    assert message.startswith(CYCLE_PREFIX), message
    named = message[len(CYCLE_PREFIX) :].split(CYCLE_ARROW)
    assert len(named) >= 3, message
    assert named[0] == named[-1], message
    assert len(set(named[:-1])) == len(named) - 1, message
    for u, v in itertools.pairwise(named):
        assert ordering.has_edge(u, v), f"{message}: no hard/soft edge {u} → {v}"
    assert list(caught.value.keys) == named[:-1]


# The event-driven list scheduler against the plain greedy rule it replaced ---------------


@st.composite
def pooled_plans(draw: st.DrawFn) -> tuple[Any, ...]:
    """A random flow with pools (some tasks needing several, some more than one unit), phases
    for hybrid, delays, and durations with many ties (quarter hours, zeros included)."""
    from designer.analysis.graph import FlowGraph as Graph
    from designer.analysis.plans import plan_for

    n = draw(st.integers(1, 40))
    pools = draw(st.lists(st.integers(1, 4), min_size=1, max_size=4))
    tick = draw(st.sampled_from([0.25, 0.1, 1.0]))
    doc: dict[str, Any] = {
        "format": FORMAT,
        "name": "pooled",
        "handoff_delay": draw(st.sampled_from([0, 0.25, 0.1])),
        "sync_overhead": draw(st.sampled_from([0, 0.5, 0.3])),
        "resources": [{"name": f"P{k}", "capacity": c} for k, c in enumerate(pools)],
        "tasks": [],
        "dependencies": [],
    }
    use_phases = draw(st.booleans())
    if use_phases:
        doc["phases"] = [{"name": f"F{k}"} for k in range(3)]
    phase = 0
    for i in range(1, n + 1):
        likely = draw(st.integers(0, 12)) * tick
        task: dict[str, Any] = {
            "key": f"T{i}",
            "name": f"T{i}",
            "duration": {"optimistic": likely, "likely": likely, "pessimistic": likely},
        }
        need = {}
        for k, c in enumerate(pools):
            if draw(st.integers(0, 2)) == 0:
                need[f"P{k}"] = draw(st.integers(1, c))
        task["resources"] = need
        if use_phases:
            phase = min(2, phase + draw(st.integers(0, 1)) * draw(st.booleans()))
            task["phase"] = f"F{phase}"
        doc["tasks"].append(task)
    density = draw(st.sampled_from([0.0, 0.05, 0.15]))
    rnd = draw(st.randoms(use_true_random=False))
    for i in range(1, n + 1):
        for j in range(i + 1, n + 1):
            if rnd.random() < density:
                doc["dependencies"].append({"from": f"T{i}", "to": f"T{j}", "strength": "hard"})
    flow = flow_from_document(doc)
    g = Graph(flow)
    blueprint = draw(st.sampled_from(["parallel", "hybrid"]))
    needs = [dict(t.resources) for t in flow.tasks]
    capacity = {p.name: p.capacity for p in flow.resources}
    # Other durations than the likely ones: the priorities change, ties come and go.
    duration = [draw(st.integers(0, 12)) * tick for _ in range(n)]
    return plan_for(g, blueprint), duration, needs, capacity


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pooled_plans())
def test_event_driven_list_schedule_is_the_greedy_rule(case: tuple[Any, ...]) -> None:
    from designer.analysis.plans import list_schedule
    from tests.analysis.list_schedule_oracle import oracle_list_schedule

    plan, duration, needs, capacity = case
    assert list_schedule(plan, duration, needs, capacity) == oracle_list_schedule(
        plan, duration, needs, capacity
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pooled_plans(), st.integers(1, 6), st.randoms(use_true_random=False))
def test_lockstep_list_schedules_are_list_schedule_per_iteration(
    case: tuple[Any, ...], iterations: int, rnd: Any
) -> None:
    """Many iterations scheduled at once give every iteration's `list_schedule`, bit for bit:
    durations with ties (quarter hours) and without (continuous draws)."""
    import numpy as np

    from designer.analysis import lockstep
    from designer.analysis.plans import list_schedule

    plan, duration, needs, capacity = case
    columns = [duration] + [
        [rnd.choice([round(rnd.uniform(0, 3) * 4) / 4, rnd.uniform(0, 3)]) for _ in duration]
        for _ in range(iterations - 1)
    ]
    matrix = np.array(columns, dtype=float).T.reshape(len(duration), iterations)
    chunk = lockstep.CHUNK_CELLS
    lockstep.CHUNK_CELLS = max(1, len(duration) * rnd.randint(1, 3))  # several chunks too
    try:
        starts = lockstep.list_schedules(plan, matrix, needs, capacity)
    finally:
        lockstep.CHUNK_CELLS = chunk
    for k, column in enumerate(columns):
        expected = [slot.start for slot in list_schedule(plan, column, needs, capacity)]
        assert starts[:, k].tolist() == expected
