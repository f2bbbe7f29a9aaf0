"""Step 6 on the constrained schedule: exact figures, the audit, the cost of speed, and the
core-side defects of issue 12 reproduced first."""

from __future__ import annotations

import pytest

from designer.analysis.assessment import assessment_outcome, readiness, recommend
from designer.analysis.document import flow_from_document
from designer.analysis.measure import contention, dependency_audit, measure
from designer.analysis.report import report_blocks, report_markdown
from tests.factories import content_document, flow_document

# 3/5: two yes/full, an undecided policy, a team and tooling at 3 of 5.
THREE = {
    "state_management": "yes",
    "monitoring": "full",
    "failure_policy": "undecided",
    "team_maturity": 3,
    "tooling": 3,
}
READY = {**THREE, "failure_policy": "fail_fast", "team_maturity": 5, "tooling": 5}


def chain_and_x(sync: float = 1) -> dict:
    """Defect 1's flow: A→B→C→D→E, a day each, and an independent X of four days."""
    return flow_document(
        {"A": 1, "B": 1, "C": 1, "D": 1, "E": 1, "X": 4},
        [("A", "B"), ("B", "C"), ("C", "D"), ("D", "E")],
        sync_overhead=sync,
        time_unit="days",
    )


def risk_analyst() -> dict:
    """Defect 2's flow: T2 and T3 both need the one risk analyst."""
    doc = flow_document(
        {"T1": 2, "T2": 5, "T3": 5, "T4": 4.5, "T5": 3},
        [("T1", "T2"), ("T1", "T3"), ("T2", "T4"), ("T3", "T4")],
        resources=[{"name": "Risk analyst", "capacity": 1}],
    )
    for task in doc["tasks"]:
        if task["key"] in ("T2", "T3"):
            task["resources"] = {"Risk analyst": 1}
    return doc


def across_levels() -> dict:
    """Defect 3's flow: X (pool P, level 0) overlaps B (pool P, level 1)."""
    doc = flow_document(
        {"A": 2, "B": 4, "X": 6}, [("A", "B")], resources=[{"name": "P", "capacity": 1}]
    )
    for task in doc["tasks"]:
        if task["key"] in ("B", "X"):
            task["resources"] = {"P": 1}
    return doc


def test_defect_1_hybrid_slower_than_sequential_is_never_recommended():
    flow = flow_from_document(chain_and_x())
    outcome = assessment_outcome(flow, {"readiness": THREE})
    b = outcome["figures"]["blueprints"]
    assert (b["sequential"]["cycle_time"], b["parallel"]["cycle_time"]) == (9.0, 5.0)
    # Phases A X | B | C | D | E behind a one-day barrier each: 4 + 4 × (1 + 1) = 12 days.
    assert b["hybrid"]["cycle_time"] == 12.0
    rec = outcome["recommendation"]
    assert outcome["readiness"]["score"] == 3.0
    assert rec["eligible"] == ["sequential", "parallel"]
    assert rec["blueprint"] == "parallel"
    assert rec["rule"].startswith("hybrid would take 12 d, slower than sequential")
    assert "hybrid takes 12 d, 3 d more than sequential's 9 d" in rec["reasons"][1]
    assert not any("−" in r or "saving -" in r or "saves -" in r for r in rec["reasons"])


def test_defect_1_with_low_readiness_the_card_says_what_sequential_costs():
    flow = flow_from_document(chain_and_x())
    low = {**THREE, "state_management": "no", "monitoring": "none"}
    rec = assessment_outcome(flow, {"readiness": low})["recommendation"]
    assert rec["blueprint"] == "sequential"
    assert rec["trade_off"] == "sequential costs 4 d more than parallel"
    assert rec["summary"] == (
        "Sequential costs 4 d more than parallel, chosen because readiness is 1/5 and "
        "hybrid is slower than sequential to start with."
    )


def test_defect_2_step_six_respects_the_risk_analyst_pool():
    flow = flow_from_document(risk_analyst())
    outcome = assessment_outcome(flow, {"readiness": READY})
    par = outcome["figures"]["blueprints"]["parallel"]
    assert (par["unconstrained"], par["cycle_time"]) == (11.5, 16.5)
    assert (par["gain"], par["gain_share"]) == (3.0, 0.1538)
    assert outcome["recommendation"]["reasons"][0] == (
        "parallel takes 16.5 h, saving 3 h (15%) over sequential's 19.5 h, with 0 h of "
        "coordination overhead"
    )
    assert (
        "pools hold parallel to 16.5 h; with unlimited resources it would take 11.5 h"
        in outcome["recommendation"]["reasons"]
    )
    # The analyst does T2 then T3; T4 waits for T3, which waited for the pool.
    assert par["schedule"] == {
        "T1": [0.0, 2.0],
        "T2": [2.0, 7.0],
        "T3": [7.0, 12.0],
        "T4": [12.0, 16.5],
        "T5": [0.0, 3.0],
    }
    assert par["critical_chain"] == [
        {"key": "T1", "via": "start"},
        {"key": "T2", "via": "dependency"},
        {"key": "T3", "via": "resource"},
        {"key": "T4", "via": "dependency"},
    ]
    cluster = next(c for c in outcome["clusters"] if c["tasks"] == ["T2", "T3"])
    assert (cluster["saving"], cluster["saving_unconstrained"], cluster["balanced"]) == (
        0.0,
        5.0,
        False,
    )


def test_defect_3_contention_is_found_across_levels():
    flow = flow_from_document(across_levels())
    assert contention(flow) == [
        {"pool": "P", "capacity": 1, "demand": 2, "tasks": ["B", "X"], "start": 2.0, "end": 6.0}
    ]
    par = measure(flow)["blueprints"]["parallel"]
    assert (par["unconstrained"], par["cycle_time"]) == (6.0, 10.0)
    # X holds P from 0 to 6, so B starts at 6: the chain is X, then B waiting for the pool.
    assert par["critical_chain"] == [{"key": "X", "via": "start"}, {"key": "B", "via": "resource"}]


def test_content_example_audit_exact_values():
    flow = flow_from_document(content_document())
    audit = dependency_audit(flow, measure(flow))
    rows = [
        (e["from"], e["to"], e["relaxed_to"], e["parallel"], e["hybrid"], e["saving"])
        for e in audit["entries"]
    ]
    # Base: parallel 30.5, hybrid 31.75 (h = 0.5, s = 0.25).
    assert rows == [
        ("T5", "T6", "soft", 25.0, 29.0, 5.5),
        ("T6", "T7", "soft", 25.25, 29.0, 5.25),
        ("T7", "T8", "soft", 28.0, 28.75, 3.0),
        ("T1", "T2", "soft", 28.0, 29.0, 2.75),
        ("T3", "T5", "soft", 29.25, 31.75, 1.25),
        ("T8", "T9", "soft", 29.5, 30.5, 1.25),
        ("T2", "T3", "soft", 29.5, 33.75, 1.0),
        ("T4", "T5", "soft", 30.25, 31.75, 0.25),
        ("T5", "T7", "soft", 30.25, 31.75, 0.25),
        ("T2", "T4", "soft", 30.5, 33.75, 0.0),
        ("T1", "T6", "removed", 30.5, 31.75, 0.0),
    ]
    first = audit["entries"][0]
    assert first["text"] == "T5 → T6: making it soft saves 5.5 h in parallel and 2.75 h in hybrid"
    assert audit["entries"][6]["text"] == (
        "T2 → T3: making it soft saves 1 h in parallel and adds 2 h in hybrid"
    )
    assert audit["entries"][-1]["text"] == "T1 → T6: removing it saves no time"
    assert audit["truncated"] is False


def test_content_example_step_six_matches_the_design_figures():
    flow = flow_from_document(content_document())
    b = measure(flow)["blueprints"]
    assert [b[n]["cycle_time"] for n in ("sequential", "hybrid", "parallel")] == [34.5, 31.75, 30.5]
    assert [b[n]["overhead"] for n in ("sequential", "hybrid", "parallel")] == [4.0, 5.25, 4.0]
    assert b["parallel"]["critical_path"] == ["T1", "T2", "T3", "T5", "T6", "T7", "T8", "T9"]
    # P50 and P80 from 500 runs at seed 1: PERT-Beta skews every estimate late.
    assert (b["parallel"]["p50"], b["parallel"]["p80"]) == (33.162749, 35.159992)
    assert b["parallel"]["cost"] is None


def test_the_cost_of_speed_issue_example():
    doc = flow_document(
        {"A": 2, "B": 2},
        resources=[{"name": "Crew", "capacity": 2, "cost_per_unit": 10}],
        value_per_time_unit=100,
    )
    for task in doc["tasks"]:
        task["resources"] = {"Crew": 1}
    measured = measure(flow_from_document(doc))
    b = measured["blueprints"]
    assert measured["cost_enabled"] is True
    assert (b["sequential"]["cycle_time"], b["parallel"]["cycle_time"]) == (4.0, 2.0)
    assert b["sequential"]["cost"] == {
        "resource_cost": 40.0,
        "extra_cost": 0.0,
        "time_saved": 0.0,
        "value": 0.0,
        "net": 0.0,
    }
    assert b["parallel"]["cost"] == {
        "resource_cost": 40.0,
        "extra_cost": 0.0,
        "time_saved": 2.0,
        "value": 200.0,
        "net": 200.0,
    }


def test_cost_with_only_a_pool_rate_or_only_a_value():
    doc = flow_document({"A": 2, "B": 2}, resources=[{"name": "Crew", "capacity": 1}])
    for task in doc["tasks"]:
        task["resources"] = {"Crew": 1}
    assert measure(flow_from_document(doc))["blueprints"]["parallel"]["cost"] is None
    doc["value_per_time_unit"] = 50
    cost = measure(flow_from_document(doc))["blueprints"]["parallel"]["cost"]
    # One crew: parallel takes as long as sequential, so time saves nothing.
    assert cost == {
        "resource_cost": None,
        "extra_cost": None,
        "time_saved": 0.0,
        "value": 0.0,
        "net": 0.0,
    }


def test_readiness_has_no_score_before_any_answer():
    ready = readiness({})
    assert (ready["score"], ready["answered"], ready["low"]) == (None, 0, False)
    assert ready["advice"] == "Answer the questions to get a readiness score."
    rec = recommend(measure(flow_from_document(content_document())), ready, {})
    assert "readiness is not answered yet" in rec["reasons"]


@pytest.mark.parametrize("readiness_answers", [THREE, READY])
def test_report_uses_human_labels_and_the_same_words(readiness_answers):
    doc = content_document()
    doc["dependencies"][0]["note"] = "the topic brief"
    flow = flow_from_document(doc)
    answers = {"readiness": {**readiness_answers, "failure_policy": "retry_and_proceed"}}
    outcome = assessment_outcome(flow, answers)
    steps = [{"number": n, "state": "attention" if n == 6 else "done"} for n in range(1, 7)]
    text = report_markdown(report_blocks(flow, answers, outcome, steps))
    assert "retry_and_proceed" not in text.replace("\\_", "_")
    assert "Which failure policy will branches follow? Retry and proceed" in text
    assert "| T1 → T2 | hard | the topic brief |" in text
    assert "## 6. Prototype and measure (needs attention: an earlier change altered" in text
    assert "T5 → T6: making it soft saves 5.5 h in parallel and 2.75 h in hybrid" in text


def test_critical_chains_name_what_each_task_waited_for():
    b = measure(flow_from_document(content_document()))["blueprints"]
    # Sequential: each task waits for the one before it in the order.
    assert [e["via"] for e in b["sequential"]["critical_chain"]] == ["start"] + ["sequence"] * 8
    # Hybrid: one task a phase on the chain, each behind its phase's barrier.
    hybrid = b["hybrid"]["critical_chain"]
    assert [e["key"] for e in hybrid] == ["T1", "T2", "T3", "T5", "T6", "T7", "T8", "T9"]
    assert [e["via"] for e in hybrid] == ["start"] + ["phase"] * 7
