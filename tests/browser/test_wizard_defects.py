"""Issue 12's front-end defects in the wizard, each reproduced in a real browser: estimates
typed left to right (4), an answer changed just before moving on (5), the graph pane (7),
the stepper (8) and the smaller problems (9)."""

from __future__ import annotations

from typing import Any

from designer import selectors, services
from designer.assessments.selectors import assessment_of, assessment_state
from designer.assessments.services import assessment_step_save
from designer.models import Flow
from tests.browser.conftest import sign_in
from tests.browser.test_wizard import at_step, step_states, wait_saved
from tests.factories import content_document, flow_document

STEP_NAMES = {
    1: "Map the task inventory and dependencies",
    2: "Classify dependency strength",
    3: "Estimate durations and resource profiles",
    4: "Identify independent task clusters",
    5: "Evaluate coordination readiness",
    6: "Prototype and measure",
}
ALL_READY = {
    "state_management": "yes",
    "monitoring": "full",
    "failure_policy": "retry_and_proceed",
    "team_maturity": 4,
    "tooling": 4,
}


def make_flow(owner: Any, tasks: dict, dependencies=(), **extra: Any) -> Flow:
    return services.flow_import(owner=owner, document=flow_document(tasks, dependencies, **extra))


def stored(flow: Flow) -> dict:
    return selectors.flow_document(Flow.objects.get(pk=flow.pk))


def open_wizard(page, flow: Flow, step: int) -> None:
    page.set_default_timeout(20_000)  # other browser tests share this machine
    sign_in(page, "alice", "alice-password-1")
    page.wait_for_url("**/")
    page.goto(f"/flows/{flow.pk}/wizard/?step={step}")
    at_step(page, step, STEP_NAMES[step])
    page.wait_for_function("document.querySelector('#wizard-graph').dataset.layout")


def confirm_all(flow: Flow) -> None:
    assessment_step_save(flow=flow, step=5, answers={"readiness": ALL_READY}, confirm=False)
    for step in range(1, 7):
        assessment_step_save(flow=flow, step=step, answers={}, confirm=True)


def paste(page, selector: str, text: str) -> None:
    """A paste from the clipboard into the field `selector`, as a spreadsheet sends it."""
    page.locator(selector).focus()
    page.locator(selector).evaluate(
        """(box, text) => {
            const data = new DataTransfer();
            data.setData('text/plain', text);
            box.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true,
                                                           cancelable: true}));
        }""",
        text,
    )


# Defect 4 ---------------------------------------------------------------------------------


def test_estimates_typed_left_to_right_are_stored_as_typed(page, alice):
    flow = services.flow_create(owner=alice, name="Estimates")
    open_wizard(page, flow, 1)
    page.get_by_role("button", name="Add a task").click()
    page.keyboard.type("Draft")
    page.keyboard.press("Tab")
    page.get_by_role("button", name="3. Estimate durations and resource profiles").click()
    at_step(page, 3, STEP_NAMES[3])
    assert stored(flow)["tasks"][0]["duration"] == {"optimistic": 1, "likely": 1, "pessimistic": 1}

    # 2, Tab, 4, Tab, 8 on a new 1 / 1 / 1 task: 2 / 4 / 8 stored, nothing refused on the way.
    page.get_by_label("optimistic duration of T1").click()
    for value in ("2", "4", "8"):
        page.keyboard.type(value)
        page.keyboard.press("Tab")
    wait_saved(page)
    assert page.locator("#wizard-save").inner_text() == "Saved"
    assert page.locator("#step-error").inner_text() == ""
    assert stored(flow)["tasks"][0]["duration"] == {"optimistic": 2, "likely": 4, "pessimistic": 8}

    # A row out of order: its values stay on screen, a message sits next to the field at
    # fault, nothing is stored, and the step cannot be left with it.
    page.get_by_label("optimistic duration of T1").click()
    for value in ("5", "3"):
        page.keyboard.type(value)
        page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    optimistic = page.get_by_label("optimistic duration of T1")
    page.locator(".field-error").filter(has_text="Optimistic must not exceed likely.").wait_for()
    assert optimistic.get_attribute("aria-invalid") == "true"
    assert [
        page.get_by_label(f"{f} duration of T1").input_value()
        for f in ("optimistic", "likely", "pessimistic")
    ] == ["5", "3", "8"]
    page.get_by_role("button", name="Next").click()
    page.get_by_role("alert").filter(has_text="T1: Optimistic must not exceed likely.").wait_for()
    at_step(page, 3, STEP_NAMES[3])
    assert stored(flow)["tasks"][0]["duration"] == {"optimistic": 2, "likely": 4, "pessimistic": 8}
    assert page.js_errors == []


# Defect 5 ---------------------------------------------------------------------------------


def test_an_answer_changed_just_before_moving_on_is_kept(page, alice):
    flow = make_flow(alice, {"A": 1, "B": 2, "C": 3}, [("A", "B")])
    assessment_step_save(flow=flow, step=5, answers={"readiness": ALL_READY}, confirm=False)
    open_wizard(page, flow, 5)

    # Change an answer and click step 6 at once (well inside the 400 ms the save waits).
    page.get_by_role("group", name="Which failure policy").get_by_label("Fail fast").check()
    page.get_by_role("button", name="6. Prototype and measure").click()
    at_step(page, 6, STEP_NAMES[6])
    assert assessment_of(flow).answers["readiness"]["failure_policy"] == "fail_fast"

    # The same with Back, and with a decision-sheet row.
    page.get_by_role("button", name="5. Evaluate coordination readiness").click()
    at_step(page, 5, STEP_NAMES[5])
    page.get_by_role("group", name="How experienced").get_by_label("2").check()
    page.get_by_role("group", name="Monitoring and debugging").get_by_label(
        "Strongly sequential"
    ).check()
    page.get_by_role("button", name="Back").click()
    at_step(page, 4, STEP_NAMES[4])
    answers = assessment_of(flow).answers
    assert answers["readiness"]["team_maturity"] == 2
    assert answers["sheet"]["monitoring"] == -2
    assert page.js_errors == []


def test_an_answer_changed_just_before_leaving_the_wizard_is_kept(page, alice):
    flow = make_flow(alice, {"A": 1, "B": 2}, [("A", "B")])
    assessment_step_save(flow=flow, step=5, answers={"readiness": ALL_READY}, confirm=False)
    open_wizard(page, flow, 5)
    page.get_by_role("group", name="Is there monitoring").get_by_label("Basic").check()
    page.get_by_role("link", name="Simulate").click()
    page.wait_for_url(f"**/flows/{flow.pk}/simulate/")
    page.wait_for_function("document.readyState === 'complete'")
    for _ in range(100):
        if assessment_of(flow).answers["readiness"]["monitoring"] == "basic":
            break
        page.wait_for_timeout(100)
    assert assessment_of(flow).answers["readiness"]["monitoring"] == "basic"


# Defect 6 (its front-end part) ---------------------------------------------------------------


def test_step_3_asks_for_the_coordination_costs(page, alice):
    flow = make_flow(alice, {"A": 2, "B": 3, "C": 4}, [("A", "B"), ("A", "C")])
    open_wizard(page, flow, 3)
    delay = page.get_by_label("Handoff delay (hours)")
    overhead = page.get_by_label("Sync overhead (hours)")
    # Each comes with one sentence on what it means.
    assert (
        "passes along a dependency"
        in page.locator(f"#{delay.get_attribute('aria-describedby')}").inner_text()
    )
    assert (
        "branches meet again"
        in page.locator(f"#{overhead.get_attribute('aria-describedby')}").inner_text()
    )
    delay.fill("0.5")
    delay.press("Tab")
    overhead.fill("0.25")
    overhead.press("Tab")
    wait_saved(page)
    saved = Flow.objects.get(pk=flow.pk)
    assert (saved.handoff_delay, saved.sync_overhead) == (0.5, 0.25)
    page.get_by_label("Time unit").select_option("days")
    page.get_by_label("Handoff delay (days)").wait_for()
    wait_saved(page)
    assert Flow.objects.get(pk=flow.pk).time_unit == "days"

    # A negative delay is refused next to the field and not saved.
    page.get_by_label("Handoff delay (days)").fill("-1")
    page.get_by_label("Handoff delay (days)").press("Tab")
    page.locator(".field-error").filter(has_text="at least 0").wait_for()
    assert Flow.objects.get(pk=flow.pk).handoff_delay == 0.5

    # Step 6 shows the overhead they add, in the flow's unit.
    page.get_by_role("button", name="6. Prototype and measure").click()
    at_step(page, 6, STEP_NAMES[6])
    parallel = assessment_state(Flow.objects.get(pk=flow.pk))["outcome"]["figures"]["blueprints"][
        "parallel"
    ]
    assert parallel["overhead"] > 0
    assert page.locator(".column.parallel .overhead").inner_text() == (
        f"coordination overhead {parallel['overhead']:g} d"
    )
    assert page.js_errors == []


# The dependency audit ------------------------------------------------------------------------


def test_the_audit_stands_beside_each_strength_choice_and_ranks_in_step_6(page, alice):
    flow = services.flow_import(owner=alice, document=content_document())
    entries = assessment_state(flow)["outcome"]["audit"]["entries"]
    saving = [e for e in entries if e["saving"] > 0]
    assert saving, "the guide's example has dependencies worth relaxing"
    open_wizard(page, flow, 2)
    for entry in entries:
        group = page.get_by_role("group", name=f"{entry['from']} Task {entry['from']} → ")
        line = group.filter(has_text=f"→ {entry['to']} Task {entry['to']}").locator(".audit-line")
        expected = entry["text"] if entry["saving"] > 0 else "saves nothing"
        assert expected in line.inner_text()
    page.get_by_role("button", name="6. Prototype and measure").click()
    at_step(page, 6, STEP_NAMES[6])
    ranking = page.locator(".audit-ranking li").all_inner_texts()
    assert ranking == [e["text"] for e in saving[:5]]


# Defect 7 ---------------------------------------------------------------------------------


def node_boxes(page) -> list[dict]:
    return page.evaluate(
        """() => window.vividoWizard.cy.nodes('.task').map(n => {
            const b = n.renderedBoundingBox({includeLabels: false});
            return {key: n.data('key'), x1: b.x1, x2: b.x2, y1: b.y1, y2: b.y2};
        })"""
    )


def test_graph_pane_is_laid_out_readable_and_highlights_the_latest_edit(page, alice):
    # Imported with no positions: every task at one spot until Graphviz lays it out.
    tasks = {f"T{i}": 2 for i in range(1, 15)}
    chain = [(f"T{i}", f"T{i + 1}") for i in range(1, 8)]
    fan = [("T1", f"T{i}") for i in range(9, 15)]
    flow = make_flow(alice, tasks, chain + fan, resources=[{"name": "Risk analyst", "capacity": 1}])
    open_wizard(page, flow, 1)
    page.wait_for_function("document.querySelector('#wizard-graph').dataset.layout === 'graphviz'")
    zoom = page.evaluate("window.vividoWizard.cy.zoom()")
    assert zoom >= 0.84, f"labels drawn at {12 * zoom:.1f} px"
    boxes = node_boxes(page)
    assert len({(round(b["x1"]), round(b["y1"])) for b in boxes}) == len(boxes)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            apart = (
                a["x2"] <= b["x1"] or b["x2"] <= a["x1"] or a["y2"] <= b["y1"] or b["y2"] <= a["y1"]
            )
            assert apart, f"{a['key']} overlaps {b['key']}"
    # The start of the flow is on screen; the rest is a pan away.
    first = next(b for b in boxes if b["key"] == "T1")
    width = page.locator("#wizard-graph").bounding_box()["width"]
    assert first["x1"] >= 0 and first["x2"] <= width

    # Step 3: the highlight follows each edit, not the one before it.
    page.goto(f"/flows/{flow.pk}/wizard/?step=3")
    at_step(page, 3, STEP_NAMES[3])
    caption = page.locator("#graph-caption")
    page.get_by_label("Units of Risk analyst for T9").fill("1")
    page.get_by_label("Units of Risk analyst for T9").press("Tab")
    wait_saved(page)
    assert caption.inner_text() == "No task is in contention for a pool."
    page.get_by_label("Units of Risk analyst for T10").fill("1")
    page.get_by_label("Units of Risk analyst for T10").press("Tab")
    wait_saved(page)
    page.wait_for_function(
        "document.querySelector('#wizard-graph').dataset.highlight === 'T9 T10'", timeout=15_000
    )
    assert caption.inner_text() == "In contention for a pool (amber): T9, T10."
    assert page.evaluate(
        "window.vividoWizard.cy.nodes('.contended').map(n => n.data('key')).sort()"
    ) == ["T10", "T9"]
    assert page.js_errors == []


# Defect 8 ---------------------------------------------------------------------------------


def test_back_then_next_without_a_change_flags_nothing(page, alice):
    flow = make_flow(alice, {"A": 1, "B": 2}, [("A", "B")])
    confirm_all(flow)
    open_wizard(page, flow, 6)
    assert step_states(page) == ["done"] * 6
    page.get_by_role("button", name="Back").click()
    at_step(page, 5, STEP_NAMES[5])
    page.get_by_role("button", name="Next").click()
    at_step(page, 6, STEP_NAMES[6])
    page.wait_for_function("!document.querySelector('#next').disabled")
    assert step_states(page) == ["done"] * 6
    assert page.js_errors == []


def test_a_jumped_over_step_does_not_keep_the_current_badge(page, alice):
    flow = make_flow(alice, {"A": 1, "B": 2}, [("A", "B")])
    open_wizard(page, flow, 1)
    assert step_states(page)[0] == "current"
    page.get_by_role("button", name="3. Estimate durations and resource profiles").click()
    at_step(page, 3, STEP_NAMES[3])
    page.wait_for_function(
        "document.querySelector('#stepper [aria-current=step]').textContent.startsWith('3')"
    )
    states = step_states(page)
    assert states[2] == "current"
    assert states.count("current") == 1
    assert states[0] in ("todo", "skipped")
    assert page.locator("#stepper button").nth(0).get_attribute("aria-current") is None


def test_confirming_a_skipped_step_flags_nothing_after_it(page, alice):
    flow = make_flow(alice, {"A": 1, "B": 2, "C": 3}, [("A", "B")])
    assessment_step_save(flow=flow, step=5, answers={"readiness": ALL_READY}, confirm=False)
    open_wizard(page, flow, 1)
    for number in (2, 3):
        page.get_by_role("button", name="Next").click()
        at_step(page, number, STEP_NAMES[number])
    # Leave step 3 unconfirmed, confirm 4 to 6.
    page.get_by_role("button", name="4. Identify independent task clusters").click()
    at_step(page, 4, STEP_NAMES[4])
    for number in (5, 6):
        page.get_by_role("button", name="Next").click()
        at_step(page, number, STEP_NAMES[number])
    page.get_by_role("button", name="Confirm the recommendation").click()
    page.locator(".toast").filter(has_text="confirmed").wait_for()
    states = step_states(page)
    assert states[2] in ("todo", "skipped")
    assert states[3:] == ["done", "done", "done"]
    # Now confirm the skipped step without changing anything: nothing later is flagged.
    page.get_by_role("button", name="3. Estimate durations and resource profiles").click()
    at_step(page, 3, STEP_NAMES[3])
    page.get_by_role("button", name="Next").click()
    at_step(page, 4, STEP_NAMES[4])
    page.wait_for_function("!document.querySelector('#next').disabled")
    assert step_states(page) == ["done"] * 6
    assert page.js_errors == []


def test_confirming_the_recommendation_says_so(page, alice):
    flow = make_flow(alice, {"A": 1, "B": 2, "C": 3}, [("A", "B")])
    assessment_step_save(flow=flow, step=5, answers={"readiness": ALL_READY}, confirm=False)
    open_wizard(page, flow, 6)
    label = page.locator(".recommendation .blueprint").inner_text()
    page.get_by_role("button", name="Confirm the recommendation").click()
    toast = page.locator(".toast").filter(has_text="confirmed")
    toast.wait_for()
    assert toast.inner_text().startswith(f"{label} confirmed")
    assert "6" in assessment_of(flow).progress["steps"]


# Defect 9 ---------------------------------------------------------------------------------


def test_a_need_larger_than_its_pool_is_refused(page, alice):
    flow = make_flow(alice, {"A": 1, "B": 2}, resources=[{"name": "Risk analyst", "capacity": 1}])
    open_wizard(page, flow, 3)
    units = page.get_by_label("Units of Risk analyst for A")
    units.fill("2")
    units.press("Tab")
    page.locator(".field-error").filter(
        has_text="Risk analyst holds 1; A cannot need 2."
    ).wait_for()
    assert units.get_attribute("aria-invalid") == "true"
    assert units.input_value() == "2"
    assert stored(flow)["tasks"][0].get("resources", {}) == {}
    # Lowering a capacity under a need is refused the same way.
    units.fill("1")
    units.press("Tab")
    wait_saved(page)
    capacity = page.get_by_label("Capacity of Risk analyst")
    page.get_by_label("Units of Risk analyst for B").fill("1")
    page.get_by_label("Units of Risk analyst for B").press("Tab")
    capacity.fill("0")
    capacity.press("Tab")
    page.locator(".field-error").filter(has_text="at least 1").wait_for()
    wait_saved(page)
    assert stored(flow)["resources"][0]["capacity"] == 1


def test_a_pasted_header_row_names_columns_and_is_not_a_task(page, alice):
    flow = services.flow_create(owner=alice, name="Pasted")
    open_wizard(page, flow, 1)
    page.get_by_label("Two columns").fill("Task\tNeeds\nBrief\t\nCopy\tBrief\n")
    page.get_by_role("button", name="Add the pasted rows").click()
    wait_saved(page)
    assert [t["name"] for t in stored(flow)["tasks"]] == ["Brief", "Copy"]

    # Straight into the grid, from a spreadsheet with its header row.
    paste(
        page,
        "[aria-label='What T2 needs']",
        "Task name\tDepends on\nVisuals\tBrief\nReview\tCopy, Visuals\n",
    )
    wait_saved(page)
    document = stored(flow)
    assert [t["name"] for t in document["tasks"]] == ["Brief", "Visuals", "Review"]
    assert sorted((d["from"], d["to"]) for d in document["dependencies"]) == [
        ("T1", "T2"),
        ("T2", "T3"),
    ]
    assert page.get_by_label("Name of T2").input_value() == "Visuals"
    assert page.js_errors == []


def test_a_need_that_would_close_a_cycle_is_refused_naming_it(page, alice):
    flow = make_flow(alice, {"A": 1, "B": 1, "C": 1}, [("A", "B"), ("B", "C")])
    open_wizard(page, flow, 1)
    needs = page.get_by_label("What A needs")
    needs.fill("C")
    needs.press("Tab")
    page.locator(".field-error").filter(
        has_text="That would make a cycle: A → B → C → A."
    ).wait_for()
    assert needs.input_value() == "C"
    assert [(d["from"], d["to"]) for d in stored(flow)["dependencies"]] == [("A", "B"), ("B", "C")]
    assert page.locator("#wizard-save").inner_text() != "Not saved"


def test_remove_asks_nothing_and_offers_undo(page, alice):
    flow = make_flow(alice, {"A": 1, "B": 2, "C": 3}, [("A", "B"), ("B", "C")])
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    open_wizard(page, flow, 1)
    page.get_by_role("button", name="Remove B").click()
    wait_saved(page)
    assert [t["key"] for t in stored(flow)["tasks"]] == ["A", "C"]
    assert page.get_by_label("Name of B").count() == 0
    page.locator(".toast").filter(has_text="Removed B").get_by_role("button", name="Undo").click()
    page.get_by_label("Name of B").wait_for()
    wait_saved(page)
    document = stored(flow)
    assert [t["key"] for t in document["tasks"]] == ["A", "B", "C"]
    assert sorted((d["from"], d["to"]) for d in document["dependencies"]) == [
        ("A", "B"),
        ("B", "C"),
    ]
    assert dialogs == []


def test_readiness_is_not_scored_before_any_answer(page, alice):
    flow = make_flow(alice, {"A": 1})
    open_wizard(page, flow, 5)
    body = page.locator("#step-body")
    body.get_by_text("Readiness: not scored yet").wait_for()
    assert "0/5" not in body.inner_text()
    assert "start mostly sequential" not in body.inner_text().lower()
    page.get_by_role("group", name="Can the team keep track").get_by_label("Yes").check()
    body.get_by_text("Readiness so far 1/5").wait_for()


def test_estimates_pasted_with_a_header_fill_their_rows(page, alice):
    flow = make_flow(alice, {"A": 1, "B": 1, "C": 1})
    open_wizard(page, flow, 3)
    paste(
        page,
        "[aria-label='optimistic duration of A']",
        "Task\tOptimistic\tLikely\tPessimistic\nA\t1\t2\t4\nB\t2\t3\t5\nC\t5\t4\t3\n",
    )
    wait_saved(page)
    durations = [tuple(t["duration"].values()) for t in stored(flow)["tasks"]]
    assert durations == [(1, 2, 4), (2, 3, 5), (1, 1, 1)]
    # C's row is out of order: shown as pasted, refused, stored as it was.
    assert page.get_by_label("optimistic duration of C").input_value() == "5"
    assert page.get_by_label("optimistic duration of C").get_attribute("aria-invalid") == "true"
    page.get_by_role("alert").filter(has_text="C: Optimistic must not exceed likely.").wait_for()


# Spreadsheet keys ---------------------------------------------------------------------------


def test_tables_move_like_a_spreadsheet(page, alice):
    flow = make_flow(alice, {"A": 1, "B": 2}, resources=[{"name": "Lab", "capacity": 2}])
    open_wizard(page, flow, 3)

    def focused() -> str:
        return page.evaluate("document.activeElement.getAttribute('aria-label')")

    page.get_by_label("optimistic duration of A").click()
    moves = [
        ("ArrowRight", "likely duration of A"),
        ("ArrowRight", "pessimistic duration of A"),
        ("ArrowRight", "Units of Lab for A"),
        ("ArrowDown", "Units of Lab for B"),
        ("ArrowLeft", "pessimistic duration of B"),
        ("ArrowUp", "pessimistic duration of A"),
    ]
    for key, label in moves:
        page.keyboard.press(key)
        assert focused() == label, key
    # Enter edits (the caret goes to the end), Escape undoes, Enter again stores and goes down.
    page.keyboard.press("Enter")
    page.keyboard.type("5")
    assert page.get_by_label("pessimistic duration of A").input_value() == "15"
    page.keyboard.press("Escape")
    assert page.get_by_label("pessimistic duration of A").input_value() == "1"
    page.keyboard.press("Enter")
    page.keyboard.press("Backspace")
    page.keyboard.type("6")
    page.keyboard.press("Enter")
    assert focused() == "pessimistic duration of B"
    wait_saved(page)
    assert stored(flow)["tasks"][0]["duration"]["pessimistic"] == 6
