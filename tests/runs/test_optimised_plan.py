"""Runs that follow the optimised plan: the solver's start order is the engine's priority."""

from designer import services
from runs import engine
from runs.models import Run
from tests.analysis.test_optimise import crossing
from tests.runs.test_engine import drive, start


def test_the_engine_starts_in_the_optimised_order(alice):
    flow = services.flow_import(owner=alice, document={**crossing(), "name": "Crossing"})
    # Greedy: longest remaining path first takes T1 (4 h to go) before T2 (3.5 h).
    run, step = start(flow, alice)
    assert [s.key for s in step.starts] == ["T1"]
    assert run.optimised_plan is None
    # Following the optimised plan: T2 first, which feeds pool B an hour sooner.
    run, step = start(flow, alice, follow_optimised_plan=True)
    assert [s.key for s in step.starts] == ["T2"]
    assert run.optimised_plan["order"] == ["T2", "T1", "T3", "T4"]
    assert run.optimised_plan["cycle_time"] == 5.5
    assert run.optimised_plan["status"] == "optimal"
    drive(step)
    run.refresh_from_db()
    assert run.status == "succeeded"
    first = [e.task for e in run.events.filter(kind="task", data__to="running")]
    assert first == ["T2", "T1", "T3", "T4"]


def test_a_rerun_keeps_the_plan(alice):
    flow = services.flow_import(owner=alice, document={**crossing(), "name": "Crossing"})
    run, step = start(flow, alice, follow_optimised_plan=True)
    drive(step, outcome=lambda s: s.key != "T3")
    run.refresh_from_db()
    assert run.status == "failed"
    again, _ = engine.run_rerun(run=run, user=alice)
    assert Run.objects.get(pk=again.pk).optimised_plan == run.optimised_plan


def test_the_api_starts_a_run_following_the_plan_and_its_page_plans_it(api, alice, client):
    flow = services.flow_import(owner=alice, document={**crossing(), "name": "Crossing"})
    response = api.post(
        f"/api/flows/{flow.pk}/runs/",
        {"blueprint": "parallel", "time_scale": 0.001, "follow_optimised_plan": True},
        format="json",
    )
    assert response.status_code == 201
    run = Run.objects.get(pk=response.json()["id"])
    assert run.optimised_plan["tasks"] == {
        "T1": [1, 3],
        "T2": [0, 1],
        "T3": [1, 3.5],
        "T4": [3.5, 5.5],
    }
    client.force_login(alice)
    page = client.get(f"/runs/{run.pk}/")
    assert page.context["page"]["runs"][0]["planned"] == run.optimised_plan["tasks"]
    text = page.content.decode()
    assert "This run follows the optimised plan: 5.5 h planned (proven optimal; " in text
    assert "greedy levelling 6.5 h). Tasks start in its order." in text
