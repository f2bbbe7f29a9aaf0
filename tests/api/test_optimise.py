"""/api/flows/{id}/optimise/ and /api/optimise/: the optimal levelled schedule over HTTP."""

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from designer import services
from tests.analysis.test_optimise import crossing


@pytest.fixture
def crossing_flow(alice):
    return services.flow_import(owner=alice, document={**crossing(), "name": "Crossing"})


def test_optimise_a_stored_flow(api, crossing_flow):
    response = api.post(
        f"/api/flows/{crossing_flow.pk}/optimise/",
        {"blueprint": "parallel", "time_limit": 3},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["cycle_time"], body["greedy_cycle_time"], body["lower_bound"]) == (5.5, 6.5, 5.5)
    assert body["status"] == "optimal"
    assert body["tasks"] == {"T1": [1, 3], "T2": [0, 1], "T3": [1, 3.5], "T4": [3.5, 5.5]}
    assert body["usage"]["B"] == [[0, 0], [1, 1], [5.5, 0]]
    assert body["flow_version"] == crossing_flow.version


@override_settings(VIVIDO_SIMULATION_JOBS="inline")
def test_a_longer_time_limit_makes_a_background_job(api, crossing_flow):
    # Run inside the request here, so the job has ended when the answer comes.
    response = api.post(
        f"/api/flows/{crossing_flow.pk}/optimise/",
        {"blueprint": "parallel", "time_limit": 20, "overrides": {"capacities": {"B": 2}}},
        format="json",
    )
    assert response.status_code == 202
    job = response.json()
    assert response["Location"] == f"/api/flows/{crossing_flow.pk}/simulations/jobs/{job['job']}/"
    assert (job["kind"], job["state"], job["progress"]) == ("optimisation", "succeeded", 1.0)
    # B holds two: greedy 5.5 h, the optimum 5 h (T2 first, T1 then feeds B at 3).
    assert (job["result"]["greedy_cycle_time"], job["result"]["cycle_time"]) == (5.5, 5)
    assert api.get(response["Location"]).json() == job


def test_a_pool_too_small_is_refused_before_any_job(api, alice):
    document = {**crossing(), "name": "Too small"}
    flow = services.flow_import(owner=alice, document=document)
    response = api.post(
        f"/api/flows/{flow.pk}/optimise/",
        {"time_limit": 30, "overrides": {"capacities": {"A": 0}}},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["overrides.capacities.A"]


def test_optimise_an_unsaved_document(api):
    response = api.post(
        "/api/optimise/",
        {"document": crossing(handoff=0.5), "blueprint": "parallel", "time_limit": 5},
        format="json",
    )
    assert response.status_code == 200
    assert (response.json()["cycle_time"], response.json()["greedy_cycle_time"]) == (6, 7)


@pytest.mark.parametrize("time_limit", [0, 0.5, 61, "ten", None, True])
def test_a_time_limit_outside_one_to_sixty_seconds_is_refused(api, crossing_flow, time_limit):
    response = api.post(
        f"/api/flows/{crossing_flow.pk}/optimise/",
        {"blueprint": "parallel", "time_limit": time_limit},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["time_limit"]
    assert "time_limit" in response.json()["message"]


def test_an_unknown_blueprint_is_refused(api, crossing_flow):
    response = api.post(
        f"/api/flows/{crossing_flow.pk}/optimise/", {"blueprint": "fastest"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["fields"] == {
        "blueprint": "blueprint must be one of sequential, hybrid, parallel"
    }


def test_a_bad_document_gets_the_usual_message(api):
    document = crossing()
    document["dependencies"].append({"from": "T4", "to": "T1"})
    response = api.post("/api/optimise/", {"document": document}, format="json")
    assert response.status_code == 400
    assert response.json()["message"] == "dependency cycle: T1 → T4 → T1"


def test_a_task_needing_more_than_its_pool_is_named(api):
    document = crossing()
    document["tasks"][0]["resources"] = {"A": 2}
    response = api.post("/api/optimise/", {"document": document}, format="json")
    assert response.status_code == 400
    assert response.json()["keys"] == ["T1"]


def test_another_users_flow_is_not_found(bob_api, crossing_flow):
    response = bob_api.post(f"/api/flows/{crossing_flow.pk}/optimise/", {}, format="json")
    assert response.status_code == 404


def test_a_signed_in_browser_needs_the_csrf_token(alice, crossing_flow):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(alice)
    response = client.post(f"/api/flows/{crossing_flow.pk}/optimise/", {}, format="json")
    assert response.status_code == 403
