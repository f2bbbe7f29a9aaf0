"""POST /api/flows/{id}/layout/: Graphviz positions for the editor, saved or unsaved."""

import json
from itertools import pairwise
from pathlib import Path

import pytest
from django.test import override_settings

from designer import drawing
from designer.analysis.document import flow_from_document
from designer.models import Flow
from tests.factories import content_document, flow_document

KEYS = [f"T{n}" for n in range(1, 10)]
CHAIN = ["T1", "T2", "T3", "T5", "T6", "T7", "T8", "T9"]  # the critical path


def layout(api, flow_id, body=None):
    return api.post(f"/api/flows/{flow_id}/layout/", body, format="json")


def phased_document() -> dict:
    document = content_document()
    document["phases"] = [{"name": "Research"}, {"name": "Production"}, {"name": "Unused"}]
    for task in document["tasks"]:
        task["phase"] = "Research" if task["key"] in ("T1", "T2", "T3", "T4") else "Production"
    return document


def test_left_to_right_layout_of_the_stored_flow(api, content_flow):
    response = layout(api, content_flow.pk)
    assert response.status_code == 200
    result = response.json()
    assert (result["direction"], result["phases"]) == ("LR", {})
    positions = result["positions"]
    assert sorted(positions, key=lambda k: int(k[1:])) == KEYS
    x = {key: p["x"] for key, p in positions.items()}
    y = {key: p["y"] for key, p in positions.items()}
    assert x["T1"] < x["T2"] < x["T3"] < x["T5"] < x["T6"] < x["T7"] < x["T8"] < x["T9"]
    assert x["T3"] == x["T4"]
    assert y["T3"] != y["T4"]
    assert all(value >= 0 for p in positions.values() for value in p.values())
    # Canvas pixels, one decimal at most.
    assert all(round(value, 1) == value for p in positions.values() for value in p.values())


def test_top_to_bottom_layout(api, content_flow):
    response = layout(api, content_flow.pk, {"direction": "TB"})
    assert response.status_code == 200
    result = response.json()
    assert result["direction"] == "TB"
    y = [result["positions"][key]["y"] for key in CHAIN]
    assert y == sorted(y) and len(set(y)) == len(y)  # y grows down the chain
    t3, t4 = result["positions"]["T3"], result["positions"]["T4"]
    assert t3["y"] == t4["y"] and t3["x"] != t4["x"]


def test_an_empty_body_and_an_explicit_default_give_the_same_layout(api, content_flow):
    plain = api.post(f"/api/flows/{content_flow.pk}/layout/")
    assert plain.status_code == 200
    assert plain.json() == layout(api, content_flow.pk, {"direction": "LR"}).json()
    assert plain.json() == layout(api, content_flow.pk, {"document": None}).json()


def test_the_unsaved_document_is_laid_out_and_nothing_is_saved(api, content_flow):
    document = content_document()
    document["tasks"].append({"key": "T10", "name": "Publish", "duration": {"likely": 1}})
    document["dependencies"].append({"from": "T9", "to": "T10", "strength": "hard"})
    response = layout(api, content_flow.pk, {"document": document})
    assert response.status_code == 200
    positions = response.json()["positions"]
    assert set(positions) == {*KEYS, "T10"}
    assert positions["T10"]["x"] > positions["T9"]["x"]
    content_flow.refresh_from_db()
    assert (content_flow.version, content_flow.tasks.count()) == (1, 9)


def test_a_document_with_a_cycle_is_refused_by_name(api, content_flow):
    document = flow_document({"A": 1, "B": 1, "C": 1}, [("A", "B"), ("B", "C"), ("C", "A")])
    response = layout(api, content_flow.pk, {"document": document})
    assert response.status_code == 400
    assert response.json() == {
        "message": "dependency cycle: A → B → C → A",
        "keys": ["A", "B", "C"],
        "fields": {"dependencies": "dependency cycle: A → B → C → A"},
    }


def test_an_invalid_document_is_refused_with_its_field(api, content_flow):
    response = layout(api, content_flow.pk, {"document": {"name": "No format"}})
    assert response.status_code == 400
    assert response.json() == {
        "message": "format is required",
        "keys": [],
        "fields": {"format": "format is required"},
    }


@override_settings(VIVIDO_MAX_TASKS_PER_FLOW=3)
def test_a_document_over_the_limits_is_refused(api, content_flow):
    response = layout(api, content_flow.pk, {"document": content_document()})
    assert response.status_code == 400
    assert response.json() == {
        "message": "a flow may have at most 3 tasks; this one has 9",
        "fields": {"tasks": "a flow may have at most 3 tasks; this one has 9"},
    }


def test_phase_boxes_contain_their_tasks(api, content_flow):
    for direction in ("LR", "TB"):
        response = layout(
            api, content_flow.pk, {"direction": direction, "document": phased_document()}
        )
        assert response.status_code == 200
        result = response.json()
        assert list(result["phases"]) == ["Research", "Production"]  # empty phases: no box
        members = {"Research": KEYS[:4], "Production": KEYS[4:]}
        for phase, box in result["phases"].items():
            assert set(box) == {"x", "y", "width", "height"}
            for key in members[phase]:
                p = result["positions"][key]
                assert box["x"] < p["x"] < box["x"] + box["width"], (direction, phase, key)
                assert box["y"] < p["y"] < box["y"] + box["height"], (direction, phase, key)
        research, production = result["phases"]["Research"], result["phases"]["Production"]
        if direction == "LR":
            assert research["x"] + research["width"] < production["x"]
        else:
            assert research["y"] + research["height"] < production["y"]


def test_an_empty_flow_has_nothing_to_place(api):
    flow_id = api.post("/api/flows/", {"name": "Empty"}, format="json").json()["id"]
    response = layout(api, flow_id, {"direction": "TB"})
    assert response.status_code == 200
    assert response.json() == {"direction": "TB", "positions": {}, "phases": {}, "routes": []}


def test_another_users_flow_is_not_found(bob_api, content_flow):
    response = layout(bob_api, content_flow.pk, {"document": content_document()})
    assert response.status_code == 404
    assert response.json() == {"message": "No Flow matches the given query."}


def test_an_unknown_direction_is_refused(api, content_flow):
    response = layout(api, content_flow.pk, {"direction": "RL"})
    assert response.status_code == 400
    assert response.json() == {
        "message": "direction: must be one of LR, TB; got 'RL'",
        "fields": {"direction": ["must be one of LR, TB; got 'RL'"]},
    }


def test_a_body_that_is_not_an_object_is_refused(api, content_flow):
    response = layout(api, content_flow.pk, ["LR"])
    assert response.status_code == 400
    assert response.json()["message"] == "Invalid data. Expected a dictionary, but got list."


def test_without_graphviz_the_layout_is_unavailable(api, content_flow, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    response = layout(api, content_flow.pk)
    assert response.status_code == 503
    assert response.json() == {"message": "Graphviz's dot program is not installed on the server"}
    assert Flow.objects.count() == 1


def test_graphviz_points_become_canvas_pixels_with_y_downward(monkeypatch):
    """Graphviz: points, origin bottom-left, a node's pos its centre, a cluster's bb its
    lower-left and upper-right corners. The canvas: pixels (96 per inch), y downward."""
    drawn = {
        "bb": "0,0,216,108",
        "objects": [
            {"name": "cluster_1", "bb": "8,8,116,100", "nodes": [1, 2]},
            {"name": "t0", "pos": "27,18"},
            {"name": "t1", "pos": "81,90"},
            {"name": "t2", "pos": "189,54"},
        ],
    }
    monkeypatch.setattr(drawing, "_run_dot", lambda source, fmt, **_: json.dumps(drawn).encode())
    document = flow_document({"A": 1, "B": 1, "C": 1}, [("A", "C"), ("B", "C")])
    document["phases"] = [{"name": "First"}, {"name": "Second"}]
    for task, phase in zip(document["tasks"], ("First", "First", "Second"), strict=True):
        task["phase"] = phase
    assert drawing.layout(flow_from_document(document)) == {
        "direction": "LR",
        "positions": {
            "A": {"x": 36.0, "y": 120.0},  # (27, 108 − 18) × 4/3
            "B": {"x": 108.0, "y": 24.0},  # (81, 108 − 90) × 4/3
            "C": {"x": 252.0, "y": 72.0},  # (189, 108 − 54) × 4/3
        },
        # top-left (8, 108 − 100), 108 × 92 points
        "phases": {"First": {"x": 10.7, "y": 10.7, "width": 144.0, "height": 122.7}},
        "routes": [],
    }


BOX = (150, 54)  # a task's box on the canvas, pixels


def crossings(route, positions, ends):
    """The tasks (other than the route's own ends) whose box a route's polyline enters."""
    points = [(p["x"], p["y"]) for p in route["points"]]
    segments = list(pairwise(points))
    hit = set()
    for key, at in positions.items():
        if key in ends:
            continue
        x1, x2 = at["x"] - BOX[0] / 2, at["x"] + BOX[0] / 2
        y1, y2 = at["y"] - BOX[1] / 2, at["y"] + BOX[1] / 2
        for (ax, ay), (bx, by) in segments:
            for step in range(11):  # points along each segment
                x, y = ax + (bx - ax) * step / 10, ay + (by - ay) * step / 10
                if x1 < x < x2 and y1 < y < y2:
                    hit.add(key)
    return hit


def test_the_layout_routes_every_dependency_around_the_other_tasks(api, content_flow):
    result = layout(api, content_flow.pk).json()
    routes = {(r["from"], r["to"]): r for r in result["routes"]}
    assert len(routes) == 11
    t1_t6 = routes[("T1", "T6")]
    assert len(t1_t6["points"]) >= 3
    for (source, target), route in routes.items():
        assert crossings(route, result["positions"], {source, target}) == set(), (source, target)


def test_routes_around_the_tasks_where_they_stand(api, content_flow):
    """The shipped example's own positions: T1 → T6 (soft) would run straight through T2 to
    T5; its route goes around them."""
    document = json.loads(
        (Path(drawing.__file__).parent / "examples" / "content-production.json").read_text()
    )
    positions = {t["key"]: {"x": t["x"], "y": t["y"]} for t in document["tasks"]}
    straight = {"from": "T1", "to": "T6", "points": [positions["T1"], positions["T6"]]}
    assert crossings(straight, positions, {"T1", "T6"}) == {"T2", "T5"}
    response = api.post(f"/api/flows/{content_flow.pk}/routes/", document, format="json")
    assert response.status_code == 200
    routes = {(r["from"], r["to"]): r for r in response.json()["routes"]}
    assert len(routes) == len(document["dependencies"])
    for (source, target), route in routes.items():
        assert crossings(route, positions, {source, target}) == set(), (source, target)


@pytest.mark.parametrize(
    ("mover", "key", "dx", "dy"),
    [("T4", "T3", 0, 62), ("T9", "T8", 100, 10)],  # just apart (within neato's margins), on top
)
def test_routes_still_go_around_when_tasks_are_dropped_close_or_on_one_another(
    api, content_flow, mover, key, dx, dy
):
    """Boxes closer than neato's margins, or overlapping, made it draw every edge straight;
    the other edges still go around the tasks."""
    document = json.loads(
        (Path(drawing.__file__).parent / "examples" / "content-production.json").read_text()
    )
    tasks = {t["key"]: t for t in document["tasks"]}
    tasks[mover]["x"], tasks[mover]["y"] = tasks[key]["x"] + dx, tasks[key]["y"] + dy
    positions = {t["key"]: {"x": t["x"], "y": t["y"]} for t in document["tasks"]}
    response = api.post(f"/api/flows/{content_flow.pk}/routes/", document, format="json")
    assert response.status_code == 200
    routes = {(r["from"], r["to"]): r for r in response.json()["routes"]}
    assert crossings(routes[("T1", "T6")], positions, {"T1", "T6"}) == set()


def test_routes_of_a_document_with_a_cycle_are_refused_by_name(api, content_flow):
    document = flow_document({"A": 1, "B": 1}, [("A", "B"), ("B", "A")])
    response = api.post(f"/api/flows/{content_flow.pk}/routes/", document, format="json")
    assert response.status_code == 400
    assert response.json()["message"] == "dependency cycle: A → B → A"


def test_routes_of_another_users_flow_are_not_found(bob_api, content_flow):
    response = bob_api.post(
        f"/api/flows/{content_flow.pk}/routes/", content_document(), format="json"
    )
    assert response.status_code == 404
