"""Import a flow document, export it again: lossless, limited in size, refused by name."""

import json

from django.test import override_settings

from designer.examples import example_documents
from designer.models import Flow
from tests.factories import content_document, flow_document


def test_import_creates_the_flow(api, alice):
    response = api.post("/api/flows/import/", content_document(), format="json")
    assert response.status_code == 201
    flow = Flow.objects.get(pk=response.json()["id"])
    assert (flow.owner, flow.name, flow.tasks.count(), flow.dependencies.count()) == (
        alice,
        "Content production",
        9,
        11,
    )


def test_import_then_export_gives_back_the_same_document(api):
    for document in example_documents():
        flow_id = api.post("/api/flows/import/", document, format="json").json()["id"]
        response = api.get(f"/api/flows/{flow_id}/export/?format=json")
        assert response.status_code == 200
        assert json.loads(response.content) == document


def test_export_is_a_download_named_after_the_flow(api, content_flow):
    response = api.get(f"/api/flows/{content_flow.pk}/export/")
    assert (
        response["Content-Disposition"] == 'attachment; filename="content-production.vivido.json"'
    )
    assert response["Content-Type"] == "application/json"


def test_export_refuses_an_unknown_format(api, content_flow):
    response = api.get(f"/api/flows/{content_flow.pk}/export/?format=docx")
    assert response.status_code == 400
    assert response.json()["message"] == (
        "format: must be one of json, svg, png, pdf, dot; got 'docx'"
    )


def test_import_refuses_a_cycle_and_saves_nothing(api):
    document = flow_document({"A": 1, "B": 1, "C": 1}, [("A", "B"), ("B", "C"), ("C", "A")])
    response = api.post("/api/flows/import/", document, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "message": "dependency cycle: A → B → C → A",
        "keys": ["A", "B", "C"],
        "fields": {"dependencies": "dependency cycle: A → B → C → A"},
    }
    assert not Flow.objects.exists()


@override_settings(VIVIDO_MAX_TASKS_PER_FLOW=3)
def test_too_many_tasks(api):
    response = api.post(
        "/api/flows/import/", flow_document({"A": 1, "B": 1, "C": 1, "D": 1}), format="json"
    )
    assert response.status_code == 400
    assert response.json()["message"] == "a flow may have at most 3 tasks; this one has 4"
    assert not Flow.objects.exists()


@override_settings(VIVIDO_MAX_DEPENDENCIES_PER_FLOW=1)
def test_too_many_dependencies(api):
    document = flow_document({"A": 1, "B": 1, "C": 1}, [("A", "B"), ("B", "C")])
    response = api.post("/api/flows/import/", document, format="json")
    assert response.status_code == 400
    assert response.json()["message"] == "a flow may have at most 1 dependencies; this one has 2"


@override_settings(VIVIDO_MAX_BODY_BYTES=2048)
def test_body_too_large(api, content_flow):
    document = content_document()
    document["description"] = "x" * 5000
    response = api.post("/api/flows/import/", document, format="json")
    assert response.status_code == 413
    assert response.json()["message"] == "the request body is larger than the limit of 2048 bytes"
    response = api.put(
        f"/api/flows/{content_flow.pk}/graph/",
        document,
        format="json",
        headers={"If-Match": '"v1"'},
    )
    assert response.status_code == 413
    assert Flow.objects.count() == 1


def test_import_needs_json(api):
    response = api.post(
        "/api/flows/import/", "name=x", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415
    assert "Unsupported media type" in response.json()["message"]


def test_costs_of_speed_round_trip(api):
    document = flow_document(
        {"A": 2, "B": 2},
        resources=[
            {"name": "Crew", "capacity": 2, "description": "", "cost_per_unit": 12.5},
            {"name": "Van", "capacity": 1, "description": ""},
        ],
        value_per_time_unit=100,
    )
    exported = _round_trip(api, document)
    assert exported["value_per_time_unit"] == 100
    assert exported["resources"] == document["resources"]
    # Never set, never written: a document without them comes back without them.
    plain = _round_trip(api, flow_document({"A": 1}, resources=[{"name": "Crew", "capacity": 1}]))
    assert "value_per_time_unit" not in plain
    assert "cost_per_unit" not in plain["resources"][0]


def test_import_refuses_a_need_larger_than_its_pool(api):
    document = flow_document({"A": 1}, resources=[{"name": "Crew", "capacity": 1}])
    document["tasks"][0]["resources"] = {"Crew": 3}
    response = api.post("/api/flows/import/", document, format="json")
    assert response.status_code == 400
    assert response.json()["fields"] == {
        "tasks[0].resources.Crew": "task A needs 3 units of pool 'Crew', which has a capacity of 1"
    }


def _round_trip(api, document):
    flow_id = api.post("/api/flows/import/", document, format="json").json()["id"]
    return json.loads(api.get(f"/api/flows/{flow_id}/export/?format=json").content)
