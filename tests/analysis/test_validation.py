"""Every rule a flow document must keep: each refusal names the field, key or cycle."""

import pytest

from designer.analysis.cpm import analyse
from designer.analysis.document import flow_from_document
from designer.analysis.errors import FlowError
from tests.factories import content_document, flow_document


def refusal(document) -> FlowError:
    with pytest.raises(FlowError) as caught:
        flow_from_document(document)
    return caught.value


def test_cycle_names_its_tasks_in_order():
    doc = flow_document({"A": 1, "B": 1, "C": 1}, [("A", "B"), ("B", "C"), ("C", "A")])
    error = refusal(doc)
    assert error.message == "dependency cycle: A → B → C → A"
    assert error.keys == ("A", "B", "C")
    assert error.field == "dependencies"


def test_cycle_through_a_soft_dependency_is_refused():
    doc = content_document()
    doc["dependencies"].append({"from": "T9", "to": "T1", "strength": "soft"})
    assert refusal(doc).message == ("dependency cycle: T1 → T2 → T3 → T5 → T7 → T8 → T9 → T1")


def test_cycle_through_none_dependency_is_allowed():
    doc = flow_document({"A": 1, "B": 1}, [("A", "B"), ("B", "A", "none")])
    assert len(flow_from_document(doc).dependencies) == 2


def test_cycle_message_skips_tasks_only_downstream_of_it():
    doc = flow_document(
        {"A": 1, "B": 1, "C": 1, "D": 1}, [("A", "B"), ("B", "C"), ("C", "B"), ("C", "D")]
    )
    assert refusal(doc).message == "dependency cycle: B → C → B"


def test_duplicate_key():
    doc = flow_document({"A": 1, "B": 1})
    doc["tasks"][1]["key"] = "A"
    error = refusal(doc)
    assert error.message == "duplicate task key: A"
    assert error.field == "tasks[1].key"


def test_unknown_key_in_dependency():
    doc = flow_document({"A": 1}, [("A", "Z")])
    error = refusal(doc)
    assert error.message == "dependency A → Z names unknown task Z"
    assert error.field == "dependencies[0].to"


def test_self_dependency():
    error = refusal(flow_document({"A": 1}, [("A", "A")]))
    assert error.message == "task A cannot depend on itself"


def test_duplicate_dependency():
    error = refusal(flow_document({"A": 1, "B": 1}, [("A", "B"), ("A", "B", "soft")]))
    assert error.message == "duplicate dependency A → B"
    assert error.field == "dependencies[1]"


def test_negative_duration():
    doc = flow_document({"A": 1})
    doc["tasks"][0]["duration"]["likely"] = -1
    error = refusal(doc)
    assert error.message == "tasks[0].duration.likely must be at least 0 (got -1)"
    assert error.field == "tasks[0].duration.likely"


def test_durations_out_of_order():
    error = refusal(flow_document({"A": (3, 2, 5)}))
    assert error.message == (
        "task A: durations must keep optimistic ≤ likely ≤ pessimistic (got 3, 2, 5)"
    )
    assert error.field == "tasks[0].duration"


def test_dependency_back_to_an_earlier_phase():
    doc = flow_document({"A": 1, "B": 1}, [("B", "A")], phases=[{"name": "One"}, {"name": "Two"}])
    doc["tasks"][0]["phase"], doc["tasks"][1]["phase"] = "One", "Two"
    error = refusal(doc)
    assert error.message == (
        "dependency B → A points from phase 'Two' back to the earlier phase 'One'"
    )


def test_none_dependency_may_point_back_across_phases():
    doc = flow_document(
        {"A": 1, "B": 1}, [("B", "A", "none")], phases=[{"name": "One"}, {"name": "Two"}]
    )
    doc["tasks"][0]["phase"], doc["tasks"][1]["phase"] = "One", "Two"
    assert flow_from_document(doc).tasks[1].phase == "Two"


def test_unknown_phase():
    doc = flow_document({"A": 1}, phases=[{"name": "One"}])
    doc["tasks"][0]["phase"] = "Two"
    assert refusal(doc).message == "task A is in unknown phase 'Two'"


def test_a_task_without_a_phase_follows_its_predecessors():
    doc = flow_document(
        {"A": 1, "X": 2, "B": 1, "Y": 1},
        [("A", "X"), ("X", "B")],
        phases=[{"name": "One"}, {"name": "Two"}],
    )
    doc["tasks"][0]["phase"], doc["tasks"][2]["phase"] = "One", "Two"
    result = analyse(flow_from_document(doc))
    assert result["phases"] == [["A", "X", "Y"], ["B"]]
    assert result["cycle_time"]["hybrid"] == 4.0  # A then X inside One (3), then B


def test_a_task_without_a_phase_cannot_carry_a_later_phase_back():
    doc = flow_document(
        {"A": 1, "X": 1, "B": 1},
        [("B", "X"), ("X", "A")],
        phases=[{"name": "One"}, {"name": "Two"}],
    )
    doc["tasks"][0]["phase"], doc["tasks"][2]["phase"] = "One", "Two"
    error = refusal(doc)
    assert error.message == (
        "dependency X → A points from phase 'Two' back to the earlier phase 'One' "
        "(X has no phase and follows its predecessors into 'Two')"
    )


def test_unknown_resource_pool():
    doc = flow_document({"A": 1}, resources=[{"name": "Writer", "capacity": 1}])
    doc["tasks"][0]["resources"] = {"Editor": 1}
    error = refusal(doc)
    assert error.message == "task A needs unknown resource pool 'Editor'"
    assert error.field == "tasks[0].resources.Editor"


def test_capacity_zero():
    doc = flow_document({"A": 1}, resources=[{"name": "Writer", "capacity": 0}])
    assert refusal(doc).message == "resources[0].capacity must be at least 1 (got 0)"


def test_duplicate_pool_and_phase_names():
    doc = flow_document({}, resources=[{"name": "W", "capacity": 1}, {"name": "W", "capacity": 2}])
    assert refusal(doc).message == "duplicate resource pool: W"
    doc = flow_document({}, phases=[{"name": "P"}, {"name": "P"}])
    assert refusal(doc).message == "duplicate phase: P"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"format": "vivido.flow/2"}, "format must be 'vivido.flow/1' (got 'vivido.flow/2')"),
        ({"name": ""}, "name must not be empty"),
        (
            {"time_unit": "fortnights"},
            "time_unit must be one of minutes, hours, days, weeks (got 'fortnights')",
        ),
        ({"handoff_delay": -0.5}, "handoff_delay must be at least 0 (got -0.5)"),
        ({"sync_overhead": "a lot"}, "sync_overhead must be a number"),
        ({"tasks": {"A": 1}}, "tasks must be an array"),
        ({"colour": "red"}, "document: unknown field(s) colour"),
    ],
)
def test_document_fields_out_of_range(change, message):
    doc = flow_document({"A": 1})
    doc.update(change)
    assert refusal(doc).message == message


def test_missing_required_field():
    doc = flow_document({"A": 1})
    del doc["tasks"][0]["name"]
    error = refusal(doc)
    assert error.message == "tasks[0].name is required"
    assert error.field == "tasks[0].name"


def test_unknown_dependency_field_and_strength():
    doc = flow_document({"A": 1, "B": 1}, [("A", "B")])
    doc["dependencies"][0]["strenght"] = "hard"
    assert refusal(doc).message == "dependencies[0]: unknown field(s) strenght"
    doc = flow_document({"A": 1, "B": 1}, [("A", "B", "weak")])
    assert (
        refusal(doc).message
        == "dependencies[0].strength must be one of hard, soft, none (got 'weak')"
    )


def test_bad_key():
    doc = flow_document({"A 1": 1})
    assert refusal(doc).message.startswith("tasks[0].key 'A 1' is not valid:")


def test_failure_rate_out_of_range():
    doc = flow_document({"A": 1})
    doc["tasks"][0]["failure_rate"] = 1.5
    assert refusal(doc).message == "tasks[0].failure_rate must be at most 1 (got 1.5)"


def test_not_an_object():
    assert refusal([1, 2]).message == "document must be an object"
    assert refusal(None).message == "document must be an object"


def test_numbers_must_be_finite():
    doc = flow_document({"A": 1})
    doc["tasks"][0]["x"] = float("nan")
    assert refusal(doc).message == "tasks[0].x must be a finite number (got nan)"
    doc = flow_document({"A": 1}, sync_overhead=float("nan"))
    assert refusal(doc).message == "sync_overhead must be a finite number (got nan)"
