"""The run page's connection is honest, against the real embedded server (heartbeat 1 s):
without websockets it polls and still follows a run to its end; a socket that goes silent
turns the badge to Reconnecting within 2×heartbeat + 1 s; a refused Pause is a toast and the
badge still reads Live."""

import json

import pytest

from tests.browser.support import (
    counters_add_up,
    embedded_server,
    import_flow,
    open_tab,
    start_run,
)
from tests.factories import content_document, flow_document

HEARTBEAT = 1

# Every text the connection badge shows, in order (recorded from the page's first moment).
RECORD_BADGE = """
window.badgeStates = [];
window.badgeTimes = [];
new MutationObserver(() => {
  const badge = document.querySelector('[data-field="connection"]');
  if (!badge) return;
  const state = badge.dataset.state;
  if (window.badgeStates[window.badgeStates.length - 1] !== state) {
    window.badgeStates.push(state);
    window.badgeTimes.push(performance.now());
  }
}).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
"""


@pytest.fixture(scope="module")
def fast_server(tmp_path_factory):
    """The embedded server with a heartbeat every second."""
    yield from embedded_server(tmp_path_factory, VIVIDO_HEARTBEAT_SECONDS=str(HEARTBEAT))


def test_without_websockets_the_page_polls_and_follows_the_run_to_its_end(browser, fast_server):
    flow = import_flow(fast_server, content_document(handoff_delay=0.1, sync_overhead=0.1))
    run = start_run(fast_server, flow, failure_policy="retry_and_proceed", time_scale=0.15)
    tab = open_tab(browser, fast_server)
    tab.context.route_web_socket("**/ws/**", lambda ws: ws.close())
    tab.add_init_script(RECORD_BADGE)
    tab.goto(f"/runs/{run}/")
    badge = tab.locator('[data-field="connection"]')
    badge.filter(has_text="Polling — updated").wait_for()
    # The whole state came over HTTP: the status is never left at "…".
    assert tab.locator('[data-field="status"]').inner_text() in ("running", "succeeded")
    tab.wait_for_function("() => window.vividoRuns[0].run?.status === 'succeeded'", timeout=40_000)
    tab.wait_for_timeout(300)
    api = fast_server.call("GET", f"/api/runs/{run}/")
    assert tab.locator('[data-field="status"]').inner_text() == "succeeded"
    assert tab.locator('[data-field="counters"]').inner_text() == (
        "✓ 9 · ▶ 0 · ✕ 0 · remaining 0 of 9 tasks"
    )
    counters_add_up(tab)
    seqs = tab.evaluate("window.vividoRuns[0].log.map(e => e.seq).reverse()")
    assert seqs == list(range(1, api["last_seq"] + 1))
    assert tab.locator('[data-field="elapsed"]').inner_text() != "0 s"
    # Never flapped: connecting, (reconnecting,) then polling and nothing else.
    states = tab.evaluate("window.badgeStates")
    assert states[-1] == "polling"
    assert "offline" not in states and "live" not in states, states
    assert tab.js_errors == []
    tab.context.close()


def test_a_socket_that_goes_silent_turns_the_badge_to_reconnecting(browser, fast_server):
    flow = import_flow(fast_server, flow_document({"A": 100}))
    run = start_run(fast_server, flow, time_scale=1)
    tab = open_tab(browser, fast_server)

    def snapshot_then_silence(ws):
        server = ws.connect_to_server()
        heard = []

        def forward(message):
            if not heard:
                heard.append(message)
                ws.send(message)

        server.on_message(forward)

    tab.context.route_web_socket("**/ws/**", snapshot_then_silence)
    tab.add_init_script(RECORD_BADGE)
    tab.goto(f"/runs/{run}/")
    tab.wait_for_function(
        "() => window.badgeStates.join(',').includes('live,reconnecting')", timeout=10_000
    )
    states, times = tab.evaluate("[window.badgeStates, window.badgeTimes]")
    live = states.index("live")
    assert states[live + 1] == "reconnecting"
    silent_for = (times[live + 1] - times[live]) / 1000
    # Never declared dead early; late only by the watchdog's tick and a loaded machine.
    assert 2 * HEARTBEAT + 1 - 0.1 <= silent_for <= 2 * HEARTBEAT + 1 + 2.0, silent_for
    # The clock stands still while the feed is down (checked over a stretch in which the
    # badge did not change: the page keeps reconnecting, and each reconnection is live again).
    before = tab.evaluate("[window.badgeStates.length, window.vividoRuns[0].connection]")
    elapsed = tab.locator('[data-field="elapsed"]').inner_text()
    tab.wait_for_timeout(1200)
    after = tab.evaluate("[window.badgeStates.length, window.vividoRuns[0].connection]")
    if before == after and after[1] == "reconnecting":
        assert tab.locator('[data-field="elapsed"]').inner_text() == elapsed
    fast_server.call("POST", f"/api/runs/{run}/cancel/")
    assert tab.js_errors == []
    tab.context.close()


def test_a_refused_pause_is_a_toast_and_the_badge_still_reads_live(browser, fast_server):
    flow = import_flow(fast_server, flow_document({"A": 100}))
    run = start_run(fast_server, flow, time_scale=1)
    tab = open_tab(browser, fast_server)
    tab.route(
        f"**/api/runs/{run}/pause/",
        lambda route: route.fulfill(
            status=409,
            content_type="application/json",
            body=json.dumps({"message": "Only a running run can be paused."}),
        ),
    )
    tab.goto(f"/runs/{run}/")
    badge = tab.locator('[data-field="connection"]')
    badge.filter(has_text="Live").wait_for()
    tab.get_by_role("button", name="Pause", exact=True).click()
    toast = tab.locator(".toast-error")
    toast.wait_for()
    assert toast.inner_text().startswith("Only a running run can be paused.")
    assert badge.inner_text() == "Live"
    # Heartbeats keep it live.
    tab.wait_for_timeout(2 * HEARTBEAT * 1000 + 1500)
    assert badge.inner_text() == "Live"
    assert tab.get_by_role("button", name="Pause", exact=True).is_enabled()
    fast_server.call("POST", f"/api/runs/{run}/cancel/")
    tab.locator('[data-field="status"]').filter(has_text="cancelled").wait_for()
    assert tab.js_errors == []
    tab.context.close()


def test_events_the_socket_drops_are_fetched_again(browser, fast_server):
    """Every other `events` message lost on the way: gaps and the heartbeat's last_seq make the
    page ask for what it lacks, and it ends holding every event exactly once."""
    flow = import_flow(fast_server, content_document(handoff_delay=0.1, sync_overhead=0.1))
    run = start_run(fast_server, flow, failure_policy="retry_and_proceed", time_scale=0.1)
    tab = open_tab(browser, fast_server)

    def lossy(ws):
        remote = ws.connect_to_server()
        count = [0]

        def forward(message):
            if json.loads(message)["type"] == "events":
                count[0] += 1
                if count[0] % 2:
                    return
            ws.send(message)

        remote.on_message(forward)

    tab.context.route_web_socket("**/ws/**", lossy)
    tab.goto(f"/runs/{run}/")
    tab.wait_for_function("() => window.vividoRuns[0].run?.status === 'succeeded'", timeout=30_000)
    api = fast_server.call("GET", f"/api/runs/{run}/")
    tab.wait_for_function(
        f"() => window.vividoRuns[0].log.length === {api['last_seq']}", timeout=5_000
    )
    seqs = tab.evaluate("window.vividoRuns[0].log.map(e => e.seq).reverse()")
    assert seqs == list(range(1, api["last_seq"] + 1))
    states = tab.evaluate(
        """Object.fromEntries(Object.entries(window.vividoRuns[0].run.tasks)
             .map(([k, t]) => [k, t.state]))"""
    )
    assert states == {key: task["state"] for key, task in api["tasks"].items()}
    assert tab.locator('[data-field="connection"]').inner_text() == "Live"
    assert tab.js_errors == []
    tab.context.close()


def test_a_connect_that_hangs_falls_back_to_polling(browser, fast_server):
    """A socket that opens and never says anything: after two connects of 5 s, polling."""
    flow = import_flow(fast_server, flow_document({"A": 60, "B": 1}, [("A", "B")]))
    run = start_run(fast_server, flow, time_scale=1)
    tab = open_tab(browser, fast_server)
    tab.context.route_web_socket("**/ws/**", lambda ws: None)
    tab.add_init_script(RECORD_BADGE)
    tab.goto(f"/runs/{run}/")
    tab.locator('[data-field="connection"]').filter(has_text="Polling — updated").wait_for(
        timeout=16_000
    )
    states, times = tab.evaluate("[window.badgeStates, window.badgeTimes]")
    assert states == ["connecting", "reconnecting", "polling"], states
    assert 10 <= (times[2] - times[0]) / 1000 <= 13.5, times
    assert tab.locator('[data-field="status"]').inner_text() == "running"
    fast_server.call("POST", f"/api/runs/{run}/cancel/")
    tab.locator('[data-field="status"]').filter(has_text="cancelled").wait_for(timeout=5_000)
    assert tab.locator('[data-field="counters"]').inner_text() == (
        "✓ 0 · ▶ 0 · ✕ 0 · ⊘ 2 cancelled · remaining 0 of 2 tasks"
    )
    assert tab.evaluate("window.badgeStates") == ["connecting", "reconnecting", "polling"]
    assert tab.js_errors == []
    tab.context.close()
