"""The flow editor in a real browser: draw, connect, edit, save, undo, phases, layout,
exports, conflicts and hostile names."""

import json
import xml.etree.ElementTree as ET

import pytest

from designer import selectors, services
from designer.models import Flow
from tests.browser.conftest import axe_violations
from tests.factories import content_document, flow_document

READY = "window.vividoEditor?.state.analysis && !window.vividoEditor.state.loading"


STRENGTH_OF_T10 = """strength => window.vividoEditor.cy.edges()
    .some(e => e.target().data('key') === 'T10' && e.data('strength') === strength)"""


def spread(document):
    """Tasks side by side (factories leave every task at 0, 0)."""
    for n, task in enumerate(document["tasks"]):
        task["x"], task["y"] = n * 200, (n % 2) * 90
    return document


def act(page, script):
    """Runs `script` in the page for its effect and returns nothing. Cytoscape's calls return
    the graph or a collection, and Playwright would serialise that whole object graph back
    (gigabytes of the renderer's heap: Chromium then runs out of memory, "Target crashed")."""
    page.evaluate(f"() => {{ {script}; }}")


def open_editor(page, flow, *, whole=True):
    """The editor on `flow`; `whole`: zoomed out to show every task, whatever its size
    (the editor itself stops at a readable zoom and shows the start of a large flow)."""
    page.goto(f"/flows/{flow.pk}/")
    page.wait_for_function(READY)
    if whole:
        act(page, "window.vividoEditor.cy.fit(undefined, 30)")


def point(page, key):
    """Where a task is drawn, in page coordinates."""
    return page.evaluate(
        """key => {
            const {cy} = window.vividoEditor;
            const node = cy.nodes('.task').filter(n => n.data('key') === key)[0];
            const at = node.renderedPosition();
            const box = cy.container().getBoundingClientRect();
            return {x: box.left + at.x, y: box.top + at.y};
        }""",
        key,
    )


def canvas_point(page, fx, fy):
    box = page.locator("#cy").bounding_box()
    return box["x"] + box["width"] * fx, box["y"] + box["height"] * fy


def graph(page):
    return page.evaluate(
        """() => {
            const {cy} = window.vividoEditor;
            return {
                tasks: cy.nodes('.task').map(n => [n.data('key'), n.data('name')]),
                edges: cy.edges().map(e => [
                    e.source().data('key'), e.target().data('key'), e.data('strength'),
                ]),
            };
        }"""
    )


def drag(page, start, end):
    page.mouse.move(start["x"], start["y"])
    page.mouse.down()
    for step in range(1, 11):
        page.mouse.move(
            start["x"] + (end["x"] - start["x"]) * step / 10,
            start["y"] + (end["y"] - start["y"]) * step / 10,
        )
    page.mouse.up()


def saved_document(flow):
    return selectors.flow_document(Flow.objects.get(pk=flow.pk))


def test_draw_connect_edit_save_and_reload(signed_in, alice):
    page = signed_in
    flow = services.flow_create(owner=alice, name="Drawn by hand")
    open_editor(page, flow)
    for n, (fx, name) in enumerate([(0.2, "Collect"), (0.5, "Write"), (0.8, "Publish")], start=1):
        x, y = canvas_point(page, fx, 0.45)
        page.mouse.dblclick(x, y)
        page.locator("#rename-input").fill(name)
        page.keyboard.press("Enter")
        page.wait_for_function(f"window.vividoEditor.cy.nodes('.task').length === {n}")
    assert graph(page)["tasks"] == [["T1", "Collect"], ["T2", "Write"], ["T3", "Publish"]]

    page.get_by_role("button", name="Connect", exact=True).click()
    drag(page, point(page, "T1"), point(page, "T2"))
    page.wait_for_function("window.vividoEditor.cy.edges().length === 1")
    drag(page, point(page, "T2"), point(page, "T3"))
    page.wait_for_function("window.vividoEditor.cy.edges().length === 2")
    page.get_by_role("button", name="Select", exact=True).click()

    page.mouse.click(**point(page, "T2"))
    likely = page.get_by_label("Likely (hours)")
    page.get_by_label("Pessimistic (hours)").fill("6")
    page.get_by_label("Pessimistic (hours)").press("Enter")
    likely.fill("3")
    likely.press("Enter")
    page.get_by_role("button", name="Save").click()
    page.locator("#save-state").filter(has_text="Saved").wait_for()
    page.wait_for_function(
        "document.querySelector('#summary-figures').textContent.includes('Parallel 5 h')"
    )

    page.reload()
    page.wait_for_function(READY)
    drawn = graph(page)
    assert drawn["tasks"] == [["T1", "Collect"], ["T2", "Write"], ["T3", "Publish"]]
    assert drawn["edges"] == [["T1", "T2", "hard"], ["T2", "T3", "hard"]]
    document = saved_document(flow)
    assert document["tasks"][1]["duration"] == {"optimistic": 1, "likely": 3, "pessimistic": 6}
    assert (
        page.locator("#summary-figures")
        .inner_text()
        .startswith("Sequential 5 h · Hybrid 5 h · Parallel 5 h")
    )
    assert page.js_errors == []


def test_a_dependency_closing_a_cycle_is_refused_with_its_message(signed_in, alice):
    page = signed_in
    flow = services.flow_import(owner=alice, document=spread(content_document()))
    open_editor(page, flow)
    page.get_by_role("button", name="Connect", exact=True).click()
    drag(page, point(page, "T9"), point(page, "T2"))
    message = page.locator("#message")
    message.filter(has_text="dependency cycle").wait_for()
    assert message.inner_text() == "✕ Refused: dependency cycle: T2 → T3 → T5 → T7 → T8 → T9 → T2"
    assert len(graph(page)["edges"]) == 11
    assert page.locator("#save-state").inner_text() == "Saved"


def test_undo_and_redo(signed_in, alice):
    page = signed_in
    flow = services.flow_import(owner=alice, document=spread(content_document()))
    open_editor(page, flow)
    page.locator("#cy").focus()
    page.keyboard.press("n")
    page.locator("#rename-input").fill("Extra step")
    page.keyboard.press("Enter")
    assert ["T10", "Extra step"] in graph(page)["tasks"]
    page.locator("#cy").focus()
    page.keyboard.press("Control+z")
    page.keyboard.press("Control+z")
    assert len(graph(page)["tasks"]) == 9
    page.keyboard.press("Control+Shift+z")
    assert ["T10", "New task"] in graph(page)["tasks"]
    page.keyboard.press("Control+Shift+z")
    assert ["T10", "Extra step"] in graph(page)["tasks"]
    page.locator("#save-state").filter(has_text="Unsaved changes").wait_for()


def test_tab_appends_a_connected_task_and_keys_set_strength(signed_in, alice):
    page = signed_in
    flow = services.flow_import(owner=alice, document=spread(content_document()))
    open_editor(page, flow)
    page.mouse.click(**point(page, "T9"))
    page.keyboard.press("Tab")
    page.locator("#rename-input").fill("Announce")
    page.keyboard.press("Enter")
    assert ["T9", "T10", "hard"] in graph(page)["edges"]
    act(
        page,
        "window.vividoEditor.cy.edges().filter(e => e.target().data('key') === 'T10').select()",
    )
    page.locator("#cy").focus()
    page.keyboard.press("2")
    page.wait_for_function(STRENGTH_OF_T10, arg="soft")
    page.keyboard.press("3")
    page.wait_for_function(STRENGTH_OF_T10, arg="none")


def test_drag_a_task_into_a_phase(signed_in, alice):
    page = signed_in
    flow = services.flow_import(
        owner=alice, document=spread(flow_document({"A": 1, "B": 2}, [("A", "B")]))
    )
    open_editor(page, flow)
    page.get_by_role("button", name="Add phase").click()
    phase = page.evaluate(
        """() => {
            const {cy} = window.vividoEditor;
            const at = cy.nodes('.phase')[0].renderedPosition();
            const box = cy.container().getBoundingClientRect();
            return {x: box.left + at.x, y: box.top + at.y};
        }"""
    )
    drag(page, point(page, "B"), phase)
    page.locator("#message").filter(has_text="B is now in phase Phase A").wait_for()
    page.get_by_role("button", name="Save").click()
    page.locator("#save-state").filter(has_text="Saved").wait_for()
    document = saved_document(flow)
    assert document["phases"] == [{"name": "Phase A", "description": ""}]
    assert [t["phase"] for t in document["tasks"]] == [None, "Phase A"]


def test_auto_layout_moves_tasks_and_undo_puts_them_back(signed_in, alice):
    page = signed_in
    flow = services.flow_import(owner=alice, document=spread(content_document()))
    open_editor(page, flow)
    before = page.evaluate(
        "Object.fromEntries(window.vividoEditor.cy.nodes('.task')"
        ".map(n => [n.data('key'), n.position()]))"
    )
    page.get_by_role("button", name="Auto-layout").click()
    page.wait_for_function("window.vividoEditor.ed.lastLayout")
    xs = page.evaluate(
        "Object.fromEntries(window.vividoEditor.cy.nodes('.task')"
        ".map(n => [n.data('key'), n.position('x')]))"
    )
    assert xs["T1"] < xs["T2"] < xs["T3"] < xs["T5"] < xs["T9"]
    assert xs["T3"] == xs["T4"]
    page.locator("#cy").focus()
    page.keyboard.press("Control+z")
    page.wait_for_function(
        """before => window.vividoEditor.cy.nodes('.task').every(n =>
            Math.abs(n.position('x') - before[n.data('key')].x) < 0.5)""",
        arg=before,
    )


@pytest.mark.parametrize(
    ("label", "filename", "check"),
    [
        (
            "SVG picture",
            "content-production.svg",
            lambda data: ET.fromstring(data).tag.endswith("svg"),
        ),
        ("PNG picture", "content-production.png", lambda data: data.startswith(b"\x89PNG")),
        ("PDF document", "content-production.pdf", lambda data: data.startswith(b"%PDF")),
        ("Graphviz DOT", "content-production.gv", lambda data: data.startswith(b"digraph")),
        (
            "Flow document (JSON)",
            "content-production.vivido.json",
            lambda data: json.loads(data)["format"] == "vivido.flow/1",
        ),
    ],
)
def test_each_export_downloads_a_valid_file(signed_in, alice, label, filename, check):
    page = signed_in
    flow = services.flow_import(owner=alice, document=spread(content_document()))
    open_editor(page, flow)
    page.get_by_text("Export", exact=True).click()
    with page.expect_download() as download_info:
        page.get_by_role("button", name=label).click()
    download = download_info.value
    assert download.suggested_filename == filename
    with open(download.path(), "rb") as file:
        assert check(file.read())


def test_two_tabs_second_save_gets_the_conflict_choice(signed_in, alice):
    first = signed_in
    flow = services.flow_import(owner=alice, document=spread(content_document()))
    second = first.context.new_page()
    open_editor(first, flow)
    open_editor(second, flow)

    first.mouse.click(**point(first, "T1"))
    first.get_by_label("Name", exact=True).fill("Ideas from the first tab")
    first.get_by_label("Name", exact=True).press("Enter")
    first.get_by_role("button", name="Save").click()
    first.locator("#save-state").filter(has_text="Saved").wait_for()

    second.mouse.click(**point(second, "T2"))
    second.get_by_label("Name", exact=True).fill("Outline from the second tab")
    second.get_by_label("Name", exact=True).press("Enter")
    second.get_by_role("button", name="Save").click()
    dialog = second.get_by_role("dialog", name="Conflict — someone else saved")
    dialog.wait_for()
    assert second.locator("#save-state").inner_text() == "Conflict — someone else saved"
    assert saved_document(flow)["tasks"][0]["name"] == "Ideas from the first tab"

    dialog.get_by_role("button", name="Keep mine as a copy").click()
    second.wait_for_url(lambda url: not url.endswith(f"/flows/{flow.pk}/"))
    copy = Flow.objects.get(name="Content production (my copy)")
    assert second.url.endswith(f"/flows/{copy.pk}/")
    assert selectors.flow_document(copy)["tasks"][1]["name"] == "Outline from the second tab"
    assert saved_document(flow)["tasks"][1]["name"] == "Task T2"


def test_conflict_reload_takes_the_saved_version(signed_in, alice):
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
    page.get_by_role("dialog").get_by_role("button", name="Reload their version").click()
    page.wait_for_function("document.querySelector('#flow-name').value === 'Saved elsewhere'")
    assert page.locator("#save-state").inner_text() == "Saved"


def test_a_hostile_name_is_text_everywhere(signed_in, alice):
    page = signed_in
    hostile = "<img src=x onerror=alert(1)>"
    document = spread(content_document())
    document["tasks"][0]["name"] = hostile
    flow = services.flow_import(owner=alice, document=document)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    open_editor(page, flow)
    page.mouse.click(**point(page, "T1"))
    assert page.get_by_label("Name", exact=True).input_value() == hostile
    page.mouse.move(**point(page, "T1"))
    page.locator("#hover-card").filter(has_text=hostile).wait_for()
    assert page.locator("#task-list li").first.inner_text().startswith(f"T1 {hostile}")
    assert page.locator("main img:not(#minimap img)").count() == 0
    assert dialogs == []


def test_panel_refuses_durations_out_of_order_next_to_the_field(signed_in, alice):
    page = signed_in
    flow = services.flow_import(owner=alice, document=spread(content_document()))
    open_editor(page, flow)
    page.mouse.click(**point(page, "T3"))
    page.get_by_label("Optimistic (hours)").fill("9")
    page.get_by_label("Optimistic (hours)").press("Enter")
    error = page.locator(".field-error").filter(has_text="Optimistic must not exceed likely.")
    error.wait_for()
    assert page.get_by_label("Optimistic (hours)").get_attribute("aria-invalid") == "true"
    assert page.locator("#save-state").inner_text() == "Saved"


def test_editor_is_accessible(signed_in, alice):
    page = signed_in
    flow = services.flow_import(owner=alice, document=spread(content_document()))
    open_editor(page, flow)
    assert axe_violations(page) == []


def test_editor_fits_a_tablet(signed_in, alice):
    page = signed_in
    page.set_viewport_size({"width": 768, "height": 1024})
    flow = services.flow_import(owner=alice, document=spread(content_document()))
    open_editor(page, flow)
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    assert page.locator("#cy").bounding_box()["width"] > 500
    assert page.get_by_role("button", name="Save").is_visible()
