"""/api/flows/: list, create, read, rename, delete; a user sees only their own flows."""

from designer.models import Flow


def test_list_shows_own_flows_with_task_count(api, content_flow, bob_api):
    response = api.get("/api/flows/")
    assert response.status_code == 200
    assert [(f["name"], f["task_count"]) for f in response.json()] == [("Content production", 9)]
    assert bob_api.get("/api/flows/").json() == []


def test_create_an_empty_flow(api, alice):
    response = api.post(
        "/api/flows/",
        {"name": "Onboarding", "time_unit": "days", "handoff_delay": 0.25},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["name"], body["time_unit"], body["handoff_delay"], body["version"]) == (
        "Onboarding",
        "days",
        0.25,
        1,
    )
    assert Flow.objects.get(pk=body["id"]).owner == alice


def test_create_refuses_bad_fields_by_name(api):
    response = api.post("/api/flows/", {"name": "", "handoff_delay": -1}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert set(body["fields"]) == {"name", "handoff_delay"}
    assert body["message"].startswith("name: ")
    response = api.post("/api/flows/", {"name": "X", "time_unit": "years"}, format="json")
    assert response.status_code == 400
    assert response.json()["message"] == 'time_unit: "years" is not a valid choice.'
    assert Flow.objects.count() == 0


def test_retrieve(api, content_flow):
    body = api.get(f"/api/flows/{content_flow.pk}/").json()
    assert body["name"] == "Content production"
    assert body["sync_overhead"] == 0.25


def test_patch_renames_and_bumps_version(api, content_flow):
    response = api.patch(f"/api/flows/{content_flow.pk}/", {"name": "Articles"}, format="json")
    assert response.status_code == 200
    assert (response.json()["name"], response.json()["version"]) == ("Articles", 2)
    graph = api.get(f"/api/flows/{content_flow.pk}/graph/")
    assert graph.json()["name"] == "Articles"
    assert graph["ETag"] == '"v2"'


def test_patch_changes_the_analysis(api, content_flow):
    api.patch(
        f"/api/flows/{content_flow.pk}/", {"handoff_delay": 0, "sync_overhead": 0}, format="json"
    )
    cycle = api.get(f"/api/flows/{content_flow.pk}/analysis/").json()["cycle_time"]
    assert cycle == {"sequential": 30.5, "parallel": 26.5, "hybrid": 26.5}


def test_patch_refuses_negative_delay(api, content_flow):
    response = api.patch(f"/api/flows/{content_flow.pk}/", {"sync_overhead": -2}, format="json")
    assert response.status_code == 400
    assert (
        response.json()["message"]
        == "sync_overhead: Ensure this value is greater than or equal to 0."
    )
    content_flow.refresh_from_db()
    assert (content_flow.sync_overhead, content_flow.version) == (0.25, 1)


def test_put_on_the_flow_itself_is_not_allowed(api, content_flow):
    response = api.put(f"/api/flows/{content_flow.pk}/", {"name": "X"}, format="json")
    assert response.status_code == 405


def test_delete(api, content_flow):
    assert api.delete(f"/api/flows/{content_flow.pk}/").status_code == 204
    assert not Flow.objects.exists()


def test_another_users_flow_is_not_found(bob_api, content_flow):
    url = f"/api/flows/{content_flow.pk}/"
    for response in (
        bob_api.get(url),
        bob_api.patch(url, {"name": "Mine now"}, format="json"),
        bob_api.delete(url),
        bob_api.get(url + "graph/"),
        bob_api.put(url + "graph/", {}, format="json", headers={"If-Match": '"v1"'}),
        bob_api.get(url + "analysis/"),
        bob_api.get(url + "export/?format=json"),
    ):
        assert response.status_code == 404
        assert response.json() == {"message": "No Flow matches the given query."}
    content_flow.refresh_from_db()
    assert (content_flow.name, content_flow.version) == ("Content production", 1)


def test_unknown_flow_is_not_found(api):
    assert api.get("/api/flows/999/").status_code == 404
