"""The design document's worked example, figure by figure, and small hand-worked flows."""

import pytest

from designer.analysis.cpm import analyse, topological_order
from designer.analysis.document import flow_from_document
from tests.factories import content_document, flow_document


@pytest.fixture
def content():
    return analyse(flow_from_document(content_document()))


def test_content_cycle_times(content):
    assert content["cycle_time"] == {"sequential": 34.5, "parallel": 30.5, "hybrid": 31.75}


def test_content_join_adds_handoff_and_sync(content):
    # T5 joins T3 (finish 11) and T4 (finish 10): 11 + 0.5 + 0.25.
    assert content["tasks"]["T5"]["earliest_start"] == 11.75
    assert content["tasks"]["T3"]["earliest_finish"] == 11
    assert content["tasks"]["T4"]["earliest_finish"] == 10


def test_content_slack(content):
    assert content["tasks"]["T4"] == {
        "earliest_start": 6.0,
        "earliest_finish": 10.0,
        "latest_start": 7.0,
        "latest_finish": 11.0,
        "slack": 1.0,
    }
    others = {key: t["slack"] for key, t in content["tasks"].items() if key != "T4"}
    assert others == dict.fromkeys(["T1", "T2", "T3", "T5", "T6", "T7", "T8", "T9"], 0.0)


def test_content_critical_path(content):
    assert content["critical_path"] == ["T1", "T2", "T3", "T5", "T6", "T7", "T8", "T9"]


def test_content_derived_phases_follow_the_guide(content):
    assert content["phases_derived"] is True
    assert content["phases"] == [
        ["T1"],
        ["T2"],
        ["T3", "T4"],
        ["T5"],
        ["T6"],
        ["T7"],
        ["T8"],
        ["T9"],
    ]


def test_content_one_cluster_saving(content):
    assert content["clusters"] == [["T3", "T4"]]
    assert content["cluster_savings"] == [4.5]


def test_content_without_delays():
    result = analyse(flow_from_document(content_document(handoff_delay=0, sync_overhead=0)))
    assert result["cycle_time"] == {"sequential": 30.5, "parallel": 26.5, "hybrid": 26.5}


def test_content_schedules(content):
    assert content["schedules"]["hybrid"]["T3"] == [6.5, 11.5]
    assert content["schedules"]["hybrid"]["T9"] == [31.25, 31.75]
    assert content["schedules"]["sequential"]["T9"] == [34.0, 34.5]
    assert content["schedules"]["parallel"]["T6"] == [20.25, 25.25]


def test_sequential_order_is_topological_with_ties_by_key():
    # T10 and T2 are both free after T1: T2 sorts before T10 as a person reads them.
    doc = flow_document({"T1": 1, "T10": 1, "T2": 1, "T3": 1}, [("T1", "T10"), ("T1", "T2")])
    assert topological_order(flow_from_document(doc)) == ["T1", "T2", "T3", "T10"]


def test_soft_dependency_orders_sequence_but_not_parallel():
    doc = flow_document({"A": 2, "B": 3}, [("B", "A", "soft")])
    result = analyse(flow_from_document(doc))
    assert result["order"] == ["B", "A"]
    assert result["cycle_time"] == {"sequential": 5, "parallel": 3, "hybrid": 3}


def test_none_dependency_constrains_nothing():
    doc = flow_document({"A": 2, "B": 3}, [("A", "B", "none")], handoff_delay=1)
    result = analyse(flow_from_document(doc))
    assert result["order"] == ["A", "B"]
    assert result["cycle_time"] == {"sequential": 6, "parallel": 3, "hybrid": 3}


def test_defined_phases_with_barriers():
    """Two phases: P1 = {A, B} in parallel, P2 = {C, D} with C → D inside.

    h = 1, s = 0.5. P1: A 0–4, B 0–2, ends at 4. P2 starts 4 + 1 + 0.5 = 5.5:
    C 5.5–6.5, D after C: 6.5 + 1 = 7.5–9.5. Hybrid 9.5.
    Parallel (hard A → C, C → D, B → D): A 0–4, B 0–2, C 5–6, D joins C and B:
    max(6, 2) + 1 + 0.5 = 7.5 → 9.5.
    """
    doc = flow_document(
        {"A": 4, "B": 2, "C": 1, "D": 2},
        [("A", "C"), ("C", "D"), ("B", "D")],
        handoff_delay=1,
        sync_overhead=0.5,
        phases=[{"name": "P1"}, {"name": "P2"}],
    )
    for task, phase in zip(doc["tasks"], ["P1", "P1", "P2", "P2"], strict=True):
        task["phase"] = phase
    result = analyse(flow_from_document(doc))
    assert result["phases"] == [["A", "B"], ["C", "D"]]
    assert result["phases_derived"] is False
    assert result["cycle_time"] == {"sequential": 12.0, "parallel": 9.5, "hybrid": 9.5}
    assert result["schedules"]["hybrid"]["C"] == [5.5, 6.5]
    assert result["tasks"]["B"]["slack"] == 4.0  # latest finish 7.5 − 1 − 0.5 = 6; 6 − 2 = 4
    assert result["critical_path"] == ["A", "C", "D"]


def test_unused_phase_costs_nothing():
    doc = flow_document({"A": 1, "B": 1}, [("A", "B")], handoff_delay=1, sync_overhead=1)
    doc["phases"] = [{"name": "First"}, {"name": "Empty"}, {"name": "Last"}]
    doc["tasks"][0]["phase"], doc["tasks"][1]["phase"] = "First", "Last"
    result = analyse(flow_from_document(doc))
    assert result["phases"] == [["A"], ["B"]]
    assert result["cycle_time"]["hybrid"] == 4.0  # 1, then 1 + 1 barrier, then 1


def test_empty_flow():
    result = analyse(flow_from_document(flow_document({})))
    assert result["cycle_time"] == {"sequential": 0, "parallel": 0, "hybrid": 0}
    assert result["critical_path"] == []
    assert result["phases"] == []
    assert result["clusters"] == []


def test_one_task_flow():
    result = analyse(flow_from_document(flow_document({"T1": 3}, handoff_delay=2)))
    assert result["cycle_time"] == {"sequential": 3, "parallel": 3, "hybrid": 3}
    assert result["critical_path"] == ["T1"]
    assert result["clusters"] == []


def test_parallel_branches_critical_path_takes_longer_branch():
    doc = flow_document(
        {"S": 1, "A": 2, "B": 5, "E": 1}, [("S", "A"), ("S", "B"), ("A", "E"), ("B", "E")]
    )
    result = analyse(flow_from_document(doc))
    assert result["critical_path"] == ["S", "B", "E"]
    assert result["tasks"]["A"]["slack"] == 3.0


def test_equal_branches_critical_path_takes_lower_key():
    doc = flow_document(
        {"S": 1, "A": 2, "B": 2, "E": 1}, [("S", "A"), ("S", "B"), ("A", "E"), ("B", "E")]
    )
    result = analyse(flow_from_document(doc))
    assert result["critical_path"] == ["S", "A", "E"]
    assert result["tasks"]["B"]["slack"] == 0.0


def test_float_noise_does_not_become_slack():
    doc = flow_document(
        {"A": 0.1, "B": 0.2, "C": 0.3, "D": 0.3}, [("A", "B"), ("B", "D"), ("C", "D")]
    )
    result = analyse(flow_from_document(doc))
    assert result["tasks"]["A"]["slack"] == 0.0
    assert result["tasks"]["B"]["slack"] == 0.0
    assert result["cycle_time"]["parallel"] == 0.6
