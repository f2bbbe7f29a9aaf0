"""Issue 11's minor defects in the editor, each as a person meets it."""

from designer import services
from tests.browser.test_editor import act, graph, open_editor, point, saved_document, spread
from tests.browser.test_editor_defects import (
    example,
    meets,
    node_rect,
    rect,
    save,
    select_edge,
    selected_keys,
)
from tests.factories import content_document, flow_document


def colour(page, selector):
    return page.evaluate(f"getComputedStyle(document.querySelector('{selector}')).color")


def test_a_refusal_stays_until_the_next_action_and_outcomes_are_toasts(signed_in, alice):
    page = signed_in
    document = spread(flow_document({"A": 1, "B": 1}, [("A", "B"), ("B", "A", "none")]))
    flow = services.flow_import(owner=alice, document=document)
    open_editor(page, flow)
    page.mouse.click(**point(page, "A"))
    page.get_by_label("Name", exact=True).fill("Gather")
    page.get_by_label("Name", exact=True).press("Enter")  # a change: analysis and autosave follow
    page.locator("#save-state").filter(has_text="Unsaved changes").wait_for()
    select_edge(page, "B", "A")
    page.locator("#cy").focus()
    page.keyboard.press("1")
    message = page.locator("#message")
    message.filter(has_text="dependency cycle").wait_for()
    page.locator("#save-state").filter(has_text="Saved").wait_for(timeout=20_000)  # autosaved
    page.wait_for_function("!window.vividoEditor.ed.saving")
    assert message.inner_text() == "✕ Refused: dependency cycle: A → B → A"
    assert message.get_attribute("data-kind") == "error"
    error = colour(page, "#message")
    page.keyboard.press("Escape")  # the next action clears it
    assert message.inner_text() == ""
    act(page, "window.vividoEditor.cy.nodes('.task')[0].select()")
    page.keyboard.press("Control+c")
    message.filter(has_text="Copied 1 task.").wait_for()
    assert colour(page, "#message") != error  # information is not in the error's red
    page.get_by_label("Name", exact=True).fill("Gather facts")
    page.get_by_label("Name", exact=True).press("Enter")
    page.get_by_role("button", name="Save").click()
    page.locator(".toast").filter(has_text="Saved.").wait_for()
    assert saved_document(flow)["tasks"][0]["name"] == "Gather facts"


def test_the_hover_card_is_current_and_covers_neither_the_task_nor_the_pad(signed_in, alice):
    page = signed_in
    flow = services.flow_import(owner=alice, document=spread(content_document()))
    open_editor(page, flow)
    page.mouse.click(**point(page, "T4"))
    page.mouse.move(point(page, "T4")["x"] + 5, point(page, "T4")["y"])
    card = page.locator("#hover-card")
    card.filter(has_text="T4 Task T4").wait_for()
    assert not meets(rect(page, "#hover-card"), node_rect(page, "T4"))
    assert not meets(rect(page, "#hover-card"), rect(page, "#context-pad"))
    select_edge(page, "T2", "T4")
    middle = page.evaluate(
        """() => { const {cy} = window.vividoEditor; const e = cy.$('edge:selected')[0];
            const m = e.renderedMidpoint(); const c = cy.container().getBoundingClientRect();
            return {x: c.left + m.x, y: c.top + m.y}; }"""
    )
    page.mouse.move(middle["x"], middle["y"])
    card.filter(has_text="T2 → T4: hard").wait_for()
    page.locator("#cy").focus()
    page.keyboard.press("3")
    card.filter(has_text="T2 → T4: none").wait_for()


def phase_boxes(page):
    return page.evaluate(
        """() => window.vividoEditor.cy.nodes('.phase').map(p => {
            const b = p.boundingBox(); return {label: p.data('label'),
            x: b.x1, y: b.y1, width: b.w, height: b.h,
            tasks: p.children().map(c => c.data('key'))}; })"""
    )


def no_overlap(boxes):
    return not any(meets(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])


def test_phases_from_selection_drag_out_the_last_task_and_labels_after_reordering(signed_in, alice):
    page = signed_in
    document = spread(flow_document({"A": 1, "B": 1, "C": 1}, [("A", "B"), ("B", "C")]))
    flow = services.flow_import(owner=alice, document=document)
    open_editor(page, flow)
    page.mouse.click(**point(page, "A"))
    page.keyboard.down("Shift")
    page.mouse.click(**point(page, "B"))
    page.keyboard.up("Shift")
    page.get_by_role("button", name="New phase from selection").click()
    page.locator("#message").filter(has_text="Phase A holds A, B").wait_for()
    page.mouse.click(**point(page, "C"))
    page.locator("#cy").focus()
    page.keyboard.press("p")
    page.locator("#message").filter(has_text="Phase B holds C").wait_for()
    # The two boxes would overlap where the tasks stand: the flow is laid out again.
    page.wait_for_function("window.vividoEditor.ed.lastLayout", timeout=30_000)
    act(page, "window.vividoEditor.cy.fit(undefined, 30)")
    boxes = phase_boxes(page)
    assert [(b["label"], b["tasks"]) for b in boxes] == [
        ("1. Phase A", ["A", "B"]),
        ("2. Phase B", ["C"]),
    ]
    assert no_overlap(boxes)
    # The last task of a phase drags out of it.
    c = point(page, "C")
    page.mouse.move(c["x"], c["y"])
    page.mouse.down()
    page.mouse.move(c["x"], c["y"] + 260, steps=10)
    page.mouse.up()
    page.locator("#message").filter(has_text="C is in no phase now.").wait_for()
    # Reordering: the empty Phase B moves first; the numbers follow the order, names stay.
    act(
        page,
        "window.vividoEditor.cy.elements().unselect(); window.vividoEditor.cy.nodes('.phase')"
        ".filter(p => p.data('name') === 'Phase B').select()",
    )
    page.get_by_role("button", name="Earlier").click()
    page.wait_for_function(
        "window.vividoEditor.cy.nodes('.phase').some(p => p.data('label') === '1. Phase B')"
    )
    assert sorted(b["label"] for b in phase_boxes(page)) == ["1. Phase B", "2. Phase A"]
    assert no_overlap(phase_boxes(page))
    save(page)
    stored = saved_document(flow)
    assert [p["name"] for p in stored["phases"]] == ["Phase B", "Phase A"]
    assert [t["phase"] for t in stored["tasks"]] == ["Phase A", "Phase A", None]


def test_the_minimap_draws_from_first_paint_and_a_click_moves_the_view(signed_in, alice):
    page = signed_in
    empty = services.flow_create(owner=alice, name="Nothing yet")
    open_editor(page, empty, whole=False)
    assert not page.locator("#minimap").is_visible()  # no broken picture on an empty flow
    flow = services.flow_import(owner=alice, document=example("regulatory-submission"))
    open_editor(page, flow, whole=False)
    page.wait_for_function("document.querySelector('#minimap img')?.getAttribute('src')")
    assert page.locator("#minimap").is_visible()
    before = page.evaluate("window.vividoEditor.cy.pan()")
    box = rect(page, "#minimap")
    page.mouse.click(box["x"] + box["width"] - 12, box["y"] + box["height"] / 2)
    page.wait_for_function("before => window.vividoEditor.cy.pan().x < before.x - 100", arg=before)


def test_the_16_task_example_opens_readable_at_its_start(signed_in, alice):
    page = signed_in
    flow = services.flow_import(owner=alice, document=example("regulatory-submission"))
    open_editor(page, flow, whole=False)
    assert page.evaluate("window.vividoEditor.cy.zoom()") >= 10 / 12 - 1e-9
    canvas = rect(page, "#cy")
    start = node_rect(page, "R1")
    assert (
        canvas["x"] <= start["x"] and start["x"] + start["width"] <= canvas["x"] + canvas["width"]
    )
    page.screenshot(path="/tmp/shots-editor/regulatory-1280.png")


def test_ctrl_f_enter_cycles_through_the_matches(signed_in, alice):
    page = signed_in
    flow = services.flow_import(owner=alice, document=spread(content_document()))
    open_editor(page, flow)
    page.locator("#cy").focus()
    page.keyboard.press("Control+f")
    page.keyboard.type("task t")
    page.keyboard.press("Enter")
    assert selected_keys(page) == ["T1"]
    page.keyboard.press("Enter")
    assert selected_keys(page) == ["T2"]
    page.keyboard.press("Enter")
    assert selected_keys(page) == ["T3"]
    assert page.locator("#message").inner_text().startswith("Match 3 of 9")


def test_tab_leaves_the_canvas_when_nothing_is_selected(signed_in, alice):
    page = signed_in
    flow = services.flow_import(owner=alice, document=spread(content_document()))
    open_editor(page, flow)
    page.mouse.click(**point(page, "T1"))
    page.locator("#cy").focus()
    hint = page.locator("#canvas-hint")
    assert "Esc clears the selection" in hint.inner_text()
    page.keyboard.press("Escape")
    assert selected_keys(page) == []
    assert "Tab leaves the canvas" in hint.inner_text()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") != "cy"
    assert len(graph(page)["tasks"]) == 9


def test_at_tablet_width_the_panel_is_a_drawer_that_opens_on_selection(signed_in, alice):
    page = signed_in
    page.set_viewport_size({"width": 768, "height": 1024})
    flow = services.flow_import(owner=alice, document=spread(content_document()))
    open_editor(page, flow)
    assert not page.get_by_role("heading", name="Flow").is_visible()
    page.mouse.click(**point(page, "T1"))
    heading = page.get_by_role("heading", name="Task T1")
    heading.wait_for()
    page.wait_for_function(  # the drawer has slid in
        "document.querySelector('#panel').getBoundingClientRect().right <= window.innerWidth"
    )
    panel = rect(page, "#panel")
    assert panel["x"] >= 0 and panel["x"] + panel["width"] <= 768
    assert panel["y"] + 40 < 1024  # the panel starts above the fold
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    page.screenshot(path="/tmp/shots-editor/editor-768-drawer.png")
    page.get_by_role("button", name="Properties").click()
    heading.wait_for(state="hidden")


def test_the_legend_is_on_the_canvas(signed_in, alice):
    page = signed_in
    flow = services.flow_import(owner=alice, document=spread(content_document()))
    open_editor(page, flow)
    legend = page.get_by_role("group", name="Legend")
    assert legend.inner_text().split() == ["hard", "soft", "none", "critical", "path", "phase"]
    page.screenshot(path="/tmp/shots-editor/editor-1280.png")


def test_the_costs_of_speed_are_shown_edited_and_kept(signed_in, alice):
    """Contract with issue 12: a pool's cost_per_unit and the flow's value_per_time_unit."""
    page = signed_in
    document = spread(flow_document({"A": 1, "B": 1}, [("A", "B")]))
    document["resources"] = [{"name": "Writer", "capacity": 1, "cost_per_unit": 80}]
    document["value_per_time_unit"] = 120
    flow = services.flow_import(owner=alice, document=document)
    open_editor(page, flow)
    assert page.get_by_label("Value of one hour saved").input_value() == "120"
    assert page.get_by_label("Cost per unit per hour").input_value() == "80"
    page.get_by_label("Value of one hour saved").fill("150")
    page.get_by_label("Value of one hour saved").press("Enter")
    page.mouse.click(**point(page, "A"))
    page.get_by_label("Name", exact=True).fill("Outline")
    page.get_by_label("Name", exact=True).press("Enter")
    save(page)
    stored = saved_document(flow)
    assert stored["value_per_time_unit"] == 150
    assert stored["resources"][0]["cost_per_unit"] == 80
