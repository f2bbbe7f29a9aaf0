"""/api/flows/{id}/graph/: the whole document, versioned; a save never overwrites unseen work."""

import pytest

from designer.models import Dependency, Flow, Task
from tests.factories import content_document, flow_document


def url(flow):
    return f"/api/flows/{flow.pk}/graph/"


def test_get_returns_the_document_with_its_etag(api, content_flow):
    response = api.get(url(content_flow))
    assert response.status_code == 200
    assert response["ETag"] == '"v1"'
    document = response.json()
    assert document["format"] == "vivido.flow/1"
    assert [t["key"] for t in document["tasks"]] == [f"T{n}" for n in range(1, 10)]
    assert {"from": "T1", "to": "T6", "strength": "soft", "note": ""} in document["dependencies"]


@pytest.mark.parametrize(
    ("if_none_match", "status"),
    [
        # RFC 9110 §13.1.2: weak comparison, a list, or `*` for any current representation.
        pytest.param('"v1"', 304, id="the current tag"),
        pytest.param('W/"v1"', 304, id="the current tag, weak: weak comparison matches"),
        pytest.param('"v0", "v1"', 304, id="a list naming it"),
        pytest.param("*", 304, id="any"),
        pytest.param('"v0"', 200, id="an older tag"),
        pytest.param("yesterday", 200, id="not a tag"),
    ],
)
def test_get_with_if_none_match(api, content_flow, if_none_match, status):
    response = api.get(url(content_flow), headers={"If-None-Match": if_none_match})
    assert response.status_code == status
    assert response["ETag"] == '"v1"'


def test_put_replaces_everything_and_bumps_the_version(api, content_flow):
    new = flow_document(
        {"A": 1, "B": 2},
        [("A", "B")],
        name="Replaced",
        resources=[{"name": "Crew", "capacity": 3}],
        phases=[{"name": "Only"}],
    )
    new["tasks"][0]["phase"] = new["tasks"][1]["phase"] = "Only"
    new["tasks"][1]["resources"] = {"Crew": 2}
    response = api.put(url(content_flow), new, format="json", headers={"If-Match": '"v1"'})
    assert response.status_code == 200
    assert response["ETag"] == '"v2"'
    document = api.get(url(content_flow)).json()
    assert document["name"] == "Replaced"
    assert [t["key"] for t in document["tasks"]] == ["A", "B"]
    assert document["tasks"][1]["resources"] == {"Crew": 2}
    assert document["resources"] == [{"name": "Crew", "capacity": 3, "description": ""}]
    assert Task.objects.filter(flow=content_flow).count() == 2


def test_stale_if_match_is_refused_and_changes_nothing(api, content_flow):
    first = content_document()
    first["tasks"][0]["name"] = "First save"
    assert (
        api.put(url(content_flow), first, format="json", headers={"If-Match": '"v1"'}).status_code
        == 200
    )

    second = content_document()
    second["tasks"][0]["name"] = "Second save, made on v1"
    response = api.put(url(content_flow), second, format="json", headers={"If-Match": '"v1"'})
    assert response.status_code == 412
    assert response.json()["version"] == 2
    assert "saved by someone else" in response.json()["message"]
    assert api.get(url(content_flow)).json()["tasks"][0]["name"] == "First save"


def test_missing_if_match_is_precondition_required(api, content_flow):
    response = api.put(url(content_flow), content_document(), format="json")
    assert response.status_code == 428
    assert "If-Match" in response.json()["message"]


@pytest.mark.parametrize(
    ("if_match", "status"),
    [
        # RFC 9110 §13.1.1: 412 when none of the listed entity tags matches, whatever they say.
        pytest.param('"v1"', 200, id="the current tag"),
        pytest.param('"stale-0"', 412, id="a tag this API never made"),
        pytest.param('"v0"', 412, id="an older version"),
        pytest.param('"v2"', 412, id="a version not yet saved"),
        pytest.param("yesterday", 412, id="not an entity tag at all"),
        pytest.param('"v1', 412, id="an unterminated tag"),
        pytest.param("*", 200, id="any version, the flow exists"),
        pytest.param('"v7", "v1"', 200, id="a list matching in its second tag"),
        pytest.param('"x", "v1", "y"', 200, id="a list with foreign tags around the match"),
        pytest.param('"v7", "v8"', 412, id="a list matching nothing"),
        # Strong comparison: a weak tag never matches for If-Match.
        pytest.param('W/"v1"', 412, id="the current tag, but weak"),
        pytest.param('W/"v1", "v1"', 200, id="weak and strong: the strong one matches"),
    ],
)
def test_if_match_as_rfc_9110_says(api, content_flow, if_match, status):
    document = content_document()
    document["name"] = "Saved"
    response = api.put(url(content_flow), document, format="json", headers={"If-Match": if_match})
    assert response.status_code == status, response.json()
    content_flow.refresh_from_db()
    if status == 412:
        assert "message" in response.json()
        assert response.json()["version"] == 1
        assert (content_flow.version, content_flow.name) == (1, "Content production")
    else:
        assert response["ETag"] == '"v2"'
        assert (content_flow.version, content_flow.name) == (2, "Saved")


def test_if_match_star_on_a_missing_flow_is_not_found(api, content_flow):
    """`*` matches a current representation; with none there is nothing to replace."""
    response = api.put(
        f"/api/flows/{content_flow.pk + 1000}/graph/",
        content_document(),
        format="json",
        headers={"If-Match": "*"},
    )
    assert response.status_code == 404


def test_if_match_is_checked_before_the_body_is_saved_not_after(api, content_flow):
    """A stale tag with a broken document: nothing saved either way, and a 4xx."""
    document = content_document()
    document["tasks"][0]["key"] = ""
    response = api.put(url(content_flow), document, format="json", headers={"If-Match": '"v0"'})
    assert response.status_code in (400, 412)
    content_flow.refresh_from_db()
    assert content_flow.version == 1


def test_flow_settings_carry_the_etag_and_honour_if_match(api, content_flow):
    """The settings are written back with PATCH: GET and PATCH give the ETag; If-Match is
    optional there (each field is replaced alone), and a stale one is refused."""
    flow_url = f"/api/flows/{content_flow.pk}/"
    assert api.get(flow_url)["ETag"] == '"v1"'
    stale = api.patch(flow_url, {"name": "Stale"}, format="json", headers={"If-Match": '"v0"'})
    assert stale.status_code == 412
    weak = api.patch(flow_url, {"name": "Weak"}, format="json", headers={"If-Match": 'W/"v1"'})
    assert weak.status_code == 412
    fresh = api.patch(flow_url, {"name": "Fresh"}, format="json", headers={"If-Match": '"v1"'})
    assert fresh.status_code == 200
    assert fresh["ETag"] == '"v2"'
    without = api.patch(flow_url, {"name": "Without"}, format="json")
    assert without.status_code == 200
    assert without["ETag"] == '"v3"'
    content_flow.refresh_from_db()
    assert (content_flow.name, content_flow.version) == ("Without", 3)


@pytest.mark.parametrize(
    ("break_it", "message", "field"),
    [
        (
            lambda d: d["dependencies"].append({"from": "T9", "to": "T2"}),
            "dependency cycle: T2 → T3 → T5 → T7 → T8 → T9 → T2",
            "dependencies",
        ),
        (lambda d: d["tasks"][3].update(key="T1"), "duplicate task key: T1", "tasks[3].key"),
        (
            lambda d: d["dependencies"].append({"from": "T1", "to": "T42"}),
            "dependency T1 → T42 names unknown task T42",
            "dependencies[11].to",
        ),
        (
            lambda d: d["tasks"][2]["duration"].update(optimistic=-3),
            "tasks[2].duration.optimistic must be at least 0 (got -3)",
            "tasks[2].duration.optimistic",
        ),
    ],
)
def test_bad_graph_is_refused_by_name_and_nothing_is_lost(
    api, content_flow, break_it, message, field
):
    before = api.get(url(content_flow)).json()
    document = content_document()
    document["name"] = "Should not be saved"
    break_it(document)
    response = api.put(url(content_flow), document, format="json", headers={"If-Match": '"v1"'})
    assert response.status_code == 400
    assert response.json()["message"] == message
    assert response.json()["fields"] == {field: message}
    assert api.get(url(content_flow)).json() == before
    content_flow.refresh_from_db()
    assert content_flow.version == 1


def test_failure_inside_the_write_rolls_back(api, content_flow, monkeypatch):
    """A save that fails half-way (here: the database refusing the dependencies) leaves the
    previous graph whole."""
    from designer import services

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services.models.Dependency.objects, "bulk_create", explode)
    api.raise_request_exception = False
    response = api.put(
        url(content_flow), content_document(), format="json", headers={"If-Match": '"v1"'}
    )
    assert response.status_code == 500
    content_flow.refresh_from_db()
    assert content_flow.version == 1
    assert Task.objects.filter(flow=content_flow).count() == 9
    assert Dependency.objects.filter(flow=content_flow).count() == 11


def test_body_that_is_not_json(api, content_flow):
    response = api.generic(
        "PUT",
        url(content_flow),
        "{not json",
        content_type="application/json",
        headers={"If-Match": '"v1"'},
    )
    assert response.status_code == 400
    assert response.json()["message"].startswith("the body is not valid JSON")
    assert Flow.objects.get(pk=content_flow.pk).version == 1
