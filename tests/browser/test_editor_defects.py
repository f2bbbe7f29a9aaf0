"""Issue 11's defects, each as a person meets it in the editor: what they see, what is stored.

The major defects first (numbered as in the issue), then the minor ones.
"""

import json
from pathlib import Path

import pytest

from designer import services
from tests.browser.test_editor import act, graph, open_editor, point, saved_document, spread
from tests.factories import content_document, flow_document

EXAMPLES = Path(__file__).resolve().parents[2] / "designer" / "examples"


def selected_keys(page):
    return page.evaluate(
        "window.vividoEditor.cy.$(':selected').map(e => e.isNode() ? e.data('key') : e.id())"
    )


def select_edge(page, source, target):
    page.evaluate(
        """([s, t]) => { const {cy} = window.vividoEditor; cy.elements().unselect();
            cy.edges().filter(e => e.source().data('key') === s && e.target().data('key') === t)
              .select(); }""",
        [source, target],
    )


def save(page):
    page.get_by_role("button", name="Save").click()
    page.locator("#save-state").filter(has_text="Saved").wait_for()
    page.wait_for_function("!window.vividoEditor.ed.saving")


def example(name):
    return json.loads((EXAMPLES / f"{name}.json").read_text())


def rect(page, selector):
    return page.locator(selector).bounding_box()


def meets(a, b):
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


def node_rect(page, key):
    return page.evaluate(
        """key => { const {cy} = window.vividoEditor;
            const b = cy.nodes('.task').filter(n => n.data('key') === key)[0].renderedBoundingBox();
            const c = cy.container().getBoundingClientRect();
            return {x: c.left + b.x1, y: c.top + b.y1, width: b.w, height: b.h}; }""",
        key,
    )


# Major 1 ------------------------------------------------------------------------------


def test_1_the_panels_phase_dropdown_puts_the_task_in_the_phase(signed_in, alice):
    page = signed_in
    document = spread(flow_document({"A": 1, "B": 2}, [("A", "B")]))
    document["phases"] = [{"name": "Research"}, {"name": "Writing"}]
    document["tasks"][0]["phase"] = "Research"
    flow = services.flow_import(owner=alice, document=document)
    open_editor(page, flow)
    page.mouse.click(**point(page, "B"))
    page.get_by_label("Phase", exact=True).select_option(label="Writing")
    page.locator("#message").filter(has_text="B is now in phase Writing").wait_for()
    save(page)
    assert [t["phase"] for t in saved_document(flow)["tasks"]] == ["Research", "Writing"]
    assert page.js_errors == []


# Major 2 ------------------------------------------------------------------------------


def test_2_renaming_then_typing_a_description_keeps_focus_and_runs_no_shortcut(signed_in, alice):
    page = signed_in
    flow = services.flow_import(owner=alice, document=spread(content_document()))
    open_editor(page, flow)
    page.mouse.click(**point(page, "T8"))
    page.keyboard.press("F2")
    page.keyboard.type("SEO pass")
    page.get_by_label("Description").click()
    page.keyboard.type("Plan ahead")
    assert page.evaluate("document.activeElement.tagName") == "TEXTAREA"
    assert page.get_by_label("Description").input_value() == "Plan ahead"
    page.keyboard.press("Tab")  # leaves the field: the description is kept
    assert len(graph(page)["tasks"]) == 9  # "n" added nothing
    assert page.evaluate("window.vividoEditor.ed.lastLayout") is None  # "l" laid nothing out
    save(page)
    task = saved_document(flow)["tasks"][7]
    assert (task["name"], task["description"]) == ("SEO pass", "Plan ahead")


# Major 3 ------------------------------------------------------------------------------


def test_3_natural_order_estimate_entry_stores_1_2_4(signed_in, alice):
    page = signed_in
    flow = services.flow_create(owner=alice, name="Estimates")
    open_editor(page, flow)
    page.locator("#cy").focus()
    page.keyboard.press("n")
    page.keyboard.press("Enter")  # keeps the name "New task"
    page.get_by_label("Optimistic (hours)").click()
    page.keyboard.press("Control+a")
    page.keyboard.type("1")
    page.keyboard.press("Tab")
    page.keyboard.press("Control+a")
    page.keyboard.type("2")
    assert page.get_by_label("Likely (hours)").input_value() == "2"  # kept as typed
    page.keyboard.press("Tab")
    page.keyboard.press("Control+a")
    page.keyboard.type("4")
    page.keyboard.press("Tab")  # focus leaves the row: checked as a whole, stored
    page.wait_for_function("window.vividoEditor.cy.nodes('.task')[0].data('pessimistic') === 4")
    assert page.locator(".estimate-row .field-error:not(:empty)").count() == 0
    save(page)
    assert saved_document(flow)["tasks"][0]["duration"] == {
        "optimistic": 1,
        "likely": 2,
        "pessimistic": 4,
    }


def test_3_an_invalid_row_gets_a_field_message_and_nothing_partial_is_stored(signed_in, alice):
    page = signed_in
    flow = services.flow_import(owner=alice, document=spread(flow_document({"A": (1, 2, 3)})))
    open_editor(page, flow)
    page.mouse.click(**point(page, "A"))
    page.get_by_label("Likely (hours)").fill("5")
    page.get_by_label("Pessimistic (hours)").focus()
    page.get_by_label("Pessimistic (hours)").fill("4")
    page.get_by_label("Description").focus()
    page.locator(".field-error").filter(has_text="Pessimistic must be at least likely.").wait_for()
    assert page.get_by_label("Likely (hours)").input_value() == "5"
    assert page.evaluate("window.vividoEditor.cy.nodes('.task')[0].data('likely')") == 2
    assert page.locator("#save-state").inner_text() == "Saved"


# Major 4 ------------------------------------------------------------------------------


def test_4_two_plain_clicks_leave_one_task_selected(signed_in, alice):
    page = signed_in
    flow = services.flow_import(owner=alice, document=spread(content_document()))
    open_editor(page, flow)
    page.mouse.click(**point(page, "T1"))
    page.mouse.click(**point(page, "T2"))
    assert selected_keys(page) == ["T2"]
    page.get_by_role("heading", name="Task T2").wait_for()
    page.keyboard.down("Shift")
    page.mouse.click(**point(page, "T3"))
    page.keyboard.up("Shift")
    assert sorted(selected_keys(page)) == ["T2", "T3"]
    page.get_by_role("heading", name="2 selected").wait_for()
    page.mouse.click(**point(page, "T4"))
    assert selected_keys(page) == ["T4"]
    page.keyboard.press("F2")
    assert page.locator("#rename-input").is_visible()


# Major 5 ------------------------------------------------------------------------------


def test_5_a_double_clicked_task_is_selected_and_tab_appends_after_naming(signed_in, alice):
    page = signed_in
    flow = services.flow_import(owner=alice, document=spread(flow_document({"A": 1})))
    open_editor(page, flow, whole=False)
    box = rect(page, "#cy")
    page.mouse.dblclick(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.75)
    page.locator("#rename-input").wait_for()
    page.keyboard.type("Drafted")
    page.keyboard.press("Enter")
    assert selected_keys(page) == ["T1"]
    assert page.locator("#context-pad").is_visible()
    page.keyboard.press("Tab")
    page.locator("#rename-input").wait_for()
    page.keyboard.press("Enter")
    assert selected_keys(page) == ["T2"]
    assert ["T1", "T2", "hard"] in graph(page)["edges"]
    page.get_by_role("button", name="Append a following task").click()
    page.keyboard.press("Enter")
    assert ["T2", "T3", "hard"] in graph(page)["edges"]
    save(page)
    assert [t["name"] for t in saved_document(flow)["tasks"]] == [
        "Task A",
        "Drafted",
        "New task",
        "New task",
    ]


# Major 6 ------------------------------------------------------------------------------


def test_6_dragging_a_task_moves_it_and_the_hover_handle_connects(signed_in, alice):
    page = signed_in
    flow = services.flow_import(
        owner=alice, document=spread(flow_document({"A": 1, "B": 1, "C": 1}, [("A", "B")]))
    )
    open_editor(page, flow)
    assert "handle" in page.locator("#canvas-hint").inner_text()
    a, c = point(page, "A"), point(page, "C")
    page.mouse.move(a["x"], a["y"])
    page.mouse.down()
    page.mouse.move(c["x"] - 40, c["y"] + 30, steps=8)
    page.mouse.up()
    assert len(graph(page)["edges"]) == 1  # moved, never connected
    assert point(page, "A") != a
    page.locator("#cy").focus()
    page.keyboard.press("Control+z")  # the move is undoable like any edit
    page.wait_for_function("window.vividoEditor.cy.nodes('.task')[0].position('x') === 0")
    page.mouse.move(**point(page, "B"))
    handle = page.locator("#connect-handle")
    handle.wait_for()
    start = handle.bounding_box()
    page.mouse.move(start["x"] + 8, start["y"] + 8)
    page.mouse.down()
    page.mouse.move(c["x"], c["y"], steps=10)
    page.mouse.up()
    page.wait_for_function("window.vividoEditor.cy.edges().length === 2")
    assert ["B", "C", "hard"] in graph(page)["edges"]
    save(page)
    assert {(d["from"], d["to"]) for d in saved_document(flow)["dependencies"]} == {
        ("A", "B"),
        ("B", "C"),
    }


# Major 7 ------------------------------------------------------------------------------


def test_7_the_panels_strength_change_closing_a_cycle_is_refused_and_named(signed_in, alice):
    page = signed_in
    document = spread(
        flow_document(
            {"T1": 1, "T2": 1, "T3": 1}, [("T1", "T2", "none"), ("T2", "T3"), ("T3", "T1")]
        )
    )
    flow = services.flow_import(owner=alice, document=document)
    open_editor(page, flow)
    select_edge(page, "T1", "T2")
    page.get_by_label("Strength").select_option("hard")
    message = page.locator("#message")
    message.filter(has_text="cycle").wait_for()
    assert message.inner_text() == "✕ Refused: dependency cycle: T1 → T2 → T3 → T1"
    assert page.get_by_label("Strength").input_value() == "none"  # snapped back
    assert page.locator("#summary-figures").inner_text().startswith("Sequential")
    assert page.locator("#save-state").inner_text() == "Saved"
    assert saved_document(flow)["dependencies"][0]["strength"] == "none"


def test_7_moving_a_phase_earlier_into_an_invalid_order_is_refused(signed_in, alice):
    page = signed_in
    document = spread(flow_document({"A": 1, "B": 1}, [("A", "B")]))
    document["phases"] = [{"name": "First"}, {"name": "Second"}]
    document["tasks"][0]["phase"], document["tasks"][1]["phase"] = "First", "Second"
    flow = services.flow_import(owner=alice, document=document)
    open_editor(page, flow)
    act(
        page,
        "window.vividoEditor.cy.nodes('.phase').filter(p => p.data('name') === 'Second').select()",
    )
    page.get_by_role("button", name="Earlier").click()
    page.locator("#message").filter(has_text="back to the earlier phase").wait_for()
    assert page.evaluate("window.vividoEditor.ed.meta.phases.map(p => p.name)") == [
        "First",
        "Second",
    ]
    assert page.locator("#save-state").inner_text() == "Saved"


# Major 8 ------------------------------------------------------------------------------


def test_8_after_esc_on_the_conflict_dialog_the_work_can_still_be_kept(signed_in, alice):
    page = signed_in
    flow = services.flow_import(owner=alice, document=spread(content_document()))
    open_editor(page, flow)
    services.flow_graph_replace(
        flow=flow, document={**content_document(), "name": "Saved elsewhere"}, expected_version=1
    )
    page.mouse.click(**point(page, "T3"))
    page.get_by_label("Name", exact=True).fill("Mine")
    page.get_by_label("Name", exact=True).press("Enter")
    page.get_by_role("button", name="Save").click()
    dialog = page.get_by_role("dialog", name="Conflict — someone else saved")
    dialog.wait_for()
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    bar = page.locator("#conflict-bar")
    assert bar.is_visible()
    page.locator("#cy").focus()
    page.keyboard.press("Control+s")  # Save asks again instead of doing nothing
    dialog.wait_for()
    page.keyboard.press("Escape")
    bar.get_by_role("button", name="Keep mine as a copy").click()
    page.wait_for_url(lambda url: not url.endswith(f"/flows/{flow.pk}/"))
    copy = services.models.Flow.objects.get(name="Content production (my copy)")
    assert [t["name"] for t in saved_document(copy)["tasks"]][2] == "Mine"


# Major 9 ------------------------------------------------------------------------------


def crossed(page, source, target):
    """Tasks whose box the drawn edge source → target enters (its ends excluded)."""
    return page.evaluate(
        """([s, t]) => {
            const {cy} = window.vividoEditor;
            const edge = cy.edges().filter(e =>
                e.source().data('key') === s && e.target().data('key') === t)[0];
            const points = [edge.sourceEndpoint(), ...(edge.segmentPoints() ?? []),
                            edge.targetEndpoint()];
            const hit = new Set();
            cy.nodes('.task').forEach(n => {
                if ([s, t].includes(n.data('key'))) return;
                const b = n.boundingBox({includeLabels: false});
                for (let i = 0; i + 1 < points.length; i++) {
                    for (let k = 0; k <= 20; k++) {
                        const x = points[i].x + (points[i + 1].x - points[i].x) * k / 20;
                        const y = points[i].y + (points[i + 1].y - points[i].y) * k / 20;
                        if (x > b.x1 && x < b.x2 && y > b.y1 && y < b.y2) hit.add(n.data('key'));
                    }
                }
            });
            return [...hit].sort();
        }""",
        [source, target],
    )


@pytest.mark.parametrize(
    ("name", "source", "target"),
    [("content-production", "T1", "T6"), ("marketing-launch", "M4", "M7")],
)
def test_9_shipped_examples_draw_edges_around_tasks(signed_in, alice, name, source, target):
    page = signed_in
    flow = services.flow_import(owner=alice, document=example(name))
    open_editor(page, flow)
    page.wait_for_function("window.vividoEditor.ed.routedAt", timeout=30_000)
    # A routing request made meanwhile (the first fit) may still be on its way.
    page.wait_for_load_state("networkidle")
    assert crossed(page, source, target) == []
    edges = page.evaluate(
        "window.vividoEditor.cy.edges().map(e => [e.source().data('key'), e.target().data('key')])"
    )
    assert all(crossed(page, s, t) == [] for s, t in edges)
    # After the layout (L), the routes are Graphviz's own and still go around.
    page.locator("#cy").focus()
    page.keyboard.press("l")
    page.wait_for_function("window.vividoEditor.ed.lastLayout", timeout=30_000)
    assert all(crossed(page, s, t) == [] for s, t in edges)


# Major 10 -----------------------------------------------------------------------------


def test_10_new_tasks_stay_in_view_and_the_page_never_scrolls_sideways(signed_in, alice):
    page = signed_in
    flow = services.flow_import(owner=alice, document=spread(content_document()))
    open_editor(page, flow, whole=False)
    act(
        page,
        "window.vividoEditor.cy.zoom(1); window.vividoEditor.cy.center("
        "window.vividoEditor.cy.nodes('.task').filter(n => n.data('key') === 'T9'))",
    )
    page.mouse.click(**point(page, "T9"))
    page.wait_for_function("window.vividoEditor.cy.$(':selected').length === 1")
    assert selected_keys(page) == ["T9"]
    page.locator("#cy").focus()
    for _ in range(3):
        page.keyboard.press("Tab")
        page.locator("#rename-input").wait_for()
        page.keyboard.press("Enter")
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    canvas = rect(page, "#cy")
    for key in ("T10", "T11", "T12")[-1:]:
        box = node_rect(page, key)
        assert canvas["x"] <= box["x"] and box["x"] + box["width"] <= canvas["x"] + canvas["width"]
    assert page.get_by_role("button", name="Add task").is_visible()
    page.get_by_role("button", name="Add task").click()
    page.keyboard.press("Enter")
    box = node_rect(page, "T13")
    assert canvas["x"] <= box["x"] and box["x"] + box["width"] <= canvas["x"] + canvas["width"]
    assert canvas["y"] <= box["y"] and box["y"] + box["height"] <= canvas["y"] + canvas["height"]
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0


# Major 11 -----------------------------------------------------------------------------


def unplaced(n):
    """n tasks, all at 0, 0, in chains of ten joined every few tasks."""
    tasks = {f"T{i}": 1 for i in range(1, n + 1)}
    edges = [(f"T{i}", f"T{i + 1}") for i in range(1, n) if i % 10]
    edges += [(f"T{i}", f"T{i + 12}") for i in range(1, n - 12, 7)]
    return flow_document(tasks, edges, name=f"{n} unplaced")


def in_view(page):
    return page.evaluate(
        """() => { const {cy} = window.vividoEditor; const e = cy.extent();
            return cy.nodes('.task').filter(n => { const p = n.position();
                return p.x > e.x1 && p.x < e.x2 && p.y > e.y1 && p.y < e.y2; }).length; }"""
    )


def test_11_a_flow_without_positions_is_laid_out_on_open_and_l_fits_the_new_view(signed_in, alice):
    page = signed_in
    flow = services.flow_import(owner=alice, document=unplaced(300))
    open_editor(page, flow, whole=False)
    page.wait_for_function("window.vividoEditor.ed.lastLayout", timeout=60_000)
    spots = page.evaluate(
        "new Set(window.vividoEditor.cy.nodes('.task').map(n => "
        "`${Math.round(n.position('x'))},${Math.round(n.position('y'))}`)).size"
    )
    assert spots == 300  # no pile
    assert in_view(page) > 5
    assert page.evaluate("window.vividoEditor.cy.zoom()") >= 10 / 12 - 1e-9
    act(page, "window.vividoEditor.cy.pan({x: -50000, y: -50000})")
    assert in_view(page) == 0
    page.evaluate("window.vividoEditor.ed.lastLayout = null")
    page.locator("#cy").focus()
    page.keyboard.press("l")
    page.wait_for_function("window.vividoEditor.ed.lastLayout", timeout=60_000)
    assert in_view(page) > 5
