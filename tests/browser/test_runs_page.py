"""Run dashboards against the real embedded server (Daphne, websockets, the dispatcher):
tasks change colour live, a manual task is completed by its button, runs race side by side."""

from tests.browser.support import axe_serious
from tests.factories import content_document


def import_flow(server, manual=()):
    document = content_document(handoff_delay=0.1, sync_overhead=0.1)
    for task in document["tasks"]:
        if task["key"] in manual:
            task["executor"] = "manual"
    return server.call("POST", "/api/flows/import/", document)["id"]


def state_of(page, key):
    return page.evaluate(f"window.vividoRuns[0].run?.tasks['{key}']?.state")


def test_watch_a_run_live_and_complete_a_manual_task(server, tab):
    flow = import_flow(server, manual=("T2",))
    tab.goto(f"/flows/{flow}/runs/")
    assert tab.get_by_text("No runs yet").is_visible()
    tab.get_by_label("Seconds per hour").fill("0.05")
    tab.get_by_role("button", name="Start the run").click()
    tab.wait_for_url("**/runs/*/")
    tab.locator('[data-field="connection"]').filter(has_text="Live").wait_for()
    tab.wait_for_function("() => window.vividoRuns[0].run?.tasks.T1.state === 'succeeded'")
    colour = tab.evaluate("window.vividoRuns[0].nodes.T1.style('background-color')")
    assert colour == "rgb(134,239,172)"
    tab.get_by_role("button", name="Start T2", exact=True).click()
    tab.get_by_role("button", name="Complete T2", exact=True).click()
    tab.wait_for_function("() => window.vividoRuns[0].run?.status === 'succeeded'", timeout=30_000)
    assert (
        tab.locator('[data-field="counters"]').inner_text()
        == "✓ 9 · ▶ 0 · ✕ 0 · remaining 0 of 9 tasks"
    )
    assert tab.locator('[data-field="status"]').inner_text() == "succeeded"
    newest = tab.locator('[data-field="log"] tr').first.locator("td").all_inner_texts()
    assert newest[2:5] == ["run", "running", "succeeded"]
    oldest = tab.locator('[data-field="log"] tr').last.locator("td").all_inner_texts()
    assert oldest[0] == "1"
    assert oldest[2:5] == ["run", "—", "running"]
    assert "T2" in tab.locator('[data-field="log"]').inner_text()
    by = tab.evaluate(
        "window.vividoRuns[0].log.find(e => e.task === 'T2' && e.state === 'succeeded').data.by"
    )
    assert by == "vivido"
    assert axe_serious(tab) == []
    assert tab.js_errors == []


def test_two_runs_race_side_by_side(server, tab):
    flow = import_flow(server)
    ids = [
        server.call(
            "POST",
            f"/api/flows/{flow}/runs/",
            {
                "blueprint": blueprint,
                "failure_policy": "retry_and_proceed",
                "time_scale": 0.05,
                "seed": 2,
            },
        )["id"]
        for blueprint in ("sequential", "hybrid")
    ]
    tab.goto(f"/flows/{flow}/runs/compare/?runs={ids[0]},{ids[1]}")
    tab.locator("#race").filter(has_text="finished first").wait_for(timeout=30_000)
    assert tab.locator("#race").inner_text().startswith(f"Run {ids[1]} (hybrid) finished first")
    assert tab.locator('.run-view [data-field="status"]').all_inner_texts() == [
        "succeeded",
        "succeeded",
    ]
    assert tab.js_errors == []


def test_the_run_list_links_runs_and_compares(server, tab):
    flow = import_flow(server)
    for blueprint in ("parallel", "sequential"):
        server.call(
            "POST", f"/api/flows/{flow}/runs/", {"blueprint": blueprint, "time_scale": 0.01}
        )
    tab.goto(f"/flows/{flow}/runs/")
    rows = tab.locator("table.flows tbody tr")
    assert rows.count() == 2
    for box in tab.locator(".compare-pick").all():
        box.check()
    tab.get_by_role("button", name="Compare the chosen runs").click()
    tab.wait_for_url("**/runs/compare/?runs=*")
    assert tab.locator(".run-view").count() == 2


def test_the_dashboard_reconnects_and_catches_up_without_a_reload(server, tab):
    flow = import_flow(server)
    run = server.call(
        "POST",
        f"/api/flows/{flow}/runs/",
        {
            "blueprint": "sequential",
            "failure_policy": "retry_and_proceed",
            "time_scale": 0.15,
            "seed": 4,
        },
    )
    tab.goto(f"/runs/{run['id']}/")
    connection = tab.locator('[data-field="connection"]')
    connection.filter(has_text="Live").wait_for()
    tab.evaluate("window.sameDocument = true")
    server.kill()
    connection.filter(has_text="Reconnecting").wait_for()
    server.start(port=server.port)
    connection.filter(has_text="Live").wait_for(timeout=30_000)
    tab.wait_for_function("() => window.vividoRuns[0].run?.status === 'succeeded'", timeout=40_000)
    assert tab.evaluate("window.sameDocument") is True
    assert (
        tab.locator('[data-field="counters"]').inner_text()
        == "✓ 9 · ▶ 0 · ✕ 0 · remaining 0 of 9 tasks"
    )
    # The snapshot after the reconnect brings the state at once; the events missed meanwhile
    # follow for the log.
    last_seq = server.call("GET", f"/api/runs/{run['id']}/")["last_seq"]
    tab.wait_for_function(f"() => window.vividoRuns[0].log.length === {last_seq}", timeout=10_000)
    seqs = tab.evaluate("window.vividoRuns[0].log.map(e => e.seq).reverse()")
    assert seqs == list(range(1, last_seq + 1))
