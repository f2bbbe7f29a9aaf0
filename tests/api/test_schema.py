"""The OpenAPI description, its docs page and the flow document's JSON Schema."""

from jsonschema import Draft202012Validator
from rest_framework.test import APIClient


def test_openapi_lists_the_contract_paths(db):
    response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/json")
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


def test_docs_page_uses_local_assets_only(db):
    response = APIClient().get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "cdn" not in html.lower()


def test_flow_document_schema_is_served(db):
    response = APIClient().get("/api/schema/flow-document/")
    assert response.status_code == 200
    schema = response.json()
    Draft202012Validator.check_schema(schema)
    assert schema["properties"]["format"] == {"const": "vivido.flow/1"}
