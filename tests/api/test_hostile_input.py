"""Hostile input, tried the way an attacker or a careless client would: every answer is a
4xx with a message (naming the field where there is one), and nothing is saved."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from designer.models import Assessment, Dependency, Flow, Simulation, Task
from runs.models import Run
from tests.factories import content_document

DEEP = 5000

# (name, method, path; {flow} is the owner's flow) for every endpoint that reads a body.
ENDPOINTS = [
    ("import", "post", "/api/flows/import/"),
    ("flow create", "post", "/api/flows/"),
    ("graph PUT", "put", "/api/flows/{flow}/graph/"),
    ("flow PATCH", "patch", "/api/flows/{flow}/"),
    ("analyse", "post", "/api/analyse/"),
    ("layout", "post", "/api/flows/{flow}/layout/"),
    ("routes", "post", "/api/flows/{flow}/routes/"),
    ("simulations", "post", "/api/flows/{flow}/simulations/"),
    ("simulation preview", "post", "/api/flows/{flow}/simulations/preview/"),
    ("assessment PATCH", "patch", "/api/flows/{flow}/assessment/"),
    ("runs POST", "post", "/api/flows/{flow}/runs/"),
    ("auth token", "post", "/api/auth/token/"),
]

# (name, raw JSON body, what the message must say)
HOSTILE_BODIES = [
    ("5,000 nested arrays", "[" * DEEP + "]" * DEEP, "nested 5000 levels deep"),
    ("5,000 nested objects", '{"a":' * DEEP + "1" + "}" * DEEP, "nested 5000 levels deep"),
    ("just over the depth limit", "[" * 201 + "]" * 201, "nested 201 levels deep"),
    ("nesting inside a field", '{"name": ' + "[" * DEEP + "]" * DEEP + "}", "levels deep"),
    ("NaN", '{"name": NaN}', "NaN is not a JSON number"),
    ("Infinity", '{"iterations": Infinity}', "Infinity is not a JSON number"),
    ("-Infinity", "[-Infinity]", "-Infinity is not a JSON number"),
    ("1e400", '{"handoff_delay": 1e400}', "the number 1e400 is too large"),
    ("-1e400", '{"step": -1e400}', "the number -1e400 is too large"),
    ("10**400 as an integer", '{"seed": 1' + "0" * 400 + "}", "is too large"),
    ("2**64 as an integer", '{"seed": 18446744073709551616}', "is too large"),
    ("not JSON", "{not json", "not valid JSON"),
    ("not UTF-8", b'{"name": "\xff\xfe"}', "not valid JSON"),
]


def snapshot(flow: Flow) -> dict[str, Any]:
    """Everything a refused request must leave as it was."""
    flow.refresh_from_db()
    return {
        "flows": Flow.objects.count(),
        "tasks": Task.objects.count(),
        "dependencies": Dependency.objects.count(),
        "simulations": Simulation.objects.count(),
        "assessments": Assessment.objects.count(),
        "runs": Run.objects.count(),
        "tokens": Token.objects.count(),
        "flow": (flow.name, flow.version, flow.updated_at),
    }


def send(client: APIClient, method: str, path: str, body: str | bytes, **extra: Any) -> Any:
    return client.generic(
        method.upper(),
        path,
        body.encode() if isinstance(body, str) else body,
        content_type="application/json",
        headers={"If-Match": '"v1"'},
        **extra,
    )


@pytest.mark.parametrize(("endpoint", "method", "path"), ENDPOINTS, ids=[e[0] for e in ENDPOINTS])
@pytest.mark.parametrize(
    ("body", "says"), [b[1:] for b in HOSTILE_BODIES], ids=[b[0] for b in HOSTILE_BODIES]
)
def test_hostile_body_is_a_4xx_with_a_message_and_saves_nothing(
    api, content_flow, endpoint, method, path, body, says
):
    client = APIClient() if endpoint == "auth token" else api
    before = snapshot(content_flow)
    response = send(client, method, path.format(flow=content_flow.pk), body)
    assert response.status_code == 400, response.content[:300]
    assert says in response.json()["message"]
    assert snapshot(content_flow) == before


def test_the_body_limit_stays_a_413(api, content_flow):
    with override_settings(VIVIDO_MAX_BODY_BYTES=2048):
        response = send(api, "post", "/api/analyse/", "[" + "1," * 2000 + "1]")
    assert response.status_code == 413
    assert "larger than the limit of 2048 bytes" in response.json()["message"]


def test_depth_within_the_limit_is_read(api):
    """200 levels parse; what they mean is then refused by the document's own checks."""
    body = '{"format": "vivido.flow/1", "name": ' + "[" * 199 + "]" * 199 + "}"
    response = send(api, "post", "/api/analyse/", body)
    assert response.status_code == 400
    assert response.json()["fields"] == {"name": response.json()["message"]}


def test_brackets_inside_strings_do_not_count_as_depth(api):
    document = content_document()
    document["name"] = "[" * 5000 + '\\"{'
    response = send(api, "post", "/api/analyse/", json.dumps(document))
    assert response.status_code == 400  # too long a name: the document's check, by name
    assert response.json()["fields"] == {"name": "name is longer than 200 characters"}


# Wrong types at every level of the flow document.
def _rich_document() -> dict[str, Any]:
    document = content_document()
    document["time_unit"] = "hours"
    document["description"] = "About it"
    document["value_per_time_unit"] = 10
    document["resources"] = [{"name": "Writer", "capacity": 2, "description": ""}]
    document["phases"] = [{"name": "Make", "description": ""}]
    task = document["tasks"][0]
    task.update(
        description="",
        resources={"Writer": 1},
        phase="Make",
        failure_rate=0.1,
        executor="simulated",
        x=0,
        y=0,
    )
    document["dependencies"][0].update(strength="hard", note="")
    return document


def _leaves(value: Any, path: str = "") -> list[tuple[str, tuple[Any, ...], Any]]:
    """Every (dotted path, key path, value) of the document, containers included."""
    found = [(path, (), value)] if path else []
    items = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value[:1])
        if isinstance(value, list)
        else []
    )
    for key, inner in items:
        step = f"[{key}]" if isinstance(key, int) else (f".{key}" if path else key)
        for dotted, keys, leaf in _leaves(inner, path + step):
            found.append((dotted, (key, *keys), leaf))
    return found


def _wrong_values(value: Any) -> list[Any]:
    if isinstance(value, bool):
        return ["yes", 1.5, []]
    if isinstance(value, int | float):
        return ["7", [], {}, True]
    if isinstance(value, str):
        return [7, [], {}]
    if isinstance(value, list):
        return [{}, "x", 7]
    if isinstance(value, dict):
        return [[], "x", 7]
    return [[], {}]


WRONG_TYPES = [
    pytest.param(dotted, keys, wrong, id=f"{dotted}={json.dumps(wrong)}")
    for dotted, keys, value in _leaves(_rich_document())
    if dotted != "format"
    for wrong in _wrong_values(value)
]


def _with(document: dict[str, Any], keys: tuple[Any, ...], value: Any) -> dict[str, Any]:
    target: Any = document
    for key in keys[:-1]:
        target = target[key]
    target[keys[-1]] = value
    return document


@pytest.mark.parametrize(("dotted", "keys", "wrong"), WRONG_TYPES)
def test_wrong_type_at_every_level_is_refused_by_name(api, content_flow, dotted, keys, wrong):
    before = snapshot(content_flow)
    base = _rich_document()
    assert api.post("/api/analyse/", base, format="json").status_code == 200
    document = _with(base, keys, wrong)
    for method, path in (
        ("post", "/api/flows/import/"),
        ("put", f"/api/flows/{content_flow.pk}/graph/"),
    ):
        response = send(api, method, path, json.dumps(document))
        assert response.status_code == 400, (path, response.content[:300])
        body = response.json()
        named = " ".join([body["message"], *body.get("fields", {})])
        # The field itself, or (for a key of a map) the map that holds it.
        assert dotted.rsplit(".", 1)[0] in named or dotted.split("[")[0] in named, body
    assert snapshot(content_flow) == before


@pytest.mark.parametrize(
    ("keys", "length", "field"),
    [
        (("name",), 201, "name"),
        (("description",), 10_001, "description"),
        (("tasks", 0, "name"), 201, "tasks[0].name"),
        (("tasks", 0, "key"), 1_000, "tasks[0].key"),
        (("tasks", 0, "description"), 10_001, "tasks[0].description"),
        (("resources", 0, "name"), 201, "resources[0].name"),
        (("dependencies", 0, "note"), 1_000_000, "dependencies[0].note"),
    ],
)
def test_over_long_strings_are_refused_by_name(api, content_flow, keys, length, field):
    before = snapshot(content_flow)
    document = _with(_rich_document(), keys, "x" * length)
    response = api.post("/api/flows/import/", document, format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert snapshot(content_flow) == before


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/flows/{flow}/", {"name": "x" * 201}, "name"),
        ("/api/flows/{flow}/", {"handoff_delay": 1e308}, "handoff_delay"),
        ("/api/flows/{flow}/", {"time_unit": ["hours"]}, "time_unit"),
        ("/api/flows/{flow}/assessment/", {"step": 10**19}, "step"),
        ("/api/flows/{flow}/assessment/", {"step": 1, "answers": []}, "answers"),
        ("/api/flows/{flow}/simulations/", {"iterations": 1e308}, "iterations"),
        ("/api/flows/{flow}/simulations/", {"seed": 2**63}, "seed"),
        ("/api/flows/{flow}/simulations/", {"blueprints": "hybrid" * 1000}, "blueprints"),
        ("/api/flows/{flow}/runs/", {"time_scale": 1e308}, "time_scale"),
        ("/api/flows/{flow}/runs/", {"blueprint": {"a": 1}}, "blueprint"),
        ("/api/flows/{flow}/layout/", {"direction": "x" * 100_000}, "direction"),
    ],
)
def test_out_of_range_and_wrong_fields_name_the_field(api, content_flow, path, body, field):
    before = snapshot(content_flow)
    method = "patch" if path.endswith(("/{flow}/", "assessment/")) else "post"
    response = send(api, method, path.format(flow=content_flow.pk), json.dumps(body))
    assert response.status_code == 400, response.content[:300]
    assert field in response.json()["fields"] or field in response.json()["message"]
    assert snapshot(content_flow) == before


# Form and multipart paths.
def test_the_token_endpoint_reads_forms_with_the_same_limits(alice):
    client = APIClient()
    response = client.post(
        "/api/auth/token/", {"username": "alice", "password": "alice-password-1"}
    )
    assert response.status_code == 200
    many = "&".join(f"f{n}=1" for n in range(2000))
    response = client.post(
        "/api/auth/token/", many, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert "form is refused" in response.json()["message"]


def test_forms_on_a_json_endpoint_are_unsupported(api, content_flow):
    before = snapshot(content_flow)
    response = api.generic(
        "PUT",
        f"/api/flows/{content_flow.pk}/graph/",
        "name=x",
        content_type="application/x-www-form-urlencoded",
        headers={"If-Match": '"v1"'},
    )
    assert response.status_code == 415
    assert snapshot(content_flow) == before


def _upload(api: APIClient, content: bytes, name: str = "flow.vivido.json") -> Any:
    return api.post(
        "/api/flows/import/",
        {"file": SimpleUploadedFile(name, content, content_type="application/json")},
        format="multipart",
    )


def test_an_uploaded_flow_document_is_imported(api, alice):
    response = _upload(api, json.dumps(content_document()).encode())
    assert response.status_code == 201
    assert Flow.objects.get(pk=response.json()["id"]).tasks.count() == 9


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (("[" * DEEP + "]" * DEEP).encode(), "the file is refused: it is nested 5000 levels"),
        (b'{"name": NaN}', "the file is refused: NaN is not a JSON number"),
        (b'{"name": 1e400}', "the file is refused: the number 1e400 is too large"),
        (b"\xff\xfe{", "the file is not valid JSON"),
        (b"", "the file is not valid JSON"),
    ],
)
def test_hostile_uploaded_files_are_refused(api, alice, content, says):
    response = _upload(api, content)
    assert response.status_code == 400
    assert says in response.json()["message"]
    assert Flow.objects.count() == 0


def test_an_upload_without_the_file_field_names_it(api, alice):
    response = api.post("/api/flows/import/", {"other": "x"}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()["fields"]


def test_an_upload_over_the_limit_is_a_413(api, alice):
    with override_settings(VIVIDO_MAX_BODY_BYTES=2048):
        response = _upload(api, b" " * 5000 + json.dumps(content_document()).encode())
    assert response.status_code == 413
    assert Flow.objects.count() == 0


# Markup in names is stored as text and shown as text.
MARKUP = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_markup_in_names_is_kept_as_text_and_escaped_on_pages(api, alice):
    document = content_document()
    document["name"] = MARKUP
    document["tasks"][0]["name"] = MARKUP
    response = api.post("/api/flows/import/", document, format="json")
    assert response.status_code == 201
    flow_id = response.json()["id"]
    assert api.get(f"/api/flows/{flow_id}/graph/").json()["name"] == MARKUP
    for page in ("/", f"/flows/{flow_id}/", f"/flows/{flow_id}/wizard/report/"):
        html = api.get(page).content.decode()
        assert "<script>alert" not in html, page
        assert "<img src=x" not in html, page
        assert "&lt;script&gt;alert(" in html or "\\u003Cscript\\u003E" in html, page


def test_a_stranger_gets_nothing_for_hostile_input_either(bob_api, content_flow):
    response = send(bob_api, "put", f"/api/flows/{content_flow.pk}/graph/", "[" * DEEP)
    assert response.status_code in (400, 404)
    assert get_user_model().objects.count() == 2
