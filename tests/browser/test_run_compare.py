"""Runs side by side against the real embedded server: readable cards at 1280 and 768 px,
each run's blueprint and policy, a legend, and a race line that names the runs that failed
instead of crowning them."""

import re

import pytest

from tests.browser.support import axe_serious, embedded_server, import_flow, open_tab, start_run
from tests.factories import content_document


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    yield from embedded_server(tmp_path_factory, VIVIDO_HEARTBEAT_SECONDS="2")


def test_the_race_line_names_who_failed_and_only_crowns_runs_that_succeeded(browser, server):
    flow = import_flow(server, content_document(handoff_delay=0.1, sync_overhead=0.1))
    ok = start_run(server, flow, blueprint="sequential", failure_policy="retry_and_proceed")
    cancelled = start_run(server, flow, blueprint="parallel", time_scale=1)
    server.call("POST", f"/api/runs/{cancelled}/cancel/")
    server.wait_all_over([ok, cancelled], 30)
    tab = open_tab(browser, server)
    tab.goto(f"/flows/{flow}/runs/compare/?runs={ok},{cancelled}")
    race = tab.locator("#race")
    # Each card loads its run on its own; the line is whole once both have.
    race.filter(has_text="cancelled after").filter(has_text="the only one to succeed").wait_for()
    text = race.inner_text()
    assert text.startswith(f"Run {ok} (sequential) was the only one to succeed, in ")
    assert re.search(rf"Run {cancelled} \(parallel\) was cancelled after [\d.]+ s\.$", text), text
    assert "finished first" not in text
    assert tab.js_errors == []
    tab.context.close()


@pytest.mark.parametrize("width", [1280, 768])
def test_cards_are_readable_at_desktop_and_tablet_width(browser, server, width):
    flow = import_flow(server, content_document(handoff_delay=0.1, sync_overhead=0.1))
    ids = [
        start_run(server, flow, blueprint=b, failure_policy=p)
        for b, p in (
            ("sequential", "retry_and_proceed"),
            ("hybrid", "fail_fast"),
            ("parallel", "continue_with_compensation"),
        )
    ]
    server.wait_all_over(ids, 30)
    tab = open_tab(browser, server, width=width)
    tab.goto(f"/flows/{flow}/runs/compare/?runs={','.join(map(str, ids))}")
    tab.locator("#race").filter(has_text="finished first").wait_for()
    assert tab.evaluate("document.documentElement.scrollWidth") <= width
    for card in tab.locator(".compare-grid .run-view").all():
        box = card.bounding_box()
        assert box["width"] >= 400, box
        graph = card.locator('[data-field="graph"]').bounding_box()
        assert graph["height"] >= 300, graph
        meta = card.locator(".run-meta").inner_text()
        assert any(
            p in meta for p in ("retry and proceed", "fail fast", "continue with compensation")
        ), meta
    assert tab.evaluate("window.vividoRuns.every(v => v.graph.cy.zoom() >= 10 / 12 - 1e-6)")
    assert tab.locator(".compare-legend .legend-item").count() == 10
    if width == 1280:
        tab.screenshot(path="/tmp/shots/test-compare-1280.png", full_page=True)
        assert axe_serious(tab) == []
    assert tab.js_errors == []
    tab.context.close()
