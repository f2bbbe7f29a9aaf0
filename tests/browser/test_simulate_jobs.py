"""Background simulations against the real embedded server (Daphne, websockets, the worker
thread): a 1,000-task flow on a binding pool goes to the background, the server keeps
answering meanwhile, the page shows progress and Cancel at desktop and tablet width, and a
finished job's kept result is drawn."""

import time

import pytest

from bench.__main__ import random_dag_document
from tests.browser.support import axe_serious, embedded_server, import_flow, open_tab
from tests.factories import content_document


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    # The content flow's 1,000 iterations stay in the request; 5,000 go to the background.
    yield from embedded_server(tmp_path_factory, VIVIDO_SIMULATION_BACKGROUND_COST="100000")


def binding_pool_flow(server):
    document = random_dag_document(1_000, 2_000, 20_240_605)
    document["name"] = "Binding pool"
    document["resources"] = [{"name": "Crew", "capacity": 2}]
    for task in document["tasks"]:
        task["resources"] = {"Crew": 1}
    return import_flow(server, document)


def job_state(server, flow, job):
    return server.call("GET", f"/api/flows/{flow}/simulations/jobs/{job}/")


def wait_for(server, flow, job, states, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        state = job_state(server, flow, job)
        if state["state"] in states:
            return state
        time.sleep(0.2)
    raise AssertionError(f"job {job} still {state}")


def test_the_server_keeps_answering_while_a_binding_pool_simulation_runs(server):
    flow = binding_pool_flow(server)
    started = time.monotonic()
    job = server.call("POST", f"/api/flows/{flow}/simulations/", {"iterations": 10_000, "seed": 1})
    assert time.monotonic() - started < 5  # goes to the background, not minutes of CPU
    assert (job["state"], job["progress"]) == ("queued", 0.0) or job["state"] == "running"
    assert job["cost"] > 100_000
    wait_for(server, flow, job["job"], {"running"})
    answers = []
    for _ in range(5):
        asked = time.monotonic()
        flows = server.call("GET", "/api/flows/")
        answers.append(time.monotonic() - asked)
        assert any(f["id"] == flow for f in flows)
        time.sleep(0.1)
    assert max(answers) < 2.0, answers  # a correctness bound; the figure is in the bench
    moving = wait_for(server, flow, job["job"], {"running"})
    asked = time.monotonic()
    server.call("DELETE", f"/api/flows/{flow}/simulations/jobs/{job['job']}/")
    ended = wait_for(server, flow, job["job"], {"cancelled", "succeeded", "failed"}, 20)
    assert ended["state"] == "cancelled", ended
    assert time.monotonic() - asked < 10
    assert ended["progress"] < 1.0 and ended["simulation"] is None
    assert moving["progress"] <= ended["progress"]
    assert server.call("GET", f"/api/flows/{flow}/simulations/") == []


@pytest.mark.parametrize("width", [1280, 768])
def test_the_page_shows_progress_and_cancel_of_a_background_job(browser, server, width):
    flow = binding_pool_flow(server)
    tab = open_tab(browser, server, width=width)
    sockets = []
    tab.on("websocket", lambda ws: sockets.append(ws.url))
    tab.goto(f"/flows/{flow}/simulate/")
    bar = tab.locator("#job-progress")
    bar.wait_for()  # the page's own 1,000 iterations already go to the background
    # A longer one replaces it (which cancels it): wait until that one is followed.
    with tab.expect_response(
        lambda r: r.url.endswith("/preview/") and r.request.post_data_json["iterations"] == 20_000
    ) as answered:
        tab.get_by_label("Iterations").fill("20000")
    job = answered.value.json()["job"]
    tab.locator(f'#job[data-job="{job}"]').wait_for()
    tab.wait_for_function(
        "document.querySelector('#job-progress').value > 0.05", polling=100, timeout=60_000
    )
    assert tab.locator("#job-label").inner_text().startswith("Running in the background: ")
    assert tab.locator("#headline").inner_text() == (
        "The figures appear here when the background simulation ends."
    )
    tab.screenshot(path=f"/tmp/shots/simulate-job-{width}.png", full_page=False)
    assert tab.evaluate("document.documentElement.scrollWidth") <= width
    assert any("/ws/simulations/" in url for url in sockets), sockets
    if width == 1280:
        assert axe_serious(tab) == []
    tab.get_by_role("button", name="Cancel").click()
    tab.locator("#status").filter(has_text="Cancelled: nothing was kept.").wait_for(timeout=20_000)
    assert job_state(server, flow, job)["state"] == "cancelled"
    assert tab.locator("#job").is_hidden()
    assert tab.locator("#kept tbody tr").count() == 0
    assert tab.js_errors == []
    tab.context.close()


def test_a_finished_background_job_draws_and_keeps_its_result(browser, server):
    flow = import_flow(server, content_document())
    tab = open_tab(browser, server)
    tab.goto(f"/flows/{flow}/simulate/")
    tab.locator("#figures tbody tr").first.wait_for()  # 1,000 iterations: in the request
    assert tab.locator("#job").is_hidden()
    tab.get_by_label("Iterations").fill("5000")
    tab.locator("#status").filter(has_text="kept as result #").wait_for(timeout=30_000)
    assert tab.locator("#status").inner_text().startswith("5,000 iterations, seed 1")
    histogram = tab.evaluate(
        "Chart.getChart('histogram').data.datasets"
        ".map(d => [d.label, d.data.reduce((n, p) => n + p.y, 0)])"
    )
    assert histogram == [["Sequential", 5000], ["Hybrid", 5000], ["Parallel", 5000]]
    tab.locator("#kept tbody tr").first.wait_for()
    assert tab.locator("#kept tbody tr").count() == 1
    assert tab.js_errors == []
    tab.context.close()
