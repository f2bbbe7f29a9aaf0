"""The flow's run list against the real embedded server: the table and the grid of recent
runs follow every run live (websocket nudges, or polling without websockets), keep the
user's checkboxes and focus, and say states in words as well as colours."""

from itertools import pairwise
from pathlib import Path

from tests.browser.conftest import axe_violations
from tests.factories import content_document

SHOTS = Path("/tmp/shots")


def import_flow(server, rename=None):
    document = content_document(handoff_delay=0.1, sync_overhead=0.1)
    for task in document["tasks"]:
        if rename and task["key"] in rename:
            task["name"] = rename[task["key"]]
    return server.call("POST", "/api/flows/import/", document)["id"]


def start(server, flow, **options):
    body = {"blueprint": "hybrid", "failure_policy": "retry_and_proceed", "time_scale": 0.1}
    return server.call("POST", f"/api/flows/{flow}/runs/", {**body, **options})["id"]


def row(tab, run):
    return tab.locator(f'tbody[data-field="runs"] tr[data-run="{run}"]')


def grid_states(tab, run):
    """The grid's column for a run: {task key: state}, read from each cell's accessible name."""
    labels = tab.locator(f'.run-history-grid a.cell[data-run="{run}"]').evaluate_all(
        "cells => cells.map(c => c.getAttribute('aria-label'))"
    )
    states = {}
    for label in labels:
        # "T3 in run 12: failed"
        key, rest = label.split(" in run ", 1)
        states[key] = rest.split(": ", 1)[1]
    return states


def wait_status(tab, run, status, timeout=30_000):
    row(tab, run).locator('[data-field="status"]').filter(has_text=status).wait_for(timeout=timeout)


def no_sideways_scroll(tab):
    return tab.evaluate(
        "document.scrollingElement.scrollWidth <= document.scrollingElement.clientWidth"
    )


def test_new_runs_appear_and_finish_live_in_table_and_grid(server, tab):
    flow = import_flow(server)
    tab.goto(f"/flows/{flow}/runs/")
    assert tab.get_by_text("No runs yet — start one above.").is_visible()
    tab.locator('[data-field="connection"]').filter(has_text="Live").wait_for()
    tab.evaluate("window.sameDocument = true")

    first = start(server, flow, time_scale=0.01)
    row(tab, first).wait_for()
    assert not tab.get_by_text("No runs yet").is_visible()
    wait_status(tab, first, "succeeded")
    # The user picks the first run to compare and puts the focus on one of its grid cells.
    row(tab, first).locator(".compare-pick").check()
    tab.locator(f'.run-history-grid a.cell[data-run="{first}"][data-task="T2"]').focus()

    second = start(server, flow, time_scale=0.15)
    row(tab, second).wait_for()
    tab.locator(f'.run-history-grid a.grid-run[data-run="{second}"]').wait_for()
    # Newest on top of the table and on the left of the grid.
    assert tab.locator('tbody[data-field="runs"] tr').first.get_attribute("data-run") == str(second)
    headers = tab.locator(".run-history-grid a.grid-run").evaluate_all(
        "links => links.map(l => Number(l.dataset.run))"
    )
    assert headers == [second, first]
    # The checkbox and the focus survived the new run's arrival.
    assert row(tab, first).locator(".compare-pick").is_checked()
    focused = tab.evaluate(
        "[document.activeElement.dataset.run, document.activeElement.dataset.task]"
    )
    assert focused == [str(first), "T2"]

    # While it runs, the table says so; then it turns to its final status without a reload.
    wait_status(tab, second, "succeeded", timeout=40_000)
    tab.locator('[data-field="announce"]').filter(has_text=f"Run {second} succeeded.").wait_for()
    assert row(tab, second).locator('[data-field="duration"]').inner_text().endswith(" s")
    counts = row(tab, second).locator('[data-field="counts"]')
    counts.locator('[aria-hidden="true"]').filter(has_text="✓ 9").wait_for()
    assert counts.locator(".visually-hidden").inner_text() == "9 succeeded"
    assert tab.evaluate("window.sameDocument") is True

    # Every grid cell says what the API says, in words.
    listed = {run["id"]: run for run in server.call("GET", f"/api/flows/{flow}/runs/")}
    tab.wait_for_function(
        f"""() => [...document.querySelectorAll('.run-history-grid a.cell[data-run="{second}"]')]
               .every(c => c.dataset.state === 'succeeded')"""
    )
    for run in (first, second):
        assert grid_states(tab, run) == listed[run]["tasks"]
    cell = tab.locator(f'.run-history-grid a.cell[data-run="{second}"][data-task="T3"]')
    assert cell.get_attribute("aria-label") == f"T3 in run {second}: succeeded"
    assert cell.get_attribute("title") == f"T3 in run {second}: succeeded"
    assert cell.inner_text() == "✓"
    assert cell.get_attribute("href") == f"/runs/{second}/#task=T3"
    assert tab.locator('[data-field="legend"] li').count() == 10

    assert axe_violations(tab) == []
    SHOTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(SHOTS / "run-list-1280.png"), full_page=True)
    assert no_sideways_scroll(tab)
    tab.set_viewport_size({"width": 768, "height": 1000})
    tab.screenshot(path=str(SHOTS / "run-list-768.png"), full_page=True)
    assert no_sideways_scroll(tab)
    assert axe_violations(tab) == []
    assert tab.js_errors == []


def test_failed_skipped_and_cancelled_tasks_show_in_the_grid(server, tab):
    document = content_document(handoff_delay=0.1, sync_overhead=0.1)
    for task in document["tasks"]:
        if task["key"] == "T3":
            task["failure_rate"] = 1
    flow = server.call("POST", "/api/flows/import/", document)["id"]
    tab.goto(f"/flows/{flow}/runs/")
    tab.locator('[data-field="connection"]').filter(has_text="Live").wait_for()
    failed = start(server, flow, time_scale=0.02, max_retries=0)
    wait_status(tab, failed, "failed")
    cancelled = start(server, flow, time_scale=0.5, failure_policy="fail_fast")
    tab.locator(
        f'.run-history-grid a.cell[data-run="{cancelled}"][data-state="running"]'
    ).first.wait_for()
    SHOTS.mkdir(exist_ok=True)
    tab.locator('[data-field="grid"]').screenshot(path=str(SHOTS / "run-list-grid-states.png"))
    server.call("POST", f"/api/runs/{cancelled}/cancel/")
    wait_status(tab, cancelled, "cancelled")
    listed = {r["id"]: r for r in server.call("GET", f"/api/flows/{flow}/runs/")}
    tab.wait_for_function(
        f"""() => [...document.querySelectorAll('.run-history-grid a.cell[data-run="{cancelled}"]')]
               .every(c => !['running', 'pending', 'ready'].includes(c.dataset.state))"""
    )
    for run in (failed, cancelled):
        assert grid_states(tab, run) == listed[run]["tasks"]
    assert grid_states(tab, failed)["T3"] == "failed"
    assert "skipped" in grid_states(tab, failed).values()
    assert "cancelled" in grid_states(tab, cancelled).values()
    order = list(listed[failed]["counts"])
    order.sort(key=["succeeded", "failed", "skipped"].index)
    said = row(tab, failed).locator('[data-field="counts"] .visually-hidden').inner_text()
    assert said == ", ".join(f"{listed[failed]['counts'][state]} {state}" for state in order)
    header = tab.locator(f'.run-history-grid a.grid-run[data-run="{cancelled}"]')
    assert header.get_attribute("aria-label") == f"Run {cancelled}: cancelled"
    # Re-run from failure: the new run names its origin, and T1 (carried over) starts done.
    again = server.call("POST", f"/api/runs/{failed}/rerun/")["id"]
    origin = row(tab, again).locator(".run-origin-note")
    origin.wait_for()
    assert origin.inner_text() == f"re-run of Run {failed}"
    assert origin.locator("a").get_attribute("href") == f"/runs/{failed}/"
    wait_status(tab, again, "failed")
    tab.locator('[data-field="grid"]').screenshot(path=str(SHOTS / "run-list-grid-ended.png"))
    assert axe_violations(tab) == []
    assert tab.js_errors == []


def test_with_websockets_refused_the_list_polls(server, tab):
    tab.route_web_socket("**/ws/**", lambda ws: ws.close())
    flow = import_flow(server)
    tab.goto(f"/flows/{flow}/runs/")
    tab.locator('[data-field="connection"]').filter(has_text="Polling").wait_for()
    run = start(server, flow, time_scale=0.05)
    row(tab, run).wait_for()
    tab.locator(f'.run-history-grid a.grid-run[data-run="{run}"]').wait_for()
    wait_status(tab, run, "succeeded")
    listed = {r["id"]: r for r in server.call("GET", f"/api/flows/{flow}/runs/")}
    tab.wait_for_function(
        f"""() => [...document.querySelectorAll('.run-history-grid a.cell[data-run="{run}"]')]
               .every(c => c.dataset.state === 'succeeded')"""
    )
    assert grid_states(tab, run) == listed[run]["tasks"]
    assert tab.locator('[data-field="connection"]').inner_text().startswith("Polling")
    assert tab.js_errors == []


def test_a_socket_that_never_says_hello_falls_back_to_polling(server, tab):
    # The route answers the upgrade and then says nothing, like a proxy that hangs.
    tab.route_web_socket("**/ws/**", lambda ws: None)
    flow = import_flow(server)
    tab.goto(f"/flows/{flow}/runs/")
    connection = tab.locator('[data-field="connection"]')
    assert "Live" not in connection.inner_text()
    connection.filter(has_text="Polling").wait_for(timeout=8_000)
    run = start(server, flow, time_scale=0.01)
    wait_status(tab, run, "succeeded")
    assert tab.js_errors == []


def test_refetches_are_coalesced(server, tab):
    flow = import_flow(server)
    tab.goto(f"/flows/{flow}/runs/")
    tab.locator('[data-field="connection"]').filter(has_text="Live").wait_for()
    runs = [start(server, flow, time_scale=0.02, blueprint="parallel") for _ in range(3)]
    for run in runs:
        wait_status(tab, run, "succeeded")
    starts = tab.evaluate(
        """performance.getEntriesByType('resource')
             .filter(e => e.name.includes('/api/flows/') && e.name.includes('/runs/'))
             .map(e => e.startTime)"""
    )
    # Nudges about the newest runs fetch only the grid's 20; heartbeats the whole list's 50.
    limits = tab.evaluate(
        """performance.getEntriesByType('resource')
             .filter(e => e.name.includes('/api/flows/'))
             .map(e => new URL(e.name).searchParams.get('limit'))"""
    )
    assert "20" in limits
    gaps = [later - earlier for earlier, later in pairwise(starts)]
    assert len(starts) >= 2
    assert min(gaps) >= 290, gaps


def test_grid_is_keyboard_reachable_and_names_are_text(server, tab):
    flow = import_flow(server, rename={"T1": "<b>Brief</b> & <script>x()</script>"})
    run = start(server, flow, time_scale=0.01)
    server.wait_all_over([run], 20)
    tab.goto(f"/flows/{flow}/runs/")
    first = tab.locator(".run-history-grid tbody th").first
    assert first.inner_text() == "T1 <b>Brief</b> & <script>x()</script>"
    tab.locator(f'.run-history-grid a.cell[data-run="{run}"]').first.wait_for()
    # One tab stop for the whole grid; arrows move inside it.
    stops = tab.locator('.run-history-grid a[tabindex="0"]')
    assert stops.count() == 1
    stops.first.focus()
    assert stops.first.get_attribute("aria-label") == f"T1 in run {run}: succeeded"
    tab.keyboard.press("ArrowUp")
    assert (
        tab.evaluate("document.activeElement.getAttribute('aria-label')") == f"Run {run}: succeeded"
    )
    tab.keyboard.press("ArrowDown")
    tab.keyboard.press("ArrowDown")
    active = tab.evaluate("document.activeElement.getAttribute('aria-label')")
    assert active == f"T2 in run {run}: succeeded"
    tab.keyboard.press("Enter")
    tab.wait_for_url(f"**/runs/{run}/#task=T2")
    # The run page opens on that task's attempts.
    panel = tab.locator('[data-field="panel"]')
    panel.wait_for(state="visible")
    assert "T2" in panel.inner_text()
    assert tab.js_errors == []


def test_the_grid_holds_the_twenty_newest_runs_and_scrolls_inside_its_box(server, tab):
    flow = import_flow(server)
    runs = [start(server, flow, time_scale=0.001, blueprint="parallel") for _ in range(21)]
    server.wait_all_over(runs, 60)
    tab.set_viewport_size({"width": 768, "height": 1000})
    tab.goto(f"/flows/{flow}/runs/")
    tab.locator('[data-field="connection"]').filter(has_text="Live").wait_for()
    newest = start(server, flow, time_scale=0.001, blueprint="parallel")
    tab.locator(f'.run-history-grid a.grid-run[data-run="{newest}"]').wait_for()
    headers = tab.locator(".run-history-grid a.grid-run").evaluate_all(
        "links => links.map(l => Number(l.dataset.run))"
    )
    assert headers == [newest, *reversed(runs)][:20]
    assert tab.locator('tbody[data-field="runs"] tr').count() == 22
    assert tab.locator(".run-history-grid a.cell").count() == 20 * 9
    assert no_sideways_scroll(tab)
    assert tab.evaluate(
        "(box => box.scrollWidth > box.clientWidth)(document.querySelector('.run-history-box'))"
    )
    assert tab.js_errors == []


def test_a_socket_that_falls_silent_after_hello_gives_way_to_polling(server, tab):
    # Hello gets through, then nothing: no heartbeat, no nudge. After 2×H + 1 s the page must
    # stop claiming "Live" and poll.
    def silence_after_hello(ws):
        upstream = ws.connect_to_server()
        upstream.on_message(lambda message: ws.send(message) if '"hello"' in message else None)

    tab.route_web_socket("**/ws/flows/**", silence_after_hello)
    flow = import_flow(server)
    tab.goto(f"/flows/{flow}/runs/")
    connection = tab.locator('[data-field="connection"]')
    connection.filter(has_text="Live").wait_for()
    connection.filter(has_text="Polling").wait_for(timeout=15_000)
    run = start(server, flow, time_scale=0.01)
    wait_status(tab, run, "succeeded")
    assert tab.js_errors == []


def test_the_list_says_offline_while_the_server_is_down_and_recovers(server, tab):
    flow = import_flow(server)
    tab.goto(f"/flows/{flow}/runs/")
    connection = tab.locator('[data-field="connection"]')
    connection.filter(has_text="Live").wait_for()
    tab.evaluate("window.sameDocument = true")
    server.kill()
    connection.filter(has_text="Offline — showing data from").wait_for()
    server.start(port=server.port)
    run = start(server, flow, time_scale=0.01)
    wait_status(tab, run, "succeeded")
    connection.filter(has_text="Live").wait_for(timeout=30_000)
    assert tab.evaluate("window.sameDocument") is True
    assert tab.js_errors == []
