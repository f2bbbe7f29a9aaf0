"""The dependency audit derives each relaxed variant's plans from the flow's one graph;
its figures must be those of the relaxed flow indexed and planned afresh."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from designer.analysis.document import flow_from_document
from designer.analysis.graph import FlowGraph
from designer.analysis.measure import (
    ROUNDING,
    Basis,
    constrained_slots,
    dependency_audit,
    relaxed_plans,
)
from designer.analysis.model import Flow
from designer.analysis.plans import cycle_time
from tests.analysis.test_properties import SETTINGS, flow_documents


def relaxed_flow(flow: Flow, position: int) -> Flow:
    """The flow with one dependency relaxed, as a person would edit it: hard made soft,
    soft removed."""
    dependency = flow.dependencies[position]
    rest = list(flow.dependencies)
    if dependency.strength == "hard":
        rest[position] = replace(dependency, strength="soft")
    else:
        del rest[position]
    return replace(flow, dependencies=tuple(rest))


def rounded(value: float) -> float:
    return round(value, ROUNDING) or 0.0


def feasible(doc: dict[str, Any], unphased: list[bool]) -> Flow:
    """The drawn flow with needs cut to their pool's capacity, and some tasks left without a
    phase (they then join the latest phase of what they wait for)."""
    capacity = {p["name"]: p["capacity"] for p in doc["resources"]}
    for task, drop in zip(doc["tasks"], unphased, strict=True):
        task["resources"] = {p: min(u, capacity[p]) for p, u in task["resources"].items()}
        if drop:
            task["phase"] = None
    return flow_from_document(doc)


@SETTINGS
@given(flow_documents(min_tasks=2), st.data())
def test_relaxed_plans_schedule_the_relaxed_flow(doc: dict[str, Any], data: st.DataObject) -> None:
    flow = feasible(
        doc,
        data.draw(st.lists(st.booleans(), min_size=len(doc["tasks"]), max_size=len(doc["tasks"]))),
    )
    basis = Basis(flow)
    for n, dependency in enumerate(flow.dependencies):
        if dependency.strength == "none":
            continue
        afresh = FlowGraph(relaxed_flow(flow, n))
        derived = relaxed_plans(basis, dependency)
        for blueprint in ("parallel", "hybrid"):
            plan = derived[blueprint]
            expected = constrained_slots(afresh, blueprint)[1]
            assert basis.schedule(plan) == expected, (blueprint, dependency)
            # The same dependencies inside each phase, the same phases.
            built = constrained_slots(afresh, blueprint)[0]
            assert [sorted(p) for p in plan.preds] == [sorted(p) for p in built.preds]
            assert [sorted(k) for k in plan.phases] == [sorted(k) for k in built.phases]


@SETTINGS
@given(flow_documents(min_tasks=2, strengths=("hard", "soft")), st.data())
def test_the_audit_reports_the_relaxed_flows_cycle_times(
    doc: dict[str, Any], data: st.DataObject
) -> None:
    flow = feasible(
        doc,
        data.draw(st.lists(st.booleans(), min_size=len(doc["tasks"]), max_size=len(doc["tasks"]))),
    )
    own = FlowGraph(flow)
    measured = {
        "time_unit": flow.time_unit,
        "blueprints": {
            b: {"cycle_time": rounded(cycle_time(constrained_slots(own, b)[1]))}
            for b in ("parallel", "hybrid")
        },
    }
    audit = dependency_audit(flow, measured)
    by_position = {entry["position"]: entry for entry in audit["entries"]}
    assert sorted(by_position) == list(range(len(flow.dependencies)))
    for n in range(len(flow.dependencies)):
        afresh = FlowGraph(relaxed_flow(flow, n))
        entry = by_position[n]
        for b in ("parallel", "hybrid"):
            relaxed = cycle_time(constrained_slots(afresh, b)[1])
            assert entry[b] == rounded(relaxed)
            assert entry[f"{b}_saving"] == rounded(
                measured["blueprints"][b]["cycle_time"] - relaxed
            )
