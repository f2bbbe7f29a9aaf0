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
