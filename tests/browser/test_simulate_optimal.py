"""The simulator's Gantt section: greedy and optimal schedules side by side."""

from tests.analysis.test_optimise import crossing
from tests.browser.test_simulate_page import open_simulation


def test_greedy_and_optimal_side_by_side_with_the_saving(page, alice):
    open_simulation(page, alice, {**crossing(), "name": "Crossing"})
    summary = page.locator("#optimal-parallel")
    summary.filter(has_text="proven optimal").wait_for()
    assert summary.inner_text() == (
        "Greedy 6.5 h → optimal 5.5 h: saves 1 h (15.4%), proven optimal."
    )
    assert page.locator("#gantt-parallel-title").inner_text() == "Parallel, greedy · 6.5 h"
    assert page.locator("#gantt-parallel-optimal-title").inner_text() == "Parallel, optimal · 5.5 h"
    bars = page.evaluate(
        "Chart.getChart('gantt-parallel-optimal').data.datasets[0].data.map(d => d.join('-'))"
    )
    assert bars == ["0-1", "1-3", "1-3.5", "3.5-5.5"]
    # Side by side: the optimal chart sits to the right of the greedy one, on the same row.
    greedy_box = page.locator("#gantt-parallel").bounding_box()
    optimal_box = page.locator("#gantt-parallel-optimal").bounding_box()
    assert optimal_box["x"] > greedy_box["x"] + greedy_box["width"] - 1
    assert abs(optimal_box["y"] - greedy_box["y"]) < 60
    hybrid = page.locator("#optimal-hybrid")
    hybrid.filter(has_text="proven optimal").wait_for()
    assert hybrid.inner_text() == "The greedy schedule is already the best: 7.5 h, proven optimal."
    assert page.js_errors == []


def test_the_optimum_follows_the_what_if(page, alice):
    open_simulation(page, alice, {**crossing(), "name": "Crossing"})
    summary = page.locator("#optimal-parallel")
    summary.filter(has_text="5.5 h: saves 1 h").wait_for()
    page.locator('input[data-pool="B"]').fill("2")
    summary.filter(has_text="Greedy 5.5 h").wait_for()
    assert summary.inner_text() == (
        "Greedy 5.5 h → optimal 5 h: saves 0.5 h (9.1%), proven optimal."
    )


def test_search_longer_in_the_background_shows_best_and_bound_and_cancels(page, alice):
    from bench.optimise import random_pooled_document

    # A 120-task, four-pool flow whose optimum is not proven in the page's few seconds.
    open_simulation(page, alice, random_pooled_document(120, 0))
    page.set_default_timeout(20_000)
    summary = page.locator("#optimal-parallel")
    summary.filter(has_text="best found, within").wait_for()
    page.locator("#optimal-parallel-longer").click()
    label = page.locator("#job-label")
    label.filter(has_text="Searching in the background").wait_for()
    assert " · best " in label.inner_text() and ", bound " in label.inner_text()
    page.get_by_role("button", name="Cancel").click()
    summary.filter(has_text="The longer search was cancelled.").wait_for()
    assert page.locator("#job").is_hidden()
    assert page.js_errors == []
