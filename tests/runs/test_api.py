"""The runs API contract: start, read, events after N, control, manual tasks, privacy."""

import time

from designer import services
from runs import engine
from runs.models import Run
from tests.factories import content_document, flow_document


def manual_flow(owner):
    document = flow_document({"A": 1, "B": 1}, [("A", "B")])
    document["tasks"][0]["executor"] = "manual"
    return services.flow_import(owner=owner, document=document)


def test_start_a_run_and_read_it(api, content_flow):
    response = api.post(
        f"/api/flows/{content_flow.pk}/runs/",
        {
            "blueprint": "hybrid",
            "failure_policy": "fail_fast",
            "time_scale": 0.01,
            "max_retries": 1,
            "seed": 3,
        },
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "running"
    run = api.get(f"/api/runs/{body['id']}/").json()
    assert run["status"] == "running"
    assert run["tasks"]["T1"]["state"] == "running"
    assert run["tasks"]["T2"]["state"] == "pending"
    assert run["last_seq"] == 2
    assert set(run["tasks"]["T1"]) >= {"state", "attempts", "started_at", "finished_at"}


def test_events_after_n_in_order(api, alice):
    document = content_document(handoff_delay=0, sync_overhead=0)
    flow = services.flow_import(owner=alice, document=document)
    run_id = api.post(f"/api/flows/{flow.pk}/runs/", {"time_scale": 0.01}, format="json")
    run_id = run_id.json()["id"]
    first = Run.objects.get(pk=run_id).tasks.get(key="T1")
    engine.task_finish(run_id, "T1", first.attempts, succeeded=True)
    events = api.get(f"/api/runs/{run_id}/events/?after=0").json()
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert [(e["task"], e["state"]) for e in events[:4]] == [
        ("", "running"),
        ("T1", "running"),
        ("T1", "succeeded"),
        ("T2", "running"),
    ]
    later = api.get(f"/api/runs/{run_id}/events/?after=2").json()
    assert [e["seq"] for e in later] == [3, 4]
    assert api.get(f"/api/runs/{run_id}/events/?after=soon").status_code == 400


def test_pause_resume_cancel(api, content_flow):
    run_id = api.post(f"/api/flows/{content_flow.pk}/runs/", {}, format="json").json()["id"]
    assert api.post(f"/api/runs/{run_id}/pause/").json()["status"] == "paused"
    again = api.post(f"/api/runs/{run_id}/pause/")
    assert again.status_code == 409
    assert again.json()["message"] == f"run {run_id} is paused: it cannot pause"
    assert api.post(f"/api/runs/{run_id}/resume/").json()["status"] == "running"
    cancelled = api.post(f"/api/runs/{run_id}/cancel/").json()
    assert cancelled["status"] == "cancelled"
    assert {t["state"] for t in cancelled["tasks"].values()} == {"cancelled"}


def test_manual_task_buttons(api, alice):
    flow = manual_flow(alice)
    run_id = api.post(f"/api/flows/{flow.pk}/runs/", {}, format="json").json()["id"]
    assert api.get(f"/api/runs/{run_id}/").json()["tasks"]["A"]["state"] == "ready"
    refused = api.post(f"/api/runs/{run_id}/tasks/B/complete/")
    assert refused.status_code == 409
    assert refused.json()["message"] == "task B is pending: only a running task can end"
    assert api.post(f"/api/runs/{run_id}/tasks/A/start/").json()["tasks"]["A"]["state"] == "running"
    done = api.post(f"/api/runs/{run_id}/tasks/A/complete/").json()
    assert done["tasks"]["A"]["state"] == "succeeded"
    assert done["tasks"]["B"]["state"] == "running"
    unknown = api.post(f"/api/runs/{run_id}/tasks/Z9/start/")
    assert unknown.status_code == 404
    assert unknown.json()["message"] == f"run {run_id} has no task Z9"


def test_bad_run_requests_are_refused_by_field(api, content_flow):
    for body, message in (
        ({"blueprint": "fastest"}, 'blueprint: "fastest" is not a valid choice.'),
        ({"failure_policy": "ignore"}, 'failure_policy: "ignore" is not a valid choice.'),
        ({"time_scale": 0}, "time_scale: Ensure this value is greater than or equal to 0.001."),
        ({"max_retries": -1}, "max_retries: Ensure this value is greater than or equal to 0."),
    ):
        response = api.post(f"/api/flows/{content_flow.pk}/runs/", body, format="json")
        assert response.status_code == 400
        assert response.json()["message"] == message
    assert not Run.objects.exists()


def test_a_task_needing_more_than_its_pool_cannot_run(api, alice):
    document = content_document()
    document["resources"] = [{"name": "Crew", "capacity": 1}]
    document["tasks"][0]["resources"] = {"Crew": 2}
    flow = services.flow_import(owner=alice, document=document)
    response = api.post(f"/api/flows/{flow.pk}/runs/", {}, format="json")
    assert response.status_code == 400
    assert (
        response.json()["message"]
        == "task T1 needs 2 units of pool 'Crew', which has a capacity of 1"
    )


def test_run_list(api, content_flow):
    api.post(f"/api/flows/{content_flow.pk}/runs/", {"blueprint": "sequential"}, format="json")
    api.post(f"/api/flows/{content_flow.pk}/runs/", {"blueprint": "parallel"}, format="json")
    listing = api.get(f"/api/flows/{content_flow.pk}/runs/").json()
    assert [r["blueprint"] for r in listing] == ["parallel", "sequential"]
    assert listing[0]["status"] == "running"
    # The grid's cells: every task's state, in flow order, and counts that add up.
    assert list(listing[0]["tasks"]) == [f"T{n}" for n in range(1, 10)]
    assert listing[0]["tasks"]["T1"] == "running"
    assert listing[0]["counts"] == {"running": 1, "pending": 8}
    newest = api.get(f"/api/flows/{content_flow.pk}/runs/?limit=1").json()
    assert [r["blueprint"] for r in newest] == ["parallel"]
    refused = api.get(f"/api/flows/{content_flow.pk}/runs/?limit=0")
    assert refused.status_code == 400
    assert refused.json()["message"] == "limit: must be a whole number from 1 to 500"


def test_events_come_in_pages_forwards_and_backwards(api, alice):
    flow = services.flow_import(owner=alice, document=content_document())
    run, _ = engine.run_start(
        flow=flow, user=alice, blueprint="parallel", failure_policy="fail_fast", time_scale=0.001
    )
    engine.run_control(run.pk, "cancel", by="alice")
    run.refresh_from_db()
    assert run.last_seq == 12  # started, T1 running, nine cancelled, the run cancelled
    page = api.get(f"/api/runs/{run.pk}/events/?after=0&limit=5").json()
    assert [e["seq"] for e in page] == [1, 2, 3, 4, 5]
    rest = api.get(f"/api/runs/{run.pk}/events/?after=5").json()
    assert [e["seq"] for e in rest] == list(range(6, 13))
    older = api.get(f"/api/runs/{run.pk}/events/?before=12&limit=3").json()
    assert [e["seq"] for e in older] == [9, 10, 11]
    refused = api.get(f"/api/runs/{run.pk}/events/?limit=5001")
    assert refused.status_code == 400
    assert refused.json()["message"] == "limit: must be a whole number from 1 to 5000"


def test_every_attempt_of_a_task_is_in_its_history(api, alice):
    document = flow_document({"A": 1, "B": 1}, [("A", "B")])
    flow = services.flow_import(owner=alice, document=document)
    run, _ = engine.run_start(
        flow=flow,
        user=alice,
        blueprint="parallel",
        failure_policy="retry_and_proceed",
        time_scale=0.001,
        max_retries=1,
    )
    engine.task_finish(run.pk, "A", 1, succeeded=False, error="disk full")
    time.sleep(0.01)
    engine.run_advance(run.pk)
    engine.task_finish(run.pk, "A", 2, succeeded=True)
    state = api.get(f"/api/runs/{run.pk}/").json()
    history = state["tasks"]["A"]["history"]
    assert [(h["kind"], h["attempt"], h["outcome"], h["error"]) for h in history] == [
        ("attempt", 1, "failed", "disk full"),
        ("attempt", 2, "succeeded", ""),
    ]
    assert all(h["started_at"] <= h["finished_at"] for h in history)
    assert [h["started_by"] for h in history] == ["engine", "engine"]
    assert state["tasks"]["B"]["history"][0]["outcome"] is None  # still running
    detail = api.get(f"/api/runs/{run.pk}/tasks/A/").json()
    assert detail["history"] == history
    assert detail["name"] == "Task A"
    assert [e["state"] for e in detail["events"]] == [
        "running",
        "failed",
        "retrying",
        "running",
        "succeeded",
    ]
    missing = api.get(f"/api/runs/{run.pk}/tasks/Z9/")
    assert missing.status_code == 404
    assert missing.json()["message"] == f"run {run.pk} has no task Z9"


def test_strangers_see_nothing(api, bob_api, content_flow):
    run_id = api.post(f"/api/flows/{content_flow.pk}/runs/", {}, format="json").json()["id"]
    assert bob_api.post(f"/api/flows/{content_flow.pk}/runs/", {}, format="json").status_code == 404
    for path in (
        f"/api/runs/{run_id}/",
        f"/api/runs/{run_id}/events/",
        f"/api/runs/{run_id}/tasks/T1/",
    ):
        assert bob_api.get(path).status_code == 404
    assert bob_api.post(f"/api/runs/{run_id}/cancel/").status_code == 404
    assert bob_api.post(f"/api/runs/{run_id}/rerun/").status_code == 404
    assert bob_api.post(f"/api/runs/{run_id}/tasks/T1/complete/").status_code == 404
    assert Run.objects.get().status == "running"


def test_rerun_from_failure_carries_over_what_succeeded(api, alice):
    flow = services.flow_import(
        owner=alice, document=flow_document({"A": 1, "B": 1, "C": 1}, [("A", "B")])
    )
    run, _ = engine.run_start(
        flow=flow, user=alice, blueprint="parallel", failure_policy="fail_fast", time_scale=0.001
    )
    refused = api.post(f"/api/runs/{run.pk}/rerun/")
    assert refused.status_code == 409
    assert refused.json()["message"] == (
        f"run {run.pk} is running: only a failed or cancelled run can be re-run"
    )
    engine.task_finish(run.pk, "C", 1, succeeded=True)
    engine.task_finish(run.pk, "A", 1, succeeded=False, error="boom")
    created = api.post(f"/api/runs/{run.pk}/rerun/")
    assert created.status_code == 201
    again = api.get(f"/api/runs/{created.json()['id']}/").json()
    assert again["rerun_of"] == run.pk
    assert {key: task["state"] for key, task in again["tasks"].items()} == {
        "A": "running",
        "B": "pending",
        "C": "succeeded",
    }
    assert again["tasks"]["C"]["history"][0]["outcome"] == "carried_over"
    assert again["tasks"]["C"]["history"][0]["started_by"] == f"run {run.pk}"
