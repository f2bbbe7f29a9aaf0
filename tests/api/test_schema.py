"""The OpenAPI description, its docs page and the flow document's JSON Schema."""

import pytest
from django.test import override_settings
from jsonschema import Draft202012Validator
from rest_framework.test import APIClient


def test_openapi_lists_the_contract_paths(api):
    response = api.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/flows/",
        "/api/flows/{id}/",
        "/api/flows/import/",
        "/api/flows/{id}/graph/",
        "/api/flows/{id}/analysis/",
        "/api/flows/{id}/export/",
        "/api/auth/token/",
    ):
        assert path in paths, path
    assert set(paths["/api/flows/{id}/graph/"]) == {"get", "put"}
    assert set(paths["/api/flows/{id}/"]) == {"get", "patch", "delete"}


def test_docs_page_uses_local_assets_only(api):
    response = api.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "cdn" not in html.lower()
    # Its script is a file of its own (the CSP allows no inline script).
    assert "<script>" not in html
    script = api.get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")


def test_schema_and_docs_need_sign_in(db):
    client = APIClient()
    assert client.get("/api/schema/").status_code == 401
    assert client.get("/api/schema/flow-document/").status_code == 401
    docs = client.get("/api/docs/")
    assert docs.status_code == 302
    assert docs["Location"].startswith("/accounts/login/?next=/api/docs/")


@pytest.mark.parametrize("path", ["/api/schema/", "/api/schema/flow-document/", "/api/docs/"])
def test_a_setting_makes_schema_and_docs_public(db, path):
    with override_settings(VIVIDO_PUBLIC_API_DOCS=True):
        assert APIClient().get(path, HTTP_ACCEPT="application/json, */*").status_code == 200


def test_flow_document_schema_is_served(api):
    response = api.get("/api/schema/flow-document/")
    assert response.status_code == 200
    schema = response.json()
    Draft202012Validator.check_schema(schema)
    assert schema["properties"]["format"] == {"const": "vivido.flow/1"}


# The OpenAPI description against the API: every answer described, and real answers valid.

JSON_TYPES = ("application/json",)


def openapi(api):
    response = api.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    return response.json()


def resolved(document, schema):
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def described(document, schema):
    """Whether a response schema names what it holds: properties, or items that have them."""
    schema = resolved(document, schema)
    if schema.get("type") == "array":
        return described(document, schema["items"])
    return bool(schema.get("properties"))


def operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def test_every_success_answer_is_described_with_its_properties(api):
    document = openapi(api)
    undescribed = []
    for path, method, operation in operations(document):
        for code, response in operation["responses"].items():
            if not code.startswith("2") or code == "204":
                continue
            for media, content in response.get("content", {}).items():
                if media in JSON_TYPES and not described(document, content["schema"]):
                    undescribed.append(f"{method.upper()} {path} {code}")
    assert undescribed == []


@pytest.mark.parametrize(
    ("path", "method"),
    [
        ("/api/flows/import/", "post"),
        ("/api/flows/{id}/graph/", "put"),
        ("/api/analyse/", "post"),
        ("/api/flows/{id}/routes/", "post"),
    ],
)
def test_flow_document_bodies_refer_to_the_flow_document_schema(api, path, method):
    document = openapi(api)
    body = document["paths"][path][method]["requestBody"]["content"]["application/json"]
    assert body["schema"] == {"$ref": "#/components/schemas/FlowDocument"}
    component = document["components"]["schemas"]["FlowDocument"]
    served = api.get("/api/schema/flow-document/").json()
    assert component["required"] == served["required"] == ["format", "name"]
    assert set(component["properties"]) == set(served["properties"])
    assert component["properties"]["tasks"] == served["properties"]["tasks"]


def as_json_schema(node):
    """OpenAPI 3.0's `nullable` as JSON Schema's null type, everything else as it is."""
    if isinstance(node, list):
        return [as_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: as_json_schema(value) for key, value in node.items() if key != "nullable"}
    if node.get("nullable"):
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


class Contract:
    """Checks real answers from the test client against the operation's documented schema."""

    def __init__(self, api):
        self.api = api
        self.document = openapi(api)
        self.components = as_json_schema(self.document["components"])
        self.checked = []

    def check(self, path, method, response):
        operation = self.document["paths"][path][method]
        code = str(response.status_code)
        assert code in operation["responses"], (path, method, code)
        schema = operation["responses"][code]["content"]["application/json"]["schema"]
        validator = Draft202012Validator({**as_json_schema(schema), "components": self.components})
        errors = [
            f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(response.json())
        ]
        assert errors == [], (method, path)
        self.checked.append(f"{method.upper()} {path} {code}")
        return response.json()


def test_run_answers_match_their_schema(api, alice):
    from designer import services
    from tests.factories import flow_document

    contract = Contract(api)
    document = flow_document({"A": 1, "B": 1}, [("A", "B")])
    document["tasks"][0]["executor"] = "manual"
    flow = services.flow_import(owner=alice, document=document)
    body = {"blueprint": "parallel", "failure_policy": "fail_fast", "time_scale": 0.01, "seed": 1}
    started = contract.check(
        "/api/flows/{flow_id}/runs/",
        "post",
        api.post(f"/api/flows/{flow.pk}/runs/", body, format="json"),
    )
    run = started["id"]
    contract.check("/api/runs/{run_id}/", "get", api.get(f"/api/runs/{run}/"))
    contract.check(
        "/api/runs/{run_id}/tasks/{key}/{action}/",
        "post",
        api.post(f"/api/runs/{run}/tasks/A/start/", {}, format="json"),
    )
    contract.check(
        "/api/runs/{run_id}/tasks/{key}/{action}/",
        "post",
        api.post(f"/api/runs/{run}/tasks/A/fail/", {"error": "no paper"}, format="json"),
    )
    events = contract.check(
        "/api/runs/{run_id}/events/", "get", api.get(f"/api/runs/{run}/events/")
    )
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    task = contract.check(
        "/api/runs/{run_id}/tasks/{key}/", "get", api.get(f"/api/runs/{run}/tasks/A/")
    )
    assert task["history"][0]["outcome"] == "failed"
    contract.check("/api/flows/{flow_id}/runs/", "get", api.get(f"/api/flows/{flow.pk}/runs/"))
    again = contract.check("/api/runs/{run_id}/rerun/", "post", api.post(f"/api/runs/{run}/rerun/"))
    paused = contract.check(
        "/api/runs/{run_id}/{action}/", "post", api.post(f"/api/runs/{again['id']}/pause/")
    )
    assert paused["status"] == "paused"
    assert len(contract.checked) == 9


def test_simulation_answers_match_their_schema(api, content_flow, settings):
    contract = Contract(api)
    base = f"/api/flows/{content_flow.pk}/simulations/"
    asked = {"iterations": 100, "seed": 2, "overrides": {"handoff_delay": 0}}
    shown = contract.check(
        "/api/flows/{flow_pk}/simulations/preview/",
        "post",
        api.post(f"{base}preview/", asked, format="json"),
    )
    kept = contract.check(
        "/api/flows/{flow_pk}/simulations/", "post", api.post(base, asked, format="json")
    )
    assert kept["results"] == shown["results"]
    contract.check("/api/flows/{flow_pk}/simulations/", "get", api.get(base))
    contract.check("/api/flows/{flow_pk}/simulations/{id}/", "get", api.get(f"{base}{kept['id']}/"))
    settings.VIVIDO_SIMULATION_BACKGROUND_COST = 0
    settings.VIVIDO_SIMULATION_JOBS = "inline"
    job = contract.check(
        "/api/flows/{flow_pk}/simulations/",
        "post",
        api.post(base, {"iterations": 10}, format="json"),
    )
    assert job["state"] == "succeeded"
    contract.check(
        "/api/flows/{flow_pk}/simulations/jobs/{id}/", "get", api.get(f"{base}jobs/{job['job']}/")
    )
    assert len(contract.checked) == 6


def test_assessment_answers_match_their_schema(api, content_flow):
    contract = Contract(api)
    url = f"/api/flows/{content_flow.pk}/assessment/"
    contract.check("/api/flows/{flow_pk}/assessment/", "get", api.get(url))
    saved = contract.check(
        "/api/flows/{flow_pk}/assessment/",
        "patch",
        api.patch(url, {"step": 1, "answers": {"sheet": {"monitoring": 1}}}, format="json"),
    )
    assert saved["current_step"] == 2
    analysis = contract.check(
        "/api/flows/{id}/analysis/", "get", api.get(f"/api/flows/{content_flow.pk}/analysis/")
    )
    assert analysis["cycle_time"]["hybrid"] == 31.75
