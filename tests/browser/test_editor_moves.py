"""Moving around the editor as a person does: phase boxes that make room for one another,
edges routed around tasks placed by hand on large flows, panning and the selection box."""

import pytest

from designer import services
from tests.browser.test_editor import drag, open_editor, point, saved_document
from tests.browser.test_editor_defects import crossed, meets, save
from tests.factories import flow_document


def phase_boxes(page):
    return page.evaluate(
        """() => window.vividoEditor.cy.nodes('.phase').map(p => {
            const b = p.boundingBox(); return {name: p.data('name'),
            x: b.x1, y: b.y1, width: b.w, height: b.h,
            tasks: p.children().map(c => c.data('key')).sort()}; })"""
    )


def disjoint(boxes):
    return not any(meets(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])


def positions(page):
    return page.evaluate(
        """() => Object.fromEntries(window.vividoEditor.cy.nodes('.task').map(n =>
            [n.data('key'), [Math.round(n.position('x') * 10) / 10,
                             Math.round(n.position('y') * 10) / 10]]))"""
    )


def phased_document():
    """Plan (A, B), Build (C, D) and Ship (E) side by side, F in no phase below them."""
    document = flow_document(
        {"A": 1, "B": 1, "C": 1, "D": 1, "E": 1, "F": 1},
        [("A", "B"), ("B", "C"), ("C", "D"), ("D", "E")],
        phases=[{"name": "Plan"}, {"name": "Build"}, {"name": "Ship"}],
    )
    where = {"A": (0, 0, "Plan"), "B": (200, 0, "Plan"), "C": (420, 0, "Build")}
    where |= {"D": (620, 0, "Build"), "E": (860, 0, "Ship"), "F": (420, 260, None)}
    for task in document["tasks"]:
        task["x"], task["y"], task["phase"] = where[task["key"]]
    return document


def test_phase_boxes_never_overlap_after_a_drop(signed_in, alice):
    page = signed_in
    flow = services.flow_import(owner=alice, document=phased_document())
    open_editor(page, flow)
    assert disjoint(phase_boxes(page))
    before = positions(page)
    # A dragged deep into Build: Plan would come after Build, which A → B forbids. The drop
    # is refused with its reason and A goes back where it stood.
    drag(
        page,
        point(page, "A"),
        {"x": (point(page, "C")["x"] + point(page, "D")["x"]) / 2, "y": point(page, "C")["y"] + 10},
    )
    page.locator("#message").filter(has_text="Refused").wait_for()
    assert positions(page) == before
    assert [(b["name"], b["tasks"]) for b in phase_boxes(page)] == [
        ("Plan", ["A", "B"]),
        ("Build", ["C", "D"]),
        ("Ship", ["E"]),
    ]
    assert disjoint(phase_boxes(page))
    # F dropped on Build's right edge joins Build; Build's box now reaches where Ship stood,
    # so Ship (and only Ship) makes room to the right, keeping the order readable.
    build = next(b for b in phase_boxes(page) if b["name"] == "Build")
    edge = page.evaluate(
        """([x, y]) => { const {cy} = window.vividoEditor; const box = cy.container()
            .getBoundingClientRect(); return {x: box.left + x * cy.zoom() + cy.pan().x,
            y: box.top + y * cy.zoom() + cy.pan().y}; }""",
        [build["x"] + build["width"] + 10, before["D"][1]],
    )
    drag(page, point(page, "F"), edge)
    page.locator("#message").filter(has_text="F is now in phase Build").wait_for()
    boxes = phase_boxes(page)
    assert [(b["name"], b["tasks"]) for b in boxes] == [
        ("Plan", ["A", "B"]),
        ("Build", ["C", "D", "F"]),
        ("Ship", ["E"]),
    ]
    assert disjoint(boxes)
    after = positions(page)
    assert {k: after[k] for k in "ABCD"} == {k: before[k] for k in "ABCD"}
    assert after["E"][0] > before["E"][0] and after["E"][1] == before["E"][1]
    ship, build = boxes[2], boxes[1]
    assert ship["x"] >= build["x"] + build["width"]  # still after Build, in reading order
    # What is stored is what is drawn.
    save(page)
    stored = {t["key"]: (t["x"], t["y"], t["phase"]) for t in saved_document(flow)["tasks"]}
    assert {k: (x, y) for k, (x, y, _) in stored.items()} == {k: tuple(v) for k, v in after.items()}
    assert stored["F"][2] == "Build" and stored["E"][2] == "Ship"
    # One undo puts Ship back and takes F out of Build again.
    page.locator("#cy").focus()
    page.keyboard.press("Control+z")
    page.wait_for_function(
        "!window.vividoEditor.cy.nodes('.task').filter(n => n.data('key') === 'F')[0]"
        ".data('parent')"
    )
    assert positions(page)["E"] == before["E"]
    assert disjoint(phase_boxes(page))


def grid_document(rows=10, columns=10):
    """rows × columns tasks on a grid (220 px apart across, 120 down), each row a chain."""
    keys = [f"T{n + 1}" for n in range(rows * columns)]
    chains = [
        (keys[r * columns + c], keys[r * columns + c + 1])
        for r in range(rows)
        for c in range(columns - 1)
    ]
    document = flow_document(dict.fromkeys(keys, 1), chains, name="Grid")
    for n, task in enumerate(document["tasks"]):
        task["x"], task["y"] = (n % columns) * 220, (n // columns) * 120
    return document


def test_on_a_large_flow_a_moved_task_s_edges_are_routed_around_the_others(signed_in, alice):
    page = signed_in
    flow = services.flow_import(owner=alice, document=grid_document())
    open_editor(page, flow)
    assert page.evaluate("window.vividoEditor.cy.nodes('.task').length") == 100
    # T1 (top left) moved between rows 3 and 4: a straight T1 → T2 would cut through T21.
    target = page.evaluate(
        """() => { const {cy} = window.vividoEditor; const box = cy.container()
            .getBoundingClientRect(); return {x: box.left + cy.pan().x,
            y: box.top + 300 * cy.zoom() + cy.pan().y}; }"""
    )
    drag(page, point(page, "T1"), target)
    page.wait_for_function(
        "window.vividoEditor.cy.edges().filter(e => e.source().data('key') === 'T1')[0]"
        ".hasClass('routed')",
        timeout=20_000,
    )
    at = page.evaluate(
        "window.vividoEditor.cy.nodes('.task').filter(n => n.data('key') === 'T1')[0].position()"
    )
    assert abs(at["x"]) < 20 and abs(at["y"] - 300) < 20
    assert crossed(page, "T1", "T2") == []
    # The other edges were not touched: the row chains still run straight.
    assert page.evaluate("window.vividoEditor.cy.edges('.routed').length") == 1


def view(page):
    return page.evaluate(
        "(() => { const {cy} = window.vividoEditor; return {pan: cy.pan(), zoom: cy.zoom(),"
        " selected: cy.$(':selected').length}; })()"
    )


def to_page(page, x, y):
    """A point of the graph (model coordinates) on the page."""
    return page.evaluate(
        """([x, y]) => { const {cy} = window.vividoEditor; const box = cy.container()
            .getBoundingClientRect(); return {x: box.left + x * cy.zoom() + cy.pan().x,
            y: box.top + y * cy.zoom() + cy.pan().y}; }""",
        [x, y],
    )


def gesture(page, start, by, *, button="left"):
    page.mouse.move(start["x"], start["y"])
    page.mouse.down(button=button)
    for step in range(1, 11):
        page.mouse.move(start["x"] + by[0] * step / 10, start["y"] + by[1] * step / 10)
    page.mouse.up(button=button)


@pytest.fixture
def three(signed_in, alice):
    """A, B, C side by side at zoom 1, nothing selected, the canvas focused."""
    document = flow_document({"A": 1, "B": 1, "C": 1}, [("A", "B"), ("B", "C")])
    for task, (x, y) in zip(document["tasks"], [(0, 0), (200, 90), (400, 0)], strict=True):
        task["x"], task["y"] = x, y
    flow = services.flow_import(owner=alice, document=document)
    open_editor(signed_in, flow, whole=False)
    signed_in.evaluate(
        "(() => { const {cy} = window.vividoEditor; cy.elements().unselect();"
        " cy.viewport({zoom: 1, pan: {x: 300, y: 250}}); })()"
    )
    signed_in.locator("#cy").focus()
    return signed_in


def test_space_drag_pans_and_neither_moves_nor_selects(three):
    page = three
    before = positions(page)
    # Once from empty canvas, once starting on a task: both pan by the drag's distance.
    for start in (to_page(page, 200, 300), point(page, "A")):
        was = view(page)
        page.keyboard.down(" ")
        gesture(page, start, (120, -60))
        page.keyboard.up(" ")
        now = view(page)
        assert now["pan"]["x"] == pytest.approx(was["pan"]["x"] + 120, abs=1)
        assert now["pan"]["y"] == pytest.approx(was["pan"]["y"] - 60, abs=1)
        assert now["selected"] == 0
        assert positions(page) == before
    # Without space, the same drag on a task moves the task again.
    gesture(page, point(page, "A"), (0, 80))
    assert positions(page)["A"][1] == pytest.approx(before["A"][1] + 80, abs=1)


def test_the_middle_button_pans_anywhere(three):
    page = three
    before = positions(page)
    for start in (to_page(page, 200, 300), point(page, "B")):
        was = view(page)
        gesture(page, start, (-90, 40), button="middle")
        now = view(page)
        assert now["pan"]["x"] == pytest.approx(was["pan"]["x"] - 90, abs=1)
        assert now["pan"]["y"] == pytest.approx(was["pan"]["y"] + 40, abs=1)
        assert now["selected"] == 0
        assert positions(page) == before


def test_the_wheel_pans_and_ctrl_wheel_zooms_about_the_pointer(three):
    page = three
    at = to_page(page, 200, 90)  # B's centre
    page.mouse.move(at["x"], at["y"])
    was = view(page)
    page.mouse.wheel(30, 100)
    page.wait_for_function(
        "y => window.vividoEditor.cy.pan().y !== y", arg=was["pan"]["y"], timeout=5_000
    )
    now = view(page)
    assert now["pan"]["x"] == pytest.approx(was["pan"]["x"] - 30, abs=1)
    assert now["pan"]["y"] == pytest.approx(was["pan"]["y"] - 100, abs=1)
    assert now["zoom"] == was["zoom"]
    # Ctrl + wheel towards the screen zooms in, keeping the point under the pointer in place.
    at = point(page, "B")
    page.mouse.move(at["x"], at["y"])
    page.keyboard.down("Control")
    page.mouse.wheel(0, -150)
    page.keyboard.up("Control")
    page.wait_for_function("z => window.vividoEditor.cy.zoom() > z", arg=now["zoom"])
    assert view(page)["zoom"] == pytest.approx(now["zoom"] * 2.718281828**0.5, rel=1e-3)
    still = point(page, "B")
    assert still["x"] == pytest.approx(at["x"], abs=1)
    assert still["y"] == pytest.approx(at["y"], abs=1)
    assert positions(page)["B"] == [200, 90]


def test_a_drag_on_empty_canvas_selects_the_tasks_inside_the_box(three):
    page = three
    before = positions(page)
    was = view(page)
    start = to_page(page, -100, -60)
    end = to_page(page, 300, 150)  # around A and B; C (from x 325) stays out
    gesture(page, start, (end["x"] - start["x"], end["y"] - start["y"]))
    keys = page.evaluate("window.vividoEditor.cy.$('node:selected').map(n => n.data('key'))")
    assert sorted(keys) == ["A", "B"]
    assert view(page)["pan"] == was["pan"]
    assert positions(page) == before
    # The dependency drawn inside the box comes with them, as in draw.io.
    edges = page.evaluate(
        "window.vividoEditor.cy.$('edge:selected')"
        ".map(e => e.source().data('key') + '→' + e.target().data('key'))"
    )
    assert edges == ["A→B"]
    assert page.locator("#panel").get_by_text("3 selected").is_visible()


def test_at_tablet_width_the_selected_task_is_not_left_under_the_drawer(page, alice):
    from tests.browser.conftest import sign_in

    page.set_viewport_size({"width": 768, "height": 1024})
    sign_in(page, "alice", "alice-password-1")
    page.wait_for_url("**/")
    document = flow_document({"A": 1, "B": 1, "C": 1}, [("A", "B"), ("B", "C")])
    for n, task in enumerate(document["tasks"]):
        task["x"], task["y"] = n * 260, 0
    flow = services.flow_import(owner=alice, document=document)
    open_editor(page, flow, whole=False)
    # C near the canvas's right edge, where the drawer will slide in.
    page.evaluate(
        "(() => { const {cy} = window.vividoEditor; const c = cy.nodes('.task')[2];"
        " cy.viewport({zoom: 1, pan: {x: cy.width() - 100 - c.position('x'), y: 300}}); })()"
    )
    page.mouse.click(**point(page, "C"))
    page.get_by_role("heading", name="Task C").wait_for()
    page.wait_for_function(  # the drawer has slid in
        "document.querySelector('#panel').getBoundingClientRect().right <= window.innerWidth"
    )
    page.wait_for_timeout(400)  # the view's own move, if any
    drawer = page.locator("#panel").bounding_box()
    task = page.evaluate(
        """() => { const {cy} = window.vividoEditor; const b = cy.nodes('.task')[2]
            .renderedBoundingBox(); const c = cy.container().getBoundingClientRect();
            return {x1: c.left + b.x1, x2: c.left + b.x2}; }"""
    )
    assert task["x2"] <= drawer["x"]
    pad = page.locator("#context-pad").bounding_box()
    assert pad["x"] + pad["width"] <= drawer["x"]
