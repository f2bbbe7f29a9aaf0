"""The simulator: resource-constrained schedules and Monte Carlo, with exact checks."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from designer.analysis.cpm import analyse
from designer.analysis.document import flow_from_document
from designer.analysis.errors import FlowError
from designer.analysis.graph import FlowGraph
from designer.analysis.plans import cycle_time, forward, list_schedule, plan_for, pool_usage
from designer.analysis.simulation import WhatIf, constrained_schedules, pert_samples, simulate
from tests.factories import content_document, flow_document


def independent(count: int, hours: float, capacity: int, units: int = 1):
    doc = flow_document(
        {f"T{n}": hours for n in range(1, count + 1)},
        resources=[{"name": "Crew", "capacity": capacity}],
    )
    for task in doc["tasks"]:
        task["resources"] = {"Crew": units}
    return flow_from_document(doc)


def test_four_two_hour_tasks_on_two_units_take_four_hours():
    schedules = constrained_schedules(independent(4, 2, capacity=2))
    assert schedules["parallel"]["cycle_time"] == 4
    assert schedules["parallel"]["tasks"] == {
        "T1": [0, 2],
        "T2": [0, 2],
        "T3": [2, 4],
        "T4": [2, 4],
    }
    assert schedules["parallel"]["utilisation"] == {"Crew": 1.0}
    assert schedules["parallel"]["usage"]["Crew"] == [[0, 2], [4, 0]]


def test_four_two_hour_tasks_on_four_units_take_two_hours():
    assert constrained_schedules(independent(4, 2, capacity=4))["parallel"]["cycle_time"] == 2


def test_what_if_capacity_changes_the_schedule_not_the_flow():
    flow = independent(4, 2, capacity=2)
    assert (
        constrained_schedules(flow, what_if=WhatIf(capacities={"Crew": 4}))["parallel"][
            "cycle_time"
        ]
        == 2
    )
    assert flow.resources[0].capacity == 2


def test_capacity_one_on_every_task_reproduces_the_sequential_sum():
    doc = content_document(handoff_delay=0, sync_overhead=0)
    doc["resources"] = [{"name": "Team", "capacity": 1}]
    for task in doc["tasks"]:
        task["resources"] = {"Team": 1}
    schedules = constrained_schedules(flow_from_document(doc))
    assert schedules["parallel"]["cycle_time"] == schedules["sequential"]["cycle_time"] == 30.5
    assert schedules["hybrid"]["cycle_time"] == 30.5


def test_contention_orders_by_longest_remaining_path_then_key():
    # A and B compete for one writer; B leads a longer chain, so it goes first.
    doc = flow_document(
        {"A": 2, "B": 2, "C": 5}, [("B", "C")], resources=[{"name": "Writer", "capacity": 1}]
    )
    doc["tasks"][0]["resources"] = doc["tasks"][1]["resources"] = {"Writer": 1}
    tasks = constrained_schedules(flow_from_document(doc))["parallel"]["tasks"]
    assert tasks == {"A": [2, 4], "B": [0, 2], "C": [2, 7]}
    # Equal remaining paths: the lower key first.
    doc = flow_document({"B": 2, "A": 2}, resources=[{"name": "Writer", "capacity": 1}])
    doc["tasks"][0]["resources"] = doc["tasks"][1]["resources"] = {"Writer": 1}
    tasks = constrained_schedules(flow_from_document(doc))["parallel"]["tasks"]
    assert tasks == {"B": [2, 4], "A": [0, 2]}


def test_hybrid_keeps_its_phase_barriers_under_constraints():
    doc = flow_document(
        {"A": 1, "B": 3, "C": 1},
        handoff_delay=0.5,
        sync_overhead=0.5,
        phases=[{"name": "One"}, {"name": "Two"}],
        resources=[{"name": "Crew", "capacity": 1}],
    )
    for task, phase in zip(doc["tasks"], ["One", "One", "Two"], strict=True):
        task["phase"] = phase
        task["resources"] = {"Crew": 1}
    tasks = constrained_schedules(flow_from_document(doc))["hybrid"]["tasks"]
    # B (longer) first, then A; phase Two opens at 4 + 0.5 + 0.5.
    assert tasks == {"A": [3, 4], "B": [0, 3], "C": [5, 6]}


def test_a_task_needing_more_than_its_pool_holds_is_refused_by_name():
    with pytest.raises(FlowError) as caught:
        constrained_schedules(independent(2, 1, capacity=2, units=3))
    assert caught.value.message == "task T1 needs 3 units of pool 'Crew', which has a capacity of 2"
    with pytest.raises(
        FlowError, match="task T1 needs 3 units of pool 'Crew', which has a capacity of 2"
    ):
        simulate(independent(2, 1, capacity=2, units=3), iterations=10, seed=1)


def test_bad_what_ifs_are_refused_by_field():
    flow = independent(2, 1, capacity=2)
    with pytest.raises(
        FlowError, match=r"overrides.capacities.Robots: the flow has no resource pool 'Robots'"
    ):
        constrained_schedules(flow, what_if=WhatIf(capacities={"Robots": 3}))
    with pytest.raises(
        FlowError, match=r"overrides.capacities.Crew must be a whole number of at least 1"
    ):
        constrained_schedules(flow, what_if=WhatIf(capacities={"Crew": 0}))
    with pytest.raises(FlowError, match=r"overrides.handoff_delay must be a number of at least 0"):
        constrained_schedules(flow, what_if=WhatIf(handoff_delay=-1))


def test_zero_spread_gives_the_deterministic_figures():
    doc = content_document()
    for task in doc["tasks"]:
        likely = task["duration"]["likely"]
        task["duration"] = {"optimistic": likely, "likely": likely, "pessimistic": likely}
    result = simulate(flow_from_document(doc), iterations=200, seed=3)
    for blueprint, expected in (("sequential", 34.5), ("hybrid", 31.75), ("parallel", 30.5)):
        figures = result["results"][blueprint]
        assert figures["deterministic"] == expected
        assert (
            figures["p50"],
            figures["p80"],
            figures["p95"],
            figures["mean"],
            figures["std"],
        ) == (
            expected,
            expected,
            expected,
            expected,
            0.0,
        )
    criticality = result["criticality"]
    assert criticality["T4"] == 0.0
    assert {k: v for k, v in criticality.items() if k != "T4"} == dict.fromkeys(
        ["T1", "T2", "T3", "T5", "T6", "T7", "T8", "T9"], 1.0
    )
    assert result["comparison"]["hybrid"] == {
        "faster_share": 1.0,
        "mean_saving": 2.75,
        "p50_saving": 2.75,
    }
    assert result["failed_share"] == 0.0


def test_pert_mean_of_one_two_nine_is_three():
    samples = pert_samples(
        np.array([1.0]), np.array([2.0]), np.array([9.0]), 200_000, np.random.SeedSequence(7)
    )
    assert samples.mean() == pytest.approx(3.0, abs=0.02)
    assert samples.min() >= 1 and samples.max() <= 9
    # Beta(α = 1.5, β = 4.5) scaled by 8: sd = 8·sqrt(αβ / ((α+β)²(α+β+1))) ≈ 1.309.
    assert samples.std() == pytest.approx(8 * np.sqrt(1.5 * 4.5 / (6**2 * 7)), rel=0.02)


def test_same_seed_same_numbers_to_the_last_digit():
    flow = flow_from_document(content_document())
    first = simulate(flow, iterations=500, seed=42)
    assert simulate(flow, iterations=500, seed=42) == first
    assert simulate(flow, iterations=500, seed=43) != first


def test_uncertainty_moves_percentiles_above_the_deterministic_figure():
    result = simulate(flow_from_document(content_document()), iterations=4000, seed=5)
    parallel = result["results"]["parallel"]
    # Every estimate leans right (pessimistic farther than optimistic), so the mean rises.
    assert parallel["deterministic"] == 30.5
    assert parallel["p50"] > 30.5
    assert parallel["p50"] <= parallel["p80"] <= parallel["p95"]
    assert sum(parallel["histogram"]["counts"]) == 4000
    assert len(parallel["histogram"]["edges"]) == 31
    assert result["results"]["sequential"]["histogram"]["edges"] == parallel["histogram"]["edges"]
    assert 0 < result["criticality"]["T4"] < 1


def test_retries_spend_the_duration_again():
    doc = flow_document({"A": 2})
    doc["tasks"][0]["failure_rate"] = 0.5
    result = simulate(flow_from_document(doc), iterations=20_000, seed=11, max_retries=2)
    # Fails for good only when all three attempts fail: 1/8 of iterations.
    assert result["failed_share"] == pytest.approx(0.125, abs=0.01)
    figures = result["results"]["sequential"]
    assert (figures["min"], figures["max"]) == (2.0, 6.0)
    # Of completed runs: 2 h with 4/7, 4 h with 2/7, 6 h with 1/7 → mean 22/7.
    assert figures["mean"] == pytest.approx(22 / 7, abs=0.05)


def test_certain_failure_fails_every_iteration():
    doc = flow_document({"A": 2})
    doc["tasks"][0]["failure_rate"] = 1
    result = simulate(flow_from_document(doc), iterations=50, seed=1, max_retries=0)
    assert result["failed_share"] == 1.0
    assert result["results"]["parallel"]["p50"] is None
    assert sum(result["results"]["parallel"]["histogram"]["counts"]) == 0


def test_resource_constrained_monte_carlo():
    result = simulate(independent(4, 2, capacity=2), iterations=100, seed=1)
    assert result["results"]["parallel"]["p50"] == 4.0
    assert result["utilisation"] == {"Crew": 1.0}
    assert result["utilisation_blueprint"] == "parallel"
    wider = simulate(
        independent(4, 2, capacity=2),
        iterations=100,
        seed=1,
        what_if=WhatIf(capacities={"Crew": 4}),
    )
    assert wider["results"]["parallel"]["p50"] == 2.0


def test_what_if_delays():
    flow = flow_from_document(content_document())
    result = simulate(flow, iterations=10, seed=1, what_if=WhatIf(handoff_delay=0, sync_overhead=0))
    assert {b: r["deterministic"] for b, r in result["results"].items()} == {
        "sequential": 30.5,
        "hybrid": 26.5,
        "parallel": 26.5,
    }


def test_only_the_blueprints_asked_for():
    result = simulate(
        flow_from_document(content_document()), iterations=10, seed=1, blueprints=["hybrid"]
    )
    assert list(result["results"]) == ["hybrid"]
    assert result["comparison"] == {}
    with pytest.raises(
        FlowError, match="blueprints: 'fastest' is not one of sequential, hybrid, parallel"
    ):
        simulate(
            flow_from_document(content_document()), iterations=10, seed=1, blueprints=["fastest"]
        )


def test_empty_and_one_task_flows():
    empty = simulate(flow_from_document(flow_document({})), iterations=10, seed=1)
    assert empty["results"]["parallel"]["p50"] == 0.0
    one = simulate(flow_from_document(flow_document({"A": (1, 2, 3)})), iterations=100, seed=1)
    assert one["criticality"] == {"A": 1.0}


def test_progress_is_reported_up_to_done():
    seen = []
    simulate(independent(4, 2, capacity=2), iterations=200, seed=1, progress=seen.append)
    assert seen == sorted(seen)
    assert seen[-1] == 1.0


# Properties on random flows with pools -------------------------------------------------


@st.composite
def pooled_flows(draw):
    n = draw(st.integers(1, 12))
    pools = draw(st.lists(st.integers(1, 3), min_size=1, max_size=3))
    doc = flow_document(
        {f"T{i}": draw(st.integers(0, 8)) / 2 for i in range(1, n + 1)},
        handoff_delay=draw(st.sampled_from([0, 0.5])),
        sync_overhead=draw(st.sampled_from([0, 0.25])),
        resources=[{"name": f"P{k}", "capacity": c} for k, c in enumerate(pools)],
    )
    for i in range(1, n + 1):
        for j in range(i + 1, n + 1):
            if draw(st.booleans()) and draw(st.booleans()):
                doc["dependencies"].append({"from": f"T{i}", "to": f"T{j}", "strength": "hard"})
    for task in doc["tasks"]:
        k = draw(st.integers(-1, len(pools) - 1))
        if k >= 0:
            task["resources"] = {f"P{k}": draw(st.integers(1, pools[k]))}
    return flow_from_document(doc)


@settings(max_examples=80, deadline=None)
@given(flow=pooled_flows())
def test_constrained_is_never_faster_and_never_overbooks(flow):
    unconstrained = analyse(flow)["cycle_time"]
    schedules = constrained_schedules(flow)
    capacity = {p.name: p.capacity for p in flow.resources}
    for blueprint in ("parallel", "hybrid"):
        assert schedules[blueprint]["cycle_time"] >= unconstrained[blueprint] - 1e-9
        for pool, steps in schedules[blueprint]["usage"].items():
            assert all(0 <= units <= capacity[pool] for _, units in steps)
    assert schedules["sequential"]["cycle_time"] == pytest.approx(unconstrained["sequential"])


@settings(max_examples=80, deadline=None)
@given(flow=pooled_flows())
def test_list_schedule_with_room_for_all_is_the_forward_pass(flow):
    g = FlowGraph(flow)
    needs = [dict(t.resources) for t in flow.tasks]
    roomy = {p.name: 10**6 for p in flow.resources}
    for blueprint in ("parallel", "hybrid"):
        plan = plan_for(g, blueprint)
        assert list_schedule(plan, g.duration, needs, roomy) == forward(plan, g.duration)


@settings(max_examples=60, deadline=None)
@given(
    count=st.integers(1, 10),
    hours=st.integers(1, 6),
    capacity=st.integers(1, 10),
    more=st.integers(1, 5),
)
def test_more_capacity_is_never_slower_for_independent_tasks(count, hours, capacity, more):
    slower = constrained_schedules(independent(count, hours, capacity))["parallel"]["cycle_time"]
    faster = constrained_schedules(independent(count, hours, capacity + more))["parallel"][
        "cycle_time"
    ]
    assert faster <= slower
    assert slower == hours * -(-count // capacity)  # ⌈count / capacity⌉ rounds of work


def test_pool_usage_steps():
    g = FlowGraph(independent(3, 1, capacity=3))
    slots = forward(plan_for(g, "parallel"), [1, 2, 3])
    assert cycle_time(slots) == 3
    assert pool_usage(slots, [{"Crew": 1}] * 3, ["Crew"]) == {
        "Crew": [(0.0, 3), (1, 2), (2, 1), (3, 0)]
    }
