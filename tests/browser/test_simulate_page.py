"""The simulation page in a real browser: three blueprints, a what-if, kept results."""

import re

from designer import services
from tests.browser.conftest import axe_violations, sign_in
from tests.factories import content_document


def open_simulation(page, alice, document=None):
    flow = services.flow_import(owner=alice, document=document or content_document())
    sign_in(page, "alice", "alice-password-1")
    page.wait_for_url("**/")
    page.get_by_role("link", name=f"Simulate {flow.name}").click()
    page.wait_for_url(f"**/flows/{flow.pk}/simulate/")
    page.locator("#figures tbody tr").first.wait_for()
    return flow


def figures(page):
    return {
        row.locator("th").inner_text().strip(): row.locator("td").all_inner_texts()
        for row in page.locator("#figures tbody tr").all()
    }


def pooled_document():
    document = content_document()
    document["resources"] = [{"name": "Researcher", "capacity": 1}]
    for key in ("T3", "T4"):
        next(t for t in document["tasks"] if t["key"] == key)["resources"] = {"Researcher": 1}
    return document


def test_three_blueprints_histograms_and_gantts(page, alice):
    open_simulation(page, alice)
    table = figures(page)
    assert list(table) == ["Sequential", "Hybrid", "Parallel"]
    assert table["Sequential"][0] == "34.5 h"
    assert table["Hybrid"][0] == "31.75 h"
    assert table["Parallel"][0] == "30.5 h"
    assert re.fullmatch(
        r"Hybrid finishes before sequential in \d+% of iterations, .* sooner on average\. .*",
        page.locator("#headline").inner_text(),
    )
    histogram = page.evaluate(
        "Chart.getChart('histogram').data.datasets"
        ".map(d => [d.label, d.data.reduce((n, p) => n + p.y, 0)])"
    )
    assert histogram == [["Sequential", 1000], ["Hybrid", 1000], ["Parallel", 1000]]
    gantts = page.locator("#gantts h3").all_inner_texts()
    assert gantts == ["Sequential · 34.5 h", "Hybrid · 31.75 h", "Parallel · 30.5 h"]
    bars = page.evaluate("Chart.getChart('gantt-parallel').data.datasets[0].data.length")
    assert bars == 9
    assert page.js_errors == []


def test_changing_a_capacity_changes_the_figures(page, alice):
    open_simulation(page, alice, pooled_document())
    before = figures(page)
    # Both research tasks share one researcher: the parallel schedule serialises them.
    parallel = page.locator("#gantt-parallel-title")
    assert parallel.inner_text() == "Parallel, greedy · 34.5 h"
    page.get_by_label("Researcher").fill("2")
    parallel.filter(has_text="30.5 h").wait_for()
    after = figures(page)
    assert after["Parallel"][1] != before["Parallel"][1]
    page.get_by_role("button", name="Reset to the flow's values").click()
    parallel.filter(has_text="34.5 h").wait_for()
    assert page.get_by_label("Researcher").input_value() == "1"


def test_handoff_what_if_and_invalid_value(page, alice):
    open_simulation(page, alice)
    page.get_by_label("Handoff delay").fill("0")
    page.get_by_label("Sync overhead").fill("0")
    page.locator("#figures tbody tr").first.filter(has_text="30.5 h").wait_for()
    assert figures(page)["Parallel"][0] == "26.5 h"
    page.get_by_label("Iterations").fill("0")
    page.get_by_role("alert").filter(has_text="Iterations").wait_for()
    assert "Not simulated" in page.locator("#status").inner_text()


def test_keep_two_results_and_compare(page, alice):
    open_simulation(page, alice, pooled_document())
    page.get_by_role("button", name="Keep this result").click()
    page.locator("#kept tbody tr").first.wait_for()
    page.get_by_label("Researcher").fill("2")
    page.locator("#gantt-parallel-title").filter(has_text="30.5 h").wait_for()
    page.get_by_role("button", name="Keep this result").click()
    page.locator("#kept tbody tr").nth(1).wait_for()
    rows = page.locator("#kept tbody tr")
    assert "Researcher 2" in rows.nth(0).inner_text()
    assert "the flow's own values" in rows.nth(1).inner_text()
    for box in page.locator("#kept input[type=checkbox]").all():
        box.check()
    comparison = page.locator("#comparison")
    comparison.filter(has_text="Parallel P50").wait_for()
    assert comparison.inner_text().startswith("#")


def test_page_is_accessible_and_private(page, alice, bob):
    flow = open_simulation(page, alice)
    assert axe_violations(page) == []
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/accounts/login/")
    sign_in(page, "bob", "bob-password-1")
    page.wait_for_url("**/")
    response = page.goto(f"/flows/{flow.pk}/simulate/")
    assert response.status == 404


def test_hostile_task_names_stay_text(page, alice):
    document = content_document()
    document["tasks"][0]["name"] = "<img src=x onerror=alert(1)>"
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    open_simulation(page, alice, document)
    labels = page.evaluate("Chart.getChart('gantt-parallel').data.labels")
    assert "T1 <img src=x onerror=alert(1)>" in labels
    assert page.locator("main img").count() == 0
    assert dialogs == []


def test_simulation_page_fits_a_tablet(page, alice):
    page.set_viewport_size({"width": 768, "height": 1024})
    open_simulation(page, alice)
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
