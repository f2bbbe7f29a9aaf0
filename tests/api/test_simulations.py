"""/api/flows/{id}/simulations/: run, keep, list, fetch, preview; refusals by field."""

from django.test import override_settings

from designer import services
from designer.models import Simulation
from tests.factories import flow_document


def url(flow, rest=""):
    return f"/api/flows/{flow.pk}/simulations/{rest}"


def crew_flow(owner, capacity=2):
    document = flow_document(
        {f"T{n}": 2 for n in range(1, 5)}, resources=[{"name": "Crew", "capacity": capacity}]
    )
    for task in document["tasks"]:
        task["resources"] = {"Crew": 1}
    return services.flow_import(owner=owner, document=document)


def test_create_keeps_the_result(api, content_flow):
    response = api.post(url(content_flow), {"iterations": 300, "seed": 9}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert set(body["results"]) == {"sequential", "hybrid", "parallel"}
    for figures in body["results"].values():
        assert set(figures) >= {"p50", "p80", "p95", "mean", "std", "histogram", "deterministic"}
    assert body["results"]["hybrid"]["deterministic"] == 31.75
    assert set(body["criticality"]) == {f"T{n}" for n in range(1, 10)}
    assert body["criticality"]["T1"] == 1.0
    assert body["schedules"]["parallel"]["cycle_time"] == 30.5
    assert (body["iterations"], body["seed"], body["max_retries"], body["flow_version"]) == (
        300,
        9,
        2,
        1,
    )
    stored = Simulation.objects.get(pk=body["id"])
    assert stored.flow == content_flow
    assert api.get(url(content_flow, f"{body['id']}/")).json()["results"] == body["results"]


def test_same_seed_same_result(api, content_flow):
    first = api.post(url(content_flow), {"iterations": 200, "seed": 5}, format="json").json()
    second = api.post(url(content_flow), {"iterations": 200, "seed": 5}, format="json").json()
    assert first["results"] == second["results"]
    assert first["id"] != second["id"]


def test_overrides_change_the_figures_not_the_flow(api, alice):
    flow = crew_flow(alice, capacity=2)
    narrow = api.post(url(flow), {"iterations": 50, "seed": 1}, format="json").json()
    wide = api.post(
        url(flow),
        {"iterations": 50, "seed": 1, "overrides": {"capacities": {"Crew": 4}}},
        format="json",
    ).json()
    assert narrow["results"]["parallel"]["p50"] == 4.0
    assert wide["results"]["parallel"]["p50"] == 2.0
    assert wide["overrides"] == {"capacities": {"Crew": 4}}
    flow.refresh_from_db()
    assert flow.resources.get().capacity == 2


def test_preview_answers_without_keeping(api, content_flow):
    response = api.post(
        url(content_flow, "preview/"),
        {"iterations": 100, "seed": 2, "overrides": {"handoff_delay": 0, "sync_overhead": 0}},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["results"]["parallel"]["deterministic"] == 26.5
    assert not Simulation.objects.exists()


def test_list_summarises_kept_results_newest_first(api, content_flow):
    ids = [
        api.post(url(content_flow), {"iterations": 50, "seed": seed}, format="json").json()["id"]
        for seed in (1, 2)
    ]
    listing = api.get(url(content_flow)).json()
    assert [item["id"] for item in listing] == ids[::-1]
    assert set(listing[0]["p50"]) == {"sequential", "hybrid", "parallel"}
    assert "results" not in listing[0]


def test_delete_a_kept_result(api, content_flow):
    kept = api.post(url(content_flow), {"iterations": 10, "seed": 1}, format="json").json()
    assert api.delete(url(content_flow, f"{kept['id']}/")).status_code == 204
    assert not Simulation.objects.exists()


def test_bad_requests_name_the_field_and_keep_nothing(api, alice, content_flow):
    flow = crew_flow(alice)
    cases = [
        (
            content_flow,
            {"iterations": 0},
            "iterations: Ensure this value is greater than or equal to 1.",
        ),
        (
            content_flow,
            {"blueprints": ["fastest"]},
            'blueprints[0]: "fastest" is not a valid choice.',
        ),
        (
            content_flow,
            {"max_retries": 99},
            "max_retries: Ensure this value is less than or equal to 20.",
        ),
        (
            flow,
            {"overrides": {"capacities": {"Crew": 0}}},
            "overrides.capacities.Crew: Ensure this value is greater than or equal to 1.",
        ),
        (
            flow,
            {"overrides": {"capacities": {"Robots": 3}}},
            "overrides.capacities.Robots: the flow has no resource pool 'Robots'",
        ),
        (
            content_flow,
            {"overrides": {"sync_overhead": -1}},
            "overrides.sync_overhead: Ensure this value is greater than or equal to 0.",
        ),
    ]
    for target, body, message in cases:
        response = api.post(url(target), body, format="json")
        assert response.status_code == 400, body
        assert response.json()["message"] == message
    assert not Simulation.objects.exists()


def test_field_messages_are_readable(api, alice):
    flow = crew_flow(alice)
    response = api.post(url(flow), {"overrides": {"capacities": {"Robots": 3}}}, format="json")
    message = "overrides.capacities.Robots: the flow has no resource pool 'Robots'"
    assert response.json() == {
        "message": message,
        "keys": [],
        "fields": {"overrides.capacities.Robots": message},
    }


def test_a_task_needing_more_than_its_pool_is_refused(api, alice):
    flow = crew_flow(alice)
    response = api.post(url(flow), {"overrides": {"capacities": {"Crew": 1}}}, format="json")
    assert response.status_code == 201  # one unit each: slower, not impossible
    document = flow_document({"A": 1}, resources=[{"name": "Crew", "capacity": 3}])
    document["tasks"][0]["resources"] = {"Crew": 3}
    big = services.flow_import(owner=alice, document=document)
    response = api.post(url(big), {"overrides": {"capacities": {"Crew": 2}}}, format="json")
    assert response.status_code == 400
    assert (
        response.json()["message"]
        == "task A needs 3 units of pool 'Crew', which has a capacity of 2"
    )


@override_settings(VIVIDO_MAX_SIMULATION_ITERATIONS=100)
def test_iterations_are_limited_by_a_setting(api, content_flow):
    response = api.post(url(content_flow), {"iterations": 101}, format="json")
    assert response.status_code == 400
    assert response.json()["message"] == "iterations: at most 100 iterations per simulation"


def test_another_users_flow_and_results_are_not_found(api, bob_api, content_flow):
    kept = api.post(url(content_flow), {"iterations": 10, "seed": 1}, format="json").json()
    assert bob_api.get(url(content_flow)).status_code == 404
    assert bob_api.post(url(content_flow), {}, format="json").status_code == 404
    assert bob_api.post(url(content_flow, "preview/"), {}, format="json").status_code == 404
    assert bob_api.get(url(content_flow, f"{kept['id']}/")).status_code == 404
    assert bob_api.delete(url(content_flow, f"{kept['id']}/")).status_code == 404
    assert Simulation.objects.count() == 1
