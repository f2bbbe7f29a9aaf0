"""The run engine and the list scheduler are one scheduling core: with fixed durations and a
pool that binds, a run starts its tasks in the order and at the times `list_schedule` gives
(times in the run's seconds: time units × the run's time scale)."""

import pytest
from django.utils import timezone

from designer.analysis.document import flow_from_document
from designer.analysis.graph import FlowGraph
from designer.analysis.plans import forward, list_schedule, plan_for, remaining_path
from runs import engine
from tests.factories import flow_document
from tests.runs.test_policies import EPOCH, Clock, begin, simulate

TIME_SCALE = 2.0  # seconds per time unit


@pytest.fixture
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr(timezone, "now", fake)
    monkeypatch.setattr(engine, "_CONTEXTS", {})  # cached by run id and creation time
    return fake


def contended_flow(capacity):
    """Several tasks ready at once after A, and two independent ones from the start, every
    task needing one unit of Crew: the pool decides who goes first."""
    document = flow_document(
        {"A": 1, "B": 3, "C": 2, "D": 1.5, "E": 1, "F": 1, "G": 2.5, "H": 0.75},
        [("A", "B"), ("A", "C"), ("A", "D"), ("C", "E"), ("B", "F"), ("D", "F")],
        handoff_delay=0.5,
        sync_overhead=0.25,
        resources=[{"name": "Crew", "capacity": capacity}],
        phases=[{"name": "One"}, {"name": "Two"}],
    )
    for task in document["tasks"]:
        task["resources"] = {"Crew": 1}
        task["phase"] = "One" if task["key"] in "ABCG" else "Two"
    return document


def list_scheduled_starts(document, blueprint):
    """(task, start in seconds) in start order, ties in the list scheduler's priority order;
    and whether the pool held any task back from its unconstrained start."""
    spec = flow_from_document(document)
    g = FlowGraph(spec)
    plan = plan_for(g, blueprint)
    needs = [dict(t.resources) for t in spec.tasks]
    capacity = {p.name: p.capacity for p in spec.resources}
    slots = list_schedule(plan, g.duration, needs, capacity)
    free = forward(plan, g.duration)
    priority = remaining_path(plan, g.duration)
    order = sorted(range(len(slots)), key=lambda i: (slots[i].start, -priority[i], g.rank[i]))
    held_back = any(s.start > f.start for s, f in zip(slots, free, strict=True))
    return [(g.keys[i], slots[i].start * TIME_SCALE) for i in order], held_back


@pytest.mark.parametrize("capacity", [1, 2])
@pytest.mark.parametrize("blueprint", ["parallel", "hybrid"])
def test_engine_starts_tasks_in_the_list_schedules_order_and_times(
    alice, clock, blueprint, capacity
):
    document = contended_flow(capacity)
    expected, held_back = list_scheduled_starts(document, blueprint)
    assert held_back  # the pool really binds, so the order is the scheduler's choice
    run, step = begin(
        alice, document, blueprint=blueprint, time_scale=TIME_SCALE, failure_policy="fail_fast"
    )
    simulate(clock, step)
    run.refresh_from_db()
    assert run.status == "succeeded"
    started = [
        (e.task, (e.at - EPOCH).total_seconds())
        for e in run.events.filter(kind="task", data__to="running").order_by("seq")
    ]
    assert started == expected
