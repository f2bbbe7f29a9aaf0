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


# Cost estimates and background jobs ----------------------------------------------------

INLINE = {"VIVIDO_SIMULATION_BACKGROUND_COST": 0, "VIVIDO_SIMULATION_JOBS": "inline"}


def jobs(flow, rest=""):
    return url(flow, f"jobs/{rest}")


def test_the_cost_estimate_counts_tasks_iterations_blueprints_and_binding_pools(alice):
    from designer import selectors
    from designer.simulations.selectors import BINDING_POOL_FACTOR, pools_bind, simulation_cost

    spec = selectors.flow_spec(crew_flow(alice, capacity=2))  # four tasks on two units
    assert pools_bind(spec, {})
    assert not pools_bind(spec, {"Crew": 4})
    cost = simulation_cost(spec, iterations=100, blueprints=["parallel"], overrides={})
    assert cost == 4 * 100 * 2 * BINDING_POOL_FACTOR  # one blueprint + criticality
    roomy = {"capacities": {"Crew": 4}}
    assert simulation_cost(spec, iterations=100, blueprints=["parallel"], overrides=roomy) == 800


@override_settings(**INLINE)
def test_a_costly_simulation_answers_202_with_a_job_whose_result_is_kept(api, content_flow):
    with override_settings(VIVIDO_SIMULATION_BACKGROUND_COST=10**12):
        direct = api.post(
            url(content_flow, "preview/"), {"iterations": 300, "seed": 9}, format="json"
        )
    response = api.post(url(content_flow), {"iterations": 300, "seed": 9}, format="json")
    assert response.status_code == 202
    body = response.json()
    assert set(body) >= {"job", "state", "progress"}
    assert response["Location"] == f"/api/flows/{content_flow.pk}/simulations/jobs/{body['job']}/"
    state = api.get(jobs(content_flow, f"{body['job']}/")).json()
    assert (state["state"], state["progress"]) == ("succeeded", 1.0)
    kept = api.get(url(content_flow, f"{state['simulation']}/")).json()
    assert kept["results"] == direct.json()["results"]
    # A what-if preview that costs too much goes to the background too, and is kept.
    preview = api.post(url(content_flow, "preview/"), {"iterations": 10}, format="json")
    assert preview.status_code == 202
    assert Simulation.objects.count() == 2


@override_settings(**INLINE)
def test_a_background_simulation_is_refused_by_field_before_it_is_queued(api, alice):
    from designer.models import SimulationJob

    flow = crew_flow(alice)
    response = api.post(url(flow), {"overrides": {"capacities": {"Robots": 3}}}, format="json")
    assert response.status_code == 400
    assert response.json()["message"] == (
        "overrides.capacities.Robots: the flow has no resource pool 'Robots'"
    )
    assert not SimulationJob.objects.exists()


@override_settings(VIVIDO_SIMULATION_BACKGROUND_COST=0, VIVIDO_SIMULATION_JOBS="thread")
def test_cancel_a_queued_job(api, bob_api, content_flow):
    # In a test's transaction the job is never handed to the workers: it stays queued.
    body = api.post(url(content_flow), {"iterations": 50}, format="json").json()
    assert body["state"] == "queued"
    assert bob_api.delete(jobs(content_flow, f"{body['job']}/")).status_code == 404
    assert bob_api.get(jobs(content_flow, f"{body['job']}/")).status_code == 404
    response = api.delete(jobs(content_flow, f"{body['job']}/"))
    assert response.status_code == 200
    assert response.json()["state"] == "cancelled"
    assert api.get(jobs(content_flow, f"{body['job']}/")).json()["state"] == "cancelled"
    assert not Simulation.objects.exists()


def test_cancel_stops_a_running_job_between_chunks(alice):
    from designer.models import SimulationJob
    from designer.simulations import jobs as simulations

    flow = crew_flow(alice)
    job = SimulationJob.objects.create(
        flow=flow,
        created_by=alice,
        cost=1,
        parameters={
            "iterations": 20_000,
            "seed": 1,
            "blueprints": ["parallel"],
            "max_retries": 2,
            "overrides": {},
        },
        cancel_requested=True,  # as DELETE leaves it while the job runs
    )
    seen = []
    original = simulations.simulation_create

    def spy(**kwargs):
        progress = kwargs["progress"]

        def counting(share):
            seen.append(share)
            progress(share)

        return original(**{**kwargs, "progress": counting})

    simulations.simulation_create = spy
    try:
        simulations.run_simulation_job(job.pk)
    finally:
        simulations.simulation_create = original
    job.refresh_from_db()
    assert job.state == "cancelled"
    assert seen and seen[0] < 1.0  # stopped at the first chunk, not at the end
    assert not Simulation.objects.exists()


@override_settings(**INLINE)
def test_a_failing_job_says_why(api, alice, monkeypatch):
    from designer.simulations import jobs as simulations

    def broken(**kwargs):
        raise MemoryError("out of memory")

    monkeypatch.setattr(simulations, "simulation_create", broken)
    body = api.post(url(crew_flow(alice)), {"iterations": 10}, format="json").json()
    assert (body["state"], body["error"]) == ("failed", "out of memory")
