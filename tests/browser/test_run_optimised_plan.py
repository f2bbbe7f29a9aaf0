"""Starting a run that follows the optimised plan, from the run list, on the real server."""

from tests.analysis.test_optimise import crossing


def test_start_a_run_following_the_optimised_plan(server, tab):
    flow = server.call("POST", "/api/flows/import/", {**crossing(), "name": "Crossing"})["id"]
    tab.goto(f"/flows/{flow}/runs/")
    tab.get_by_label("Blueprint").select_option("parallel")
    tab.get_by_label("Seconds per hour").fill("0.05")
    tab.get_by_label("Follow the optimised plan").check()
    tab.get_by_role("button", name="Start the run").click()
    tab.wait_for_url("**/runs/*/")
    plan = tab.locator('[data-field="plan"]')
    assert plan.inner_text() == (
        "This run follows the optimised plan: 5.5 h planned (proven optimal; greedy levelling "
        "6.5 h). Tasks start in its order."
    )
    tab.wait_for_function("() => window.vividoRuns[0].run?.status === 'succeeded'", timeout=30_000)
    # The planned bars (grey) are the optimised schedule, in time units.
    planned = tab.evaluate("window.vividoRuns[0].info.planned")
    assert planned == {"T1": [1, 3], "T2": [0, 1], "T3": [1, 3.5], "T4": [3.5, 5.5]}
    assert tab.js_errors == []
