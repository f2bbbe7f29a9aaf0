"""The flow document format: defaults, a lossless round trip, the schema itself."""

from jsonschema import Draft202012Validator

from designer.analysis.document import FLOW_DOCUMENT_SCHEMA, flow_from_document, flow_to_document
from designer.examples import example_documents
from tests.factories import flow_document


def test_defaults_are_filled_in():
    doc = {
        "format": "vivido.flow/1",
        "name": "Small",
        "tasks": [{"key": "A", "name": "Only task", "duration": {"likely": 2.5}}],
    }
    assert flow_to_document(flow_from_document(doc)) == {
        "format": "vivido.flow/1",
        "name": "Small",
        "description": "",
        "time_unit": "hours",
        "handoff_delay": 0,
        "sync_overhead": 0,
        "resources": [],
        "phases": [],
        "tasks": [
            {
                "key": "A",
                "name": "Only task",
                "description": "",
                "duration": {"optimistic": 2.5, "likely": 2.5, "pessimistic": 2.5},
                "resources": {},
                "phase": None,
                "failure_rate": 0,
                "executor": "simulated",
                "x": 0,
                "y": 0,
            }
        ],
        "dependencies": [],
    }


def test_every_example_round_trips_exactly():
    for document in example_documents():
        assert flow_to_document(flow_from_document(document)) == document


def test_examples_are_valid_against_the_published_schema():
    validator = Draft202012Validator(FLOW_DOCUMENT_SCHEMA)
    for document in example_documents():
        assert list(validator.iter_errors(document)) == []


def test_schema_is_a_valid_json_schema():
    Draft202012Validator.check_schema(FLOW_DOCUMENT_SCHEMA)


def test_order_of_every_list_is_kept():
    doc = flow_document({"Z": 1, "A": 1, "M": 1}, [("Z", "M"), ("A", "M")])
    doc["resources"] = [{"name": "b", "capacity": 1}, {"name": "a", "capacity": 2}]
    out = flow_to_document(flow_from_document(doc))
    assert [t["key"] for t in out["tasks"]] == ["Z", "A", "M"]
    assert [(d["from"], d["to"]) for d in out["dependencies"]] == [("Z", "M"), ("A", "M")]
    assert [p["name"] for p in out["resources"]] == ["b", "a"]


def test_labels_are_kept_verbatim():
    doc = flow_document({"A": 1})
    doc["tasks"][0]["name"] = "<img src=x onerror=alert(1)> & “quotes”"
    out = flow_to_document(flow_from_document(doc))
    assert out["tasks"][0]["name"] == "<img src=x onerror=alert(1)> & “quotes”"


def test_costs_of_speed_are_optional_and_kept():
    doc = flow_document({"A": 1}, resources=[{"name": "Crew", "capacity": 2, "description": ""}])
    assert flow_to_document(flow_from_document(doc)) == flow_to_document(flow_from_document(doc))
    assert "value_per_time_unit" not in flow_to_document(flow_from_document(doc))
    doc["value_per_time_unit"] = 99.5
    doc["resources"][0]["cost_per_unit"] = 0
    out = flow_to_document(flow_from_document(doc))
    assert (out["value_per_time_unit"], out["resources"][0]["cost_per_unit"]) == (99.5, 0)
    doc["value_per_time_unit"] = None  # null means not set
    assert "value_per_time_unit" not in flow_to_document(flow_from_document(doc))


def test_a_negative_cost_is_refused_by_field():
    import pytest

    from designer.analysis.errors import FlowError

    doc = flow_document({"A": 1}, resources=[{"name": "Crew", "capacity": 2, "cost_per_unit": -1}])
    with pytest.raises(FlowError) as caught:
        flow_from_document(doc)
    assert caught.value.field == "resources[0].cost_per_unit"
    doc["resources"][0]["cost_per_unit"] = float("inf")
    with pytest.raises(FlowError) as caught:
        flow_from_document(doc)
    assert caught.value.field == "resources[0].cost_per_unit"
