"""The wizard in a real browser: six steps on a new flow, leaving and resuming, and a
changed answer in step 2 showing up in step 6."""

from designer import selectors, services
from designer.assessments.selectors import assessment_of
from designer.models import Flow
from tests.browser.conftest import axe_violations, sign_in

CLUSTER = (
    "T2 ∥ T3: running them in parallel saves 0 h (3 h if pools were unlimited); "
    "competes for Copywriter."
)
PARALLEL = "11 h"


def wait_saved(page):
    page.wait_for_function(
        "!['Unsaved changes', 'Saving…']"
        ".includes(document.querySelector('#wizard-save').textContent)"
    )


def at_step(page, number, name):
    page.get_by_role("heading", name=f"{number}. {name}").wait_for()


def step_states(page):
    return page.locator("#stepper button").evaluate_all("bs => bs.map(b => b.dataset.state)")


def test_six_steps_leave_resume_and_change_an_answer(page, alice):
    flow = services.flow_create(owner=alice, name="Launch")
    page.set_default_timeout(20_000)  # other browser tests share this machine
    sign_in(page, "alice", "alice-password-1")
    page.wait_for_url("**/")
    page.goto(f"/flows/{flow.pk}/wizard/")
    at_step(page, 1, "Map the task inventory and dependencies")

    # Step 1: paste from a spreadsheet, then one more task by keyboard.
    page.get_by_label("Two columns").fill(
        "Brief\t\nCopy\tBrief\nVisuals\tBrief\nReview\tCopy, Visuals"
    )
    page.get_by_role("button", name="Add the pasted rows").click()
    page.get_by_role("button", name="Add a task").click()
    page.keyboard.type("Go-live")
    page.keyboard.press("Tab")
    page.keyboard.type("Review")
    page.keyboard.press("Tab")
    wait_saved(page)
    page.get_by_role("group", name="Primary objective").get_by_label("Parallel", exact=True).check()
    page.get_by_role("button", name="Next").click()

    # Step 2: five hard dependencies; name the artifact of one.
    at_step(page, 2, "Classify dependency strength")
    assert page.locator(".counts").inner_text() == "Hard 5 · soft 0 · none 0"
    page.get_by_label("What exactly T2 needs from T1").fill("the approved brief")
    page.get_by_label("What exactly T2 needs from T1").press("Tab")
    wait_saved(page)
    page.get_by_role("button", name="Next").click()

    # Step 3: estimates typed left to right, a row at a time; a row out of order is
    # refused as a whole, next to its fields, and its typed values stay on screen.
    at_step(page, 3, "Estimate durations and resource profiles")
    page.get_by_label("optimistic duration of T2").click()
    for value in (9, 3, 3, 5, 5, 5):
        page.keyboard.type(str(value))
        page.keyboard.press("Tab")
    assert page.get_by_role("alert").inner_text() == (
        "T2: Optimistic must not exceed likely. Nothing was stored for this row."
    )
    assert page.get_by_label("optimistic duration of T2").input_value() == "9"
    page.get_by_label("optimistic duration of T2").fill("2")
    page.get_by_label("optimistic duration of T2").press("Escape")
    page.get_by_label("optimistic duration of T3").focus()
    wait_saved(page)
    assert page.locator("#step-error").inner_text() == ""

    # One copywriter does Copy and Visuals, at 10 an hour; an hour saved is worth 100.
    page.get_by_role("button", name="Add a pool").click()
    page.get_by_label("Name of pool 1").fill("Copywriter")
    page.get_by_label("Name of pool 1").press("Tab")
    for key in ("T2", "T3"):
        page.get_by_label(f"Units of Copywriter for {key}").fill("1")
        page.get_by_label(f"Units of Copywriter for {key}").press("Tab")
    page.get_by_label("Cost per unit of Copywriter").fill("10")
    page.get_by_label("Cost per unit of Copywriter").press("Tab")
    page.get_by_label("Value of one hour saved").fill("100")
    page.get_by_label("Value of one hour saved").press("Tab")
    wait_saved(page)
    page.locator("#graph-caption").filter(has_text="T2, T3").wait_for()
    page.get_by_role("button", name="Next").click()
    at_step(page, 4, "Identify independent task clusters")

    # Leave mid-way and come back: the wizard resumes at step 4 with everything kept.
    page.goto("/")
    page.goto(f"/flows/{flow.pk}/wizard/")
    at_step(page, 4, "Identify independent task clusters")
    assert step_states(page)[:4] == ["done", "done", "done", "current"]
    document = selectors.flow_document(Flow.objects.get(pk=flow.pk))
    assert [t["name"] for t in document["tasks"]] == [
        "Brief",
        "Copy",
        "Visuals",
        "Review",
        "Go-live",
    ]
    assert [t["duration"]["likely"] for t in document["tasks"]] == [1, 3, 5, 1, 1]
    assert document["dependencies"][0]["note"] == "the approved brief"
    assert document["resources"] == [
        {"name": "Copywriter", "capacity": 1, "description": "", "cost_per_unit": 10}
    ]
    assert document["value_per_time_unit"] == 100
    assert page.locator(".clusters li").first.inner_text() == CLUSTER
    page.get_by_role("button", name="Next").click()

    # Step 5: every question needs an answer; one changed just before moving on is kept.
    at_step(page, 5, "Evaluate coordination readiness")
    page.get_by_role("group", name="Can the team keep track").get_by_label("Yes").check()
    page.get_by_role("group", name="Is there monitoring").get_by_label("Full").check()
    page.get_by_role("group", name="Which failure policy").get_by_label("Retry and proceed").check()
    page.get_by_role("group", name="How experienced").get_by_label("4").check()
    page.get_by_role("button", name="Next").click()
    page.get_by_role("alert").filter(
        has_text="answers.readiness.tooling: this question needs an answer"
    ).wait_for()
    page.get_by_role("group", name="How well does the tooling").get_by_label("4").check()
    page.get_by_role("group", name="How experienced").get_by_label("5").check()
    page.get_by_role("button", name="Next").click()

    # Step 6: the figures on the constrained schedule, P50 / P80, the cost of speed.
    at_step(page, 6, "Prototype and measure")
    assert assessment_of(flow).answers["readiness"]["team_maturity"] == 5
    columns = {
        name: page.locator(f".column.{name}").inner_text()
        for name in ("sequential", "hybrid", "parallel")
    }
    # One copywriter: parallel work waits for the pool, so it saves nothing here.
    assert "8 h if pools were unlimited" in columns["parallel"]
    assert "saves 0 h (0%)" in columns["parallel"]
    assert "P50 10.87 h · P80 10.95 h" in columns["parallel"]
    assert "resource cost\n80" in columns["parallel"]
    assert "net\n0" in columns["parallel"]
    assert "pools hold parallel to 11 h" in page.locator(".recommendation").inner_text()
    parallel = page.locator(".column.parallel .big")
    assert page.locator(".column.sequential .big").inner_text() == "11 h"
    assert parallel.inner_text() == PARALLEL
    label = page.locator(".recommendation .blueprint").inner_text()
    page.get_by_role("button", name="Confirm the recommendation").click()
    page.locator(".toast").filter(has_text=f"{label} confirmed").wait_for()
    page.wait_for_function(
        "[...document.querySelectorAll('#stepper button')].every(b => b.dataset.state === 'done')"
    )

    # The report says the same.
    page.get_by_role("link", name="Open the report (prints to PDF)").click()
    page.get_by_role("heading", name="Assessment: Launch").wait_for()
    head = page.locator(".report .recommendation").inner_text()
    assert f"Recommendation: {label}." in head
    assert "pools hold parallel to 11 h" in head
    markdown = page.request.get(f"/api/flows/{flow.pk}/assessment/report.md").text()
    assert label in markdown
    assert "Copywriter" in markdown
    page.go_back()
    at_step(page, 6, "Prototype and measure")

    # Back to step 2: Review no longer needs Visuals, and step 6 follows.
    page.get_by_role("button", name="2. Classify dependency strength").click()
    at_step(page, 2, "Classify dependency strength")
    page.get_by_role("group", name="T3 Visuals → T4 Review").get_by_label("None").check()
    wait_saved(page)
    page.get_by_role("button", name="Next").click()
    at_step(page, 3, "Estimate durations and resource profiles")
    # Only the figures changed: step 6 needs attention, nothing else.
    assert step_states(page) == ["done", "done", "done", "done", "done", "attention"]
    assert "3. Estimate" in page.locator("#stepper [aria-current=step]").inner_text()
    page.get_by_role("button", name="6. Prototype and measure").click()
    at_step(page, 6, "Prototype and measure")
    # Review waits for Copy only; Visuals still waits for the copywriter.
    assert parallel.inner_text() == "9 h"
    assert page.js_errors == []


def test_example_assessment_is_finished_and_reported(page, alice):
    import io

    from django.core.management import call_command

    call_command("load_examples", owner="alice", stdout=io.StringIO())
    flow = Flow.objects.get(name="Regulatory submission")
    sign_in(page, "alice", "alice-password-1")
    page.wait_for_url("**/")
    page.goto(f"/flows/{flow.pk}/wizard/")
    at_step(page, 6, "Prototype and measure")
    assert page.locator(".recommendation .blueprint").inner_text() == "Primarily sequential"
    assert axe_violations(page) == []
    page.get_by_role("link", name="Open the report (prints to PDF)").click()
    page.get_by_role("heading", name="Assessment: Regulatory submission").wait_for()
    assert "Primarily sequential" in page.locator(".report .recommendation").inner_text()
    picture = page.locator("img.report-picture")
    assert picture.evaluate("img => img.decode().then(() => img.naturalWidth)") > 0
    pdf = page.pdf()
    assert pdf.startswith(b"%PDF")
    assert axe_violations(page) == []
