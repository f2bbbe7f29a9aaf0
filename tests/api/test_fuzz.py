"""Whatever a client sends, the answer is a 2xx or a 4xx with a message: never a 500."""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import content_document

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)

PATHS = [
    ["name"],
    ["time_unit"],
    ["handoff_delay"],
    ["resources"],
    ["phases"],
    ["tasks"],
    ["tasks", 0],
    ["tasks", 0, "key"],
    ["tasks", 0, "duration"],
    ["tasks", 1, "duration", "likely"],
    ["tasks", 2, "resources"],
    ["tasks", 3, "phase"],
    ["tasks", 4, "failure_rate"],
    ["tasks", 5, "x"],
    ["dependencies"],
    ["dependencies", 0],
    ["dependencies", 1, "from"],
    ["dependencies", 2, "strength"],
]

SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def assert_clean_answer(response) -> None:
    assert response.status_code < 500, response.content
    if response.status_code >= 400:
        assert response.json()["message"]


@SETTINGS
@given(body=json_values)
def test_any_json_body_on_import(api, body):
    assert_clean_answer(api.post("/api/flows/import/", body, format="json"))


@SETTINGS
@given(path=st.sampled_from(PATHS), value=json_values)
def test_a_valid_document_with_one_field_replaced(api, path, value):
    document = content_document()
    target = document
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    assert_clean_answer(api.post("/api/flows/import/", document, format="json"))


@SETTINGS
@given(raw=st.binary(max_size=64) | st.sampled_from([b"NaN", b'{"name": Infinity}', b"\xff\xfe"]))
def test_raw_bytes_on_import(api, raw):
    assert_clean_answer(
        api.generic("POST", "/api/flows/import/", raw, content_type="application/json")
    )


@SETTINGS
@given(
    body=st.dictionaries(
        st.sampled_from(["name", "time_unit", "handoff_delay", "sync_overhead", "description"]),
        json_values,
    )
)
def test_any_patch_of_a_flow(api, content_flow, body):
    assert_clean_answer(
        api.patch(
            f"/api/flows/{content_flow.pk}/", json.dumps(body), content_type="application/json"
        )
    )
