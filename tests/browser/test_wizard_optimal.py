"""Step 6 and the report with an optimal levelled schedule shorter than greedy's."""

from designer import services
from tests.analysis.test_optimise import crossing
from tests.browser.conftest import sign_in
from tests.browser.test_wizard import at_step


def test_step_six_and_the_report_use_the_optimal_figure_and_say_so(page, alice):
    flow = services.flow_import(owner=alice, document={**crossing(), "name": "Crossing"})
    page.set_default_timeout(20_000)  # other browser tests share this machine
    sign_in(page, "alice", "alice-password-1")
    page.wait_for_url("**/")
    page.goto(f"/flows/{flow.pk}/wizard/")
    at_step(page, 1, "Map the task inventory and dependencies")
    page.get_by_role("button", name="6. Prototype and measure").click()
    at_step(page, 6, "Prototype and measure")
    assert page.locator(".column.parallel .big").inner_text() == "5.5 h"
    assert page.locator(".column.parallel .optimised").inner_text() == (
        "optimal schedule, proven optimal · greedy levelling 6.5 h"
    )
    assert page.locator(".column.hybrid .optimised").inner_text() == (
        "greedy levelling, proven optimal"
    )
    assert page.locator(".column.sequential .optimised").count() == 0
    # The column's Gantt is drawn on the next frame after its figures.
    page.wait_for_function(
        "() => Chart.getChart(document.querySelector('.column.parallel canvas'))"
        "?.data.datasets[0].data.length > 0"
    )
    bars = page.evaluate(
        "Chart.getChart(document.querySelector('.column.parallel canvas'))"
        ".data.datasets[0].data.map(d => d.join('-'))"
    )
    assert bars == ["0-1", "1-3", "1-3.5", "3.5-5.5"]

    page.get_by_role("link", name="Open the report (prints to PDF)").click()
    page.get_by_role("heading", name="Assessment: Crossing").wait_for()
    report = page.locator(".report").inner_text()
    assert (
        "Parallel: greedy levelling gives 6.5 h, the optimal schedule 5.5 h (proven optimal); "
        "the figures above use the optimal schedule." in report
    )
    assert "Hybrid: greedy levelling gives 7.5 h, proven optimal." in report
    assert page.js_errors == []
