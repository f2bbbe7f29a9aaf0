"""The embedded server runs flows by itself, and a hard kill loses no run: after a restart
every run reaches its end and its events have no gap."""

import time

from tests.embedded import TERMINAL
from tests.factories import content_document, flow_document


def automatic_flow(server, **changes):
    """The content flow with every task simulated (the example's last task is manual)."""
    document = {**content_document(), **changes}
    for task in document["tasks"]:
        task["failure_rate"] = 0.2
    return server.call("POST", "/api/flows/import/", document)["id"]


def test_runs_execute_by_themselves(server):
    content = automatic_flow(server)
    run = server.call(
        "POST",
        f"/api/flows/{content}/runs/",
        {
            "blueprint": "hybrid",
            "failure_policy": "retry_and_proceed",
            "time_scale": 0.02,
            "seed": 1,
        },
    )
    [status] = server.wait_all_over([run["id"]], 30)
    assert status in TERMINAL
    state = server.call("GET", f"/api/runs/{run['id']}/")
    assert {t["state"] for t in state["tasks"].values()} <= {"succeeded", "failed", "skipped"}
    events = server.call("GET", f"/api/runs/{run['id']}/events/?after=0")
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))


def test_a_hard_kill_loses_no_run(server):
    flow = automatic_flow(server)
    started = []
    for blueprint in ("sequential", "parallel", "hybrid"):
        run = server.call(
            "POST",
            f"/api/flows/{flow}/runs/",
            {
                "blueprint": blueprint,
                "failure_policy": "continue_with_compensation",
                "time_scale": 0.1,
                "seed": 5,
            },
        )
        started.append(run["id"])
    time.sleep(1.0)
    before = [server.call("GET", f"/api/runs/{i}/")["status"] for i in started]
    assert "running" in before
    server.kill()
    server.start()
    states = server.wait_all_over(started, 60)
    assert all(s in TERMINAL for s in states)
    for run_id in started:
        events = server.call("GET", f"/api/runs/{run_id}/events/?after=0")
        assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
        assert events[-1]["kind"] == "run"


def test_compensation_is_executed_and_can_be_seen(server):
    """A failure under continue_with_compensation: each succeeded task is compensating for a
    while (its optimistic duration), one at a time, then compensated."""
    document = flow_document(
        {"A": (2, 3, 4), "B": (2, 3, 4), "C": 1}, [("A", "B"), ("B", "C")], name="Undo"
    )
    document["tasks"][2]["failure_rate"] = 1
    flow = server.call("POST", "/api/flows/import/", document)["id"]
    run = server.call(
        "POST",
        f"/api/flows/{flow}/runs/",
        {
            "blueprint": "sequential",
            "failure_policy": "continue_with_compensation",
            "time_scale": 0.1,
            "seed": 1,
        },
    )
    seen = set()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        state = server.call("GET", f"/api/runs/{run['id']}/")
        seen |= {k for k, t in state["tasks"].items() if t["state"] == "compensating"}
        if state["status"] in TERMINAL:
            break
        time.sleep(0.05)
    assert state["status"] == "failed"
    assert seen == {"A", "B"}
    assert {k: t["state"] for k, t in state["tasks"].items()} == {
        "A": "compensated",
        "B": "compensated",
        "C": "failed",
    }
    events = server.call("GET", f"/api/runs/{run['id']}/events/?after=0")
    undo = [(e["task"], e["state"]) for e in events if e["data"].get("compensation")]
    assert undo == [
        ("B", "compensating"),
        ("B", "compensated"),
        ("A", "compensating"),
        ("A", "compensated"),
    ]
