"""The run page against the real embedded server: a fail-fast burst on 200 tasks ends with
the page agreeing with the API task by task, applied within budget; fail fast during a pause
(Pause and Fail pressed on the page) cancels the rest; compensation is seen on screen; a
failed run is re-run from its failure by its button; the task panel lists every attempt."""

import json

import pytest

from tests.browser.support import (
    axe_serious,
    counters_add_up,
    embedded_server,
    import_flow,
    open_tab,
    start_run,
)
from tests.factories import flow_document

TERMINAL = {"succeeded", "failed", "cancelled"}
SLOW_TASK_ACTIONS = """
const fetchNow = window.fetch;
window.fetch = (url, options) =>
  options?.method === "POST" && String(url).includes("/tasks/")
    ? new Promise((resolve) => setTimeout(resolve, 600)).then(() => fetchNow(url, options))
    : fetchNow(url, options);
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    yield from embedded_server(tmp_path_factory, VIVIDO_HEARTBEAT_SECONDS="2")


def wide_flow(width=20, depth=10, manual="T1"):
    """width × depth tasks in layers, each needing two tasks of the layer before it."""
    tasks = {f"T{n + 1}": 100 for n in range(width * depth)}
    dependencies = []
    for layer in range(1, depth):
        for i in range(width):
            to = f"T{layer * width + i + 1}"
            dependencies.append((f"T{(layer - 1) * width + i + 1}", to))
            dependencies.append((f"T{(layer - 1) * width + (i + 1) % width + 1}", to))
    document = flow_document(tasks, dependencies, name="Wide")
    for task in document["tasks"]:
        if task["key"] == manual:
            task["executor"] = "manual"
    return document


HOSTILE = '<img src=x onerror="window.pwned = 1">'
FIELDS = ("kind", "attempt", "outcome", "error", "started_by", "ended_by")


def histories_agree(tab, api):
    """The attempts the page derived from events are the ones the server derived."""
    page = tab.evaluate(
        """Object.fromEntries(Object.entries(window.vividoRuns[0].run.tasks)
             .map(([k, t]) => [k, t.history]))"""
    )
    for key, task in api["tasks"].items():
        mine = [{f: h.get(f) for f in FIELDS} for h in page[key]]
        theirs = [{f: h.get(f) for f in FIELDS} for h in task["history"]]
        assert mine == theirs, (key, mine, theirs)


def page_agrees_with_api(tab, server, run):
    api = server.call("GET", f"/api/runs/{run}/")
    states = {key: task["state"] for key, task in api["tasks"].items()}
    tab.wait_for_function(
        """([status, states]) => {
            const view = window.vividoRuns[0];
            if (view.run?.status !== status) return false;
            const list = document.querySelectorAll('.task-item');
            return Object.entries(states).every(([key, state]) =>
                view.run.tasks[key].state === state && view.nodes[key].hasClass(state))
              && [...list].every(b => b.dataset.state === states[b.dataset.key]);
        }""",
        arg=[api["status"], states],
        timeout=5_000,
    )
    assert tab.locator('[data-field="status"]').inner_text() == api["status"]
    return api


def test_a_fail_fast_burst_on_200_tasks_is_applied_whole(browser, server):
    flow = import_flow(server, wide_flow())
    run = start_run(server, flow, time_scale=1)
    tab = open_tab(browser, server)
    tab.goto(f"/runs/{run}/")
    tab.locator('[data-field="connection"]').filter(has_text="Live").wait_for()
    tab.wait_for_function("() => window.vividoRuns[0].run?.tasks.T2.state === 'running'")
    # How fast it renders is the benchmark's to say (bench/runs.py); here, that it did.
    assert tab.evaluate("window.vividoRuns[0].stats.renderMs") is not None
    # The readable zoom: labels at 10 px at least.
    assert tab.evaluate("window.vividoRuns[0].graph.cy.zoom()") >= 10 / 12 - 1e-6
    # A person fails T1: fail fast cancels 19 running tasks and skips 180 in one step.
    tab.get_by_role("button", name="Fail T1", exact=True).click()
    server.wait_all_over([run], 20)
    api = page_agrees_with_api(tab, server, run)
    assert api["status"] == "failed"
    histories_agree(tab, api)
    counters_add_up(tab)
    seqs = tab.evaluate("window.vividoRuns[0].log.map(e => e.seq).reverse()")
    assert seqs == list(range(1, api["last_seq"] + 1))
    # The log: 100 rows a page, newest first, a filter on every column.
    last = api["last_seq"]
    log = tab.locator('[data-field="log"] tr')
    assert log.count() == 100
    assert log.first.locator("td").first.inner_text() == str(last)
    assert tab.locator('[data-field="log-range"]').inner_text() == f"1–100 of {last} events"
    tab.get_by_role("button", name="Older →").click()
    assert log.first.locator("td").first.inner_text() == str(last - 100)
    tab.get_by_label("Filter by who").fill("vivido")
    rows = [r.locator("td").all_inner_texts() for r in log.all()]
    assert rows and all(r[5] == "vivido" for r in rows), rows
    assert [r[2:5] for r in rows] == [["T1", "running", "failed"], ["T1", "ready", "running"]]
    tab.get_by_label("Filter by who").fill("")
    tab.get_by_label("Filter by to").fill("skipped")
    tab.get_by_label("Filter by task").fill("T19")
    rows = [r.locator("td").all_inner_texts() for r in log.all()]
    # T19 was running (cancelled); T190 … T199 were skipped.
    assert {r[2] for r in rows} == {f"T{n}" for n in range(190, 200)}
    assert all(r[4] == "skipped" for r in rows)
    # Nothing scrolls sideways, at desktop or tablet width.
    for width in (1280, 768):
        tab.set_viewport_size({"width": width, "height": 900})
        tab.wait_for_timeout(200)
        assert tab.evaluate("document.documentElement.scrollWidth") <= width
    assert tab.js_errors == []
    tab.context.close()


def test_fail_fast_during_a_pause_cancels_the_rest(browser, server):
    document = flow_document(
        {"M": 1, "B": 60, "C": 60, "F": 1, "G": 1}, [("B", "F"), ("C", "G")], name="Paused"
    )
    document["tasks"][0]["executor"] = "manual"
    flow = import_flow(server, document)
    run = start_run(server, flow, time_scale=1)
    tab = open_tab(browser, server)
    # Task actions take 0.6 s longer, so that the buttons can be seen disabled meanwhile.
    tab.add_init_script(SLOW_TASK_ACTIONS)
    tab.goto(f"/runs/{run}/")
    tab.locator('[data-field="connection"]').filter(has_text="Live").wait_for()
    tab.locator('.task-item[data-key="M"]').dispatch_event("click")
    tab.get_by_role("button", name="Start M on the graph").click()
    for name in ("Start M", "Fail M", "Start M in the task details", "Fail M on the graph"):
        assert tab.get_by_role("button", name=name, exact=True).is_disabled(), name
    tab.wait_for_function("() => window.vividoRuns[0].run?.tasks.M.state === 'running'")
    tab.get_by_role("button", name="Fail M on the graph").wait_for()
    assert tab.get_by_role("button", name="Fail M on the graph").is_enabled()
    tab.get_by_role("button", name="Pause", exact=True).click()
    tab.locator('[data-field="status"]').filter(has_text="paused").wait_for()
    # The status can arrive over the socket before the POST's answer raises the toast.
    tab.locator(".toast").filter(has_text="Paused").wait_for()
    assert tab.locator(".toast").filter(has_text="Paused").count() == 1
    fail = tab.get_by_role("button", name="Fail M on the graph")
    fail.click()
    tab.locator('[data-field="status"]').filter(has_text="failed").wait_for()
    api = page_agrees_with_api(tab, server, run)
    states = {key: task["state"] for key, task in api["tasks"].items()}
    assert states == {
        "M": "failed",
        "B": "cancelled",
        "C": "cancelled",
        "F": "skipped",
        "G": "skipped",
    }
    assert tab.locator('[data-field="counters"]').inner_text() == (
        "✓ 0 · ▶ 0 · ✕ 1 · ↷ 2 skipped · ⊘ 2 cancelled · remaining 0 of 5 tasks"
    )
    counters_add_up(tab)
    # Skipped is hatched on the canvas.
    assert "svg" in tab.evaluate("window.vividoRuns[0].nodes.F.style('background-image')")
    assert tab.js_errors == []
    tab.context.close()


def test_compensation_is_seen_on_screen_and_in_the_task_panel(browser, server):
    document = flow_document({"A": 1, "B": 1, "C": 1}, [("A", "B")], name="Compensated")
    # B is failed by hand once the page follows the run, so that A's compensation (2 s) is
    # seen from its start however long the page took to open.
    document["tasks"][1]["executor"] = "manual"
    flow = import_flow(server, document)
    run = start_run(
        server, flow, failure_policy="continue_with_compensation", time_scale=2, max_retries=0
    )
    tab = open_tab(browser, server)
    tab.goto(f"/runs/{run}/")
    tab.locator('[data-field="connection"]').filter(has_text="Live").wait_for()
    tab.wait_for_function("() => window.vividoRuns[0].run?.tasks.A.state === 'succeeded'")
    server.call("POST", f"/api/runs/{run}/tasks/B/start/", {})
    server.call("POST", f"/api/runs/{run}/tasks/B/fail/", {})
    counters = tab.locator('[data-field="counters"]')
    counters.filter(has_text="compensating").wait_for(timeout=15_000)
    compensating = tab.evaluate(
        """Object.entries(window.vividoRuns[0].run.tasks)
             .filter(([, t]) => t.state === 'compensating').map(([k]) => k)"""
    )
    assert len(compensating) == 1
    colour = tab.evaluate(f"window.vividoRuns[0].nodes.{compensating[0]}.style('background-color')")
    assert colour == "rgb(216,180,254)"
    counters_add_up(tab)
    tab.locator('[data-field="status"]').filter(has_text="failed").wait_for(timeout=15_000)
    api = page_agrees_with_api(tab, server, run)
    assert api["tasks"]["A"]["state"] == "compensated"
    histories_agree(tab, api)
    # The task panel, reached by keyboard from the task list: the attempt and its compensation.
    tab.get_by_text("Every task as a list").first.click()
    item = tab.locator('.task-item[data-key="A"]')
    item.focus()
    tab.keyboard.press("Enter")
    panel = tab.locator('[data-field="panel"]')
    panel.wait_for()
    rows = panel.locator("tbody tr[data-outcome]")
    assert rows.count() == 2
    assert rows.nth(0).locator("td").nth(2).inner_text() == "✓ succeeded"
    assert rows.nth(1).locator("th").inner_text() == "⟲ compensation 1"
    assert rows.nth(1).locator("td").nth(2).inner_text() == "⟲✓ compensated"
    assert axe_serious(tab) == []
    # Escape closes the panel and gives the keyboard back to the task it showed.
    panel.get_by_role("button", name="Close the task details").focus()
    tab.keyboard.press("Escape")
    assert panel.is_hidden()
    assert tab.evaluate("document.activeElement.dataset.key") == "A"
    assert tab.js_errors == []
    tab.context.close()


def test_re_run_from_failure(browser, server):
    document = flow_document({"A": 1, "B": 1, "C": 1}, [("A", "B")], name="Re-run")
    document["tasks"][1]["failure_rate"] = 1
    document["tasks"][0]["name"] = HOSTILE
    flow = import_flow(server, document)
    run = start_run(
        server, flow, failure_policy="retry_and_proceed", time_scale=0.05, max_retries=2
    )
    server.wait_all_over([run], 20)
    tab = open_tab(browser, server)
    tab.goto(f"/runs/{run}/")
    button = tab.get_by_role("button", name="Re-run from failure")
    button.click()
    tab.wait_for_url(lambda url: not url.endswith(f"/runs/{run}/"))
    new = int(tab.url.rstrip("/").split("/")[-1])
    assert new != run
    origin = tab.locator('[data-field="origin"]')
    origin.wait_for()
    assert origin.inner_text() == f"re-run of run {run}"
    assert origin.get_by_role("link").get_attribute("href") == f"/runs/{run}/"
    tab.locator('[data-field="status"]').filter(has_text="failed").wait_for(timeout=15_000)
    api = page_agrees_with_api(tab, server, new)
    histories_agree(tab, api)
    assert [h["outcome"] for h in api["tasks"]["B"]["history"]] == ["failed"] * 3
    history = api["tasks"]["A"]["history"]
    assert history[-1]["outcome"] == "carried_over"
    assert tab.evaluate("window.vividoRuns[0].run.tasks.A.state") == "succeeded"
    # A name made of markup is text everywhere: the list, the panel, the pads.
    tab.locator('.task-item[data-key="A"]').dispatch_event("click")
    assert HOSTILE in tab.locator('.task-item[data-key="A"]').text_content()
    assert HOSTILE in tab.locator('[data-field="panel"] h2').inner_text()
    assert tab.evaluate("window.pwned") is None
    assert tab.locator(".run-dashboard img").count() == 0
    assert tab.js_errors == []
    tab.context.close()


def test_a_700_event_burst_is_applied_whole_in_batches(browser, server):
    """Every message of a 200-task compensation run held back, then delivered at once."""
    document = wide_flow(manual="")
    for task in document["tasks"]:
        task["duration"] = {"optimistic": 1, "likely": 1, "pessimistic": 1}
        if task["key"] == "T190":
            task["failure_rate"] = 1
    document["tasks"].append(
        {"key": "GO", "name": "Go", "executor": "manual", "duration": {"likely": 1}}
    )
    document["dependencies"] += [
        {"from": "GO", "to": f"T{i + 1}", "strength": "hard"} for i in range(20)
    ]
    flow = import_flow(server, document)
    run = start_run(
        server, flow, failure_policy="continue_with_compensation", time_scale=0.01, max_retries=0
    )
    tab = open_tab(browser, server)
    held = []
    routes = []
    first_seq = []

    def hold_events(ws):
        remote = ws.connect_to_server()
        routes.append(ws)
        first = {}

        def forward(message):
            data = json.loads(message)
            if data["type"] == "snapshot":
                first["seq"] = data["last_seq"]
                first_seq.append(data["last_seq"])
                ws.send(message)
            elif data["type"] == "heartbeat":
                # The page must not learn of the gap before the burst arrives.
                ws.send(json.dumps({**data, "last_seq": first["seq"], "status": "running"}))
            else:
                held.append(message)

        remote.on_message(forward)

    tab.context.route_web_socket("**/ws/**", hold_events)
    tab.goto(f"/runs/{run}/")
    tab.locator('[data-field="connection"]').filter(has_text="Live").wait_for()
    server.call("POST", f"/api/runs/{run}/tasks/GO/start/")
    server.call("POST", f"/api/runs/{run}/tasks/GO/complete/")
    for _ in range(120):
        # Heartbeats that reveal no gap keep the page Live while the run's events are held.
        routes[0].send(
            json.dumps({"type": "heartbeat", "last_seq": first_seq[0], "status": "running"})
        )
        if server.call("GET", f"/api/runs/{run}/")["status"] in TERMINAL:
            break
        tab.wait_for_timeout(500)
    tab.wait_for_timeout(300)
    assert len(routes) == 1
    assert tab.evaluate("window.vividoRuns[0].stats.events") == 0
    for message in held:
        routes[0].send(message)
    api = page_agrees_with_api(tab, server, run)
    stats = tab.evaluate("window.vividoRuns[0].stats")
    assert stats["events"] >= 700, stats
    assert stats["batches"] < stats["events"], stats  # applied in batches, not one by one
    assert api["last_seq"] == tab.evaluate("window.vividoRuns[0].log[0].seq")
    counters_add_up(tab)
    assert tab.js_errors == []
    tab.context.close()


def test_a_long_history_loads_in_pages_after_the_first_render(browser, server):
    """A finished run of 1,400 events: the page is drawn first, then its log fills backwards
    in pages of 1,000 until it holds every event once."""
    document = flow_document({f"T{n}": 1 for n in range(1, 201)}, name="Flaky")
    for task in document["tasks"]:
        task["failure_rate"] = 0.7
    flow = import_flow(server, document)
    run = start_run(
        server, flow, failure_policy="retry_and_proceed", time_scale=0.001, max_retries=4, seed=5
    )
    server.wait_all_over([run], 60)
    last = server.call("GET", f"/api/runs/{run}/")["last_seq"]
    assert last > 1000
    tab = open_tab(browser, server)
    pages = []
    tab.on("request", lambda r: pages.append(r.url) if "/events/?before=" in r.url else None)
    tab.goto(f"/runs/{run}/")
    tab.wait_for_function(f"() => window.vividoRuns[0].log.length === {last}")
    assert tab.evaluate("window.vividoRuns[0].stats.renderMs") is not None
    assert [p.split("?")[1] for p in pages] == [
        f"before={last + 1}&limit=1000",
        f"before={last + 1 - 1000}&limit=1000",
    ]
    range_ = tab.locator('[data-field="log-range"]')
    range_.filter(has_text=f"1–100 of {last:,} events").wait_for()
    seqs = tab.evaluate("window.vividoRuns[0].log.map(e => e.seq).reverse()")
    assert seqs == list(range(1, last + 1))
    histories_agree(tab, server.call("GET", f"/api/runs/{run}/"))
    assert tab.js_errors == []
    tab.context.close()
