"""The assessment's computed parts: contention, clusters, readiness, the recommendation."""

import pytest

from designer.analysis.assessment import (
    assessment_outcome,
    clusters,
    contention,
    figures,
    readiness,
    recommend,
    sheet_lean,
)
from designer.analysis.document import flow_from_document
from designer.examples import example_assessments, example_documents
from tests.factories import content_document, flow_document

READY = {
    "state_management": "yes",
    "monitoring": "full",
    "failure_policy": "retry_and_proceed",
    "team_maturity": 5,
    "tooling": 5,
}


def test_readiness_scores_out_of_five_with_advice_when_low():
    assert readiness(READY)["score"] == 5.0
    low = readiness(
        {**READY, "state_management": "no", "monitoring": "none", "team_maturity": 2, "tooling": 1}
    )
    assert low["score"] == 1.25
    assert low["low"] is True
    assert low["advice"].startswith("Start mostly sequential")
    partial = readiness({"state_management": "partly"})
    assert partial["score"] == 0.5
    assert partial["missing"] == ["monitoring", "failure_policy", "team_maturity", "tooling"]


def test_readiness_at_the_threshold_is_not_low():
    at = readiness(
        {
            **READY,
            "state_management": "no",
            "monitoring": "none",
            "team_maturity": 3,
            "tooling": 3,
            "failure_policy": "undecided",
        }
    )
    assert at["score"] == 1.0
    exactly = readiness(
        {
            **READY,
            "state_management": "partly",
            "monitoring": "none",
            "team_maturity": 3,
            "tooling": 3,
        }
    )
    assert exactly["score"] == 2.5
    assert exactly["low"] is False


def test_sheet_lean_averages_answered_rows():
    assert sheet_lean({}) == 0.0
    assert sheet_lean({"primary_objective": -2, "monitoring": -2}) == -1.0
    assert sheet_lean({"primary_objective": 2, "monitoring": 0}) == 0.5


def test_content_figures_and_clusters():
    flow = flow_from_document(content_document())
    measured = figures(flow)
    assert measured["blueprints"]["parallel"]["gain"] == 4.0
    assert measured["blueprints"]["parallel"]["gain_share"] == pytest.approx(0.1159, abs=1e-4)
    # h = 0.5, s = 0.25 add 4 h to sequential, 4 to parallel and 5.25 to hybrid.
    assert measured["blueprints"]["sequential"]["overhead"] == 4.0
    assert measured["blueprints"]["parallel"]["overhead"] == 4.0
    assert measured["blueprints"]["hybrid"]["overhead"] == 5.25
    assert clusters(flow) == [
        {
            "tasks": ["T3", "T4"],
            "saving": 4.5,
            "saving_unconstrained": 4.5,
            "longest": 5.0,
            "makespan": 5.0,
            "balanced": True,
            "contention": [],
        }
    ]


def test_tasks_competing_for_a_scarce_pool_are_flagged():
    doc = content_document()
    doc["resources"] = [{"name": "Researcher", "capacity": 1}]
    for task in doc["tasks"]:
        if task["key"] in ("T3", "T4"):
            task["resources"] = {"Researcher": 1}
    flow = flow_from_document(doc)
    # T3 runs 6-11 and T4 6-10 on the parallel schedule: both want the one researcher.
    assert contention(flow) == [
        {
            "pool": "Researcher",
            "capacity": 1,
            "demand": 2,
            "tasks": ["T3", "T4"],
            "start": 6.0,
            "end": 10.0,
        }
    ]
    cluster = clusters(flow)[0]
    assert cluster["balanced"] is False
    # One researcher: T3 then T4, 9 h; one after the other with a handoff, 9.5 h.
    assert (cluster["makespan"], cluster["saving"], cluster["saving_unconstrained"]) == (
        9.0,
        0.5,
        4.5,
    )


def measured(sequential, hybrid, parallel, unit="hours"):
    return {
        "time_unit": unit,
        "blueprints": {
            name: {
                "cycle_time": cycle,
                "gain": sequential - cycle,
                "gain_share": (sequential - cycle) / sequential,
                "overhead": 0.0,
            }
            for name, cycle in (
                ("sequential", sequential),
                ("hybrid", hybrid),
                ("parallel", parallel),
            )
        },
    }


@pytest.mark.parametrize(
    ("numbers", "ready", "sheet", "blueprint", "deciding"),
    [
        ((100, 99, 97), READY, {}, "sequential", ["measured gain"]),
        ((100, 80, 60), READY, {"primary_objective": -2}, "sequential", ["decision sheet"]),
        ((100, 80, 60), {}, {}, "hybrid", ["readiness", "measured gain"]),
        ((100, 98, 60), {}, {}, "sequential", ["readiness", "measured gain"]),
        (
            (100, 80, 60),
            READY,
            {"primary_objective": 2},
            "parallel",
            ["decision sheet", "readiness", "measured gain"],
        ),
        ((100, 70, 60), READY, {}, "hybrid", ["measured gain"]),
        ((100, 90, 60), READY, {}, "parallel", ["measured gain", "readiness"]),
    ],
)
def test_recommendation_rules(numbers, ready, sheet, blueprint, deciding):
    result = recommend(measured(*numbers), readiness(ready), sheet)
    assert result["blueprint"] == blueprint
    assert result["deciding"] == deciding
    assert result["reasons"][0].startswith("parallel takes ")
    assert " h (" in result["reasons"][0]


def test_tie_between_hybrid_and_parallel_gain_goes_to_hybrid():
    # Hybrid keeps exactly 60 % of parallel's gain: the rule takes hybrid at the boundary.
    result = recommend(measured(100, 76, 60), readiness(READY), {})
    assert result["blueprint"] == "hybrid"
    assert result["rule"].startswith("hybrid keeps 60% of parallel's gain")


def test_empty_and_one_task_flows():
    empty = assessment_outcome(flow_from_document(flow_document({})), {})
    assert empty["recommendation"] is None
    assert empty["clusters"] == []
    one = assessment_outcome(flow_from_document(flow_document({"A": 2})), {"readiness": READY})
    assert one["recommendation"]["blueprint"] == "sequential"
    assert one["recommendation"]["deciding"] == ["measured gain"]


def test_examples_recommend_what_the_guide_concludes():
    answers = example_assessments()
    labels = {}
    for document in example_documents():
        outcome = assessment_outcome(flow_from_document(document), answers[document["name"]])
        labels[document["name"]] = outcome["recommendation"]["label"]
    assert labels == {
        "Content production": "Hybrid",
        "Regulatory submission": "Primarily sequential",
        "Marketing campaign launch": "Parallel-oriented",
    }
