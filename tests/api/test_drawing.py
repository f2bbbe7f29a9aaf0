"""Graphviz drawings of a flow: the DOT text, and the SVG, PNG, PDF and DOT downloads."""

import re
import xml.etree.ElementTree as ET

import pytest

from designer import drawing
from designer.analysis.document import flow_from_document
from designer.analysis.model import format_duration
from tests.factories import content_document, flow_document

ACCENT = 'color="#c2410c", penwidth=2.5'
CRITICAL_EDGES = [
    ("T1", "T2"),
    ("T2", "T3"),
    ("T3", "T5"),
    ("T5", "T6"),
    ("T6", "T7"),
    ("T7", "T8"),
    ("T8", "T9"),
]
SVG = "{http://www.w3.org/2000/svg}"


def import_flow(api, document) -> int:
    response = api.post("/api/flows/import/", document, format="json")
    assert response.status_code == 201, response.json()
    return response.json()["id"]


def export(api, flow_id, **params):
    query = "&".join(f"{name}={value}" for name, value in params.items())
    return api.get(f"/api/flows/{flow_id}/export/?{query}")


def dot_of(api, flow_id, direction="LR") -> str:
    response = export(api, flow_id, format="dot", direction=direction)
    assert response.status_code == 200
    return response.content.decode("utf-8")


def nodes(dot: str) -> dict[str, tuple[str, str]]:
    """Task key → (node id, the attributes after its label)."""
    found = re.findall(r"^\s*(t\d+) \[label=<<B>([^<]*)</B>.*?>(?:, (.*))?\];$", dot, re.MULTILINE)
    return {key: (node_id, rest) for node_id, key, rest in found}


def edges(dot: str) -> dict[tuple[str, str], str]:
    """(from key, to key) → the edge's attributes, '' for none."""
    key_of = {node_id: key for key, (node_id, _) in nodes(dot).items()}
    found = re.findall(r"^\s*(t\d+) -> (t\d+)(?: \[(.*)\])?;$", dot, re.MULTILINE)
    return {(key_of[a], key_of[b]): attributes for a, b, attributes in found}


def svg_texts(content: bytes) -> tuple[ET.Element, list[str]]:
    root = ET.fromstring(content)
    return root, ["".join(element.itertext()) for element in root.iter(f"{SVG}text")]


def content_with_none_edge() -> dict:
    document = content_document()
    document["dependencies"].append({"from": "T3", "to": "T4", "strength": "none"})
    return document


def phased_document() -> dict:
    """The content flow in two phases, listed out of alphabetical order, and an empty one."""
    document = content_document()
    document["phases"] = [{"name": "Research"}, {"name": "Production"}, {"name": "Unused"}]
    for task in document["tasks"]:
        task["phase"] = "Research" if task["key"] in ("T1", "T2", "T3", "T4") else "Production"
    return document


# The DOT text


def test_dependency_strengths_and_the_critical_path(api):
    dot = dot_of(api, import_flow(api, content_with_none_edge()))
    drawn = edges(dot)
    assert drawn == {
        **dict.fromkeys(CRITICAL_EDGES, ACCENT),
        ("T2", "T4"): "",
        ("T4", "T5"): "",
        ("T5", "T7"): "",
        ("T1", "T6"): "style=dashed",
        ("T3", "T4"): "style=dotted, color=grey, arrowhead=none, constraint=false",
    }


def test_critical_tasks_have_the_accent_outline(api, content_flow):
    drawn = nodes(dot_of(api, content_flow.pk))
    assert list(drawn) == [f"T{n}" for n in range(1, 10)]
    assert {key: attributes for key, (_, attributes) in drawn.items()} == {
        **{key: ACCENT for key in ("T1", "T2", "T3", "T5", "T6", "T7", "T8", "T9")},
        "T4": "",
    }
    assert "label=<<B>T1</B><BR/>Task T1>" in dot_of(api, content_flow.pk)


def test_caption_names_the_flow_and_its_three_cycle_times(api, content_flow):
    dot = dot_of(api, content_flow.pk)
    assert (
        "  graph [label=<<B>Content production</B><BR/>"
        "Sequential 34.5 h · Hybrid 31.75 h · Parallel 30.5 h>, "
        "labelloc=b, labeljust=c, fontsize=12];\n}\n"
    ) in dot
    assert dot.startswith("digraph flow {\n  graph [rankdir=LR, ")


def test_direction_top_to_bottom(api, content_flow):
    assert dot_of(api, content_flow.pk, "TB").startswith("digraph flow {\n  graph [rankdir=TB, ")


def test_phases_become_clusters_numbered_in_order(api):
    dot = dot_of(api, import_flow(api, phased_document()))
    clusters = re.findall(r"subgraph (cluster_\d+) \{\n\s*graph \[label=<<B>([^<]*)</B>>", dot)
    assert clusters == [("cluster_1", "1. Research"), ("cluster_2", "2. Production")]
    ids = {key: node_id for key, (node_id, _) in nodes(dot).items()}
    bodies = re.findall(r"subgraph cluster_\d+ \{\n(.*?)\n  \}", dot, re.DOTALL)
    members = [re.findall(r"^\s*(t\d+) \[", body, re.MULTILINE) for body in bodies]
    assert members == [
        [ids[k] for k in ("T1", "T2", "T3", "T4")],
        [ids[k] for k in ("T5", "T6", "T7", "T8", "T9")],
    ]
    assert "Unused" not in dot
    assert 'style="rounded,filled", fillcolor="#f1f5f9"' in dot


def test_a_flow_without_phases_has_no_clusters(api, content_flow):
    assert "subgraph" not in dot_of(api, content_flow.pk)


def test_user_text_is_escaped_in_the_dot_text():
    document = flow_document({"A": 1}, name='Q3 "launch" & <b>more</b>')
    document["tasks"][0]["name"] = "<script>alert(1)</script>"
    dot = drawing.flow_to_dot(flow_from_document(document))
    assert "t0 [label=<<B>A</B><BR/>&lt;script&gt;alert(1)&lt;/script&gt;>" in dot
    assert "<B>Q3 &quot;launch&quot; &amp; &lt;b&gt;more&lt;/b&gt;</B>" in dot
    assert "<script>" not in dot


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (31.75, "hours", "31.75 h"),
        (34.5, "hours", "34.5 h"),
        (90, "minutes", "90 min"),
        (2.0, "days", "2 d"),
        (1 / 3, "weeks", "0.33 wk"),
        (1.10, "hours", "1.1 h"),
        (0.0, "days", "0 d"),
    ],
)
def test_figures_carry_their_unit_with_at_most_two_decimals(value, unit, text):
    assert format_duration(value, unit) == text


def test_caption_uses_the_flows_time_unit():
    document = flow_document({"A": 1.5, "B": 2.25}, [("A", "B")], time_unit="days")
    dot = drawing.flow_to_dot(flow_from_document(document))
    assert "Sequential 3.75 d · Hybrid 3.75 d · Parallel 3.75 d" in dot


# The downloads


def test_svg_download(api, content_flow):
    response = export(api, content_flow.pk, format="svg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response["Content-Disposition"] == 'attachment; filename="content-production.svg"'
    root, texts = svg_texts(response.content)
    assert root.tag == f"{SVG}svg"
    for n in range(1, 10):
        assert f"Task T{n}" in texts
    assert "Sequential 34.5 h · Hybrid 31.75 h · Parallel 30.5 h" in texts
    # Dotted grey without arrowhead and dashed lines come through as SVG strokes.
    assert 'stroke-dasharray="5,2"' in response.content.decode()


def test_png_download(api, content_flow):
    response = export(api, content_flow.pk, format="png", direction="TB")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'attachment; filename="content-production.png"'
    assert response.content.startswith(b"\x89PNG\r\n\x1a\n")


def test_pdf_download(api, content_flow):
    response = export(api, content_flow.pk, format="pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="content-production.pdf"'
    assert response.content.startswith(b"%PDF")


def test_dot_download(api, content_flow):
    response = export(api, content_flow.pk, format="dot")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/vnd.graphviz; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="content-production.gv"'
    assert response.content.decode("utf-8").startswith("digraph")


def test_json_download_is_unchanged(api, content_flow):
    response = export(api, content_flow.pk, format="json", direction="TB")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert (
        response["Content-Disposition"] == 'attachment; filename="content-production.vivido.json"'
    )
    assert response.content == export(api, content_flow.pk).content
    assert response.json()["tasks"][0]["key"] == "T1"


def test_a_client_accepting_only_the_image_type_gets_it(api, content_flow):
    response = api.get(f"/api/flows/{content_flow.pk}/export/?format=png", HTTP_ACCEPT="image/png")
    assert response.status_code == 200
    assert response.content.startswith(b"\x89PNG")


def test_an_empty_flow_draws(api):
    flow_id = api.post("/api/flows/", {"name": "Empty"}, format="json").json()["id"]
    response = export(api, flow_id, format="svg")
    assert response.status_code == 200
    _, texts = svg_texts(response.content)
    assert texts == ["Empty", "Sequential 0 h · Hybrid 0 h · Parallel 0 h"]


@pytest.mark.parametrize("name", ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>"])
def test_markup_in_names_stays_text_in_the_svg(api, name):
    document = flow_document({"A": 1, "B": 2}, [("A", "B")], name=name)
    document["tasks"][0]["name"] = name
    document["phases"] = [{"name": name}]
    for task in document["tasks"]:
        task["phase"] = name
    response = export(api, import_flow(api, document), format="svg")
    assert response.status_code == 200
    root, texts = svg_texts(response.content)
    tags = {element.tag.rsplit("}", 1)[-1] for element in root.iter()}
    assert not tags & {"script", "img"}
    assert name in texts  # the task
    assert f"1. {name}" in texts  # the phase
    assert texts.count(name) == 2  # the task and the caption
    assert all(
        not key.lower().startswith("on") for element in root.iter() for key in element.attrib
    )


def test_characters_xml_cannot_hold_do_not_break_the_drawing():
    document = flow_document({"A": 1})
    document["tasks"][0]["name"] = "bell \x07 and \ud800 lone"
    dot = drawing.flow_to_dot(flow_from_document(document))
    _, texts = svg_texts(drawing.render(dot, "svg"))
    assert "bell \ufffd and \ufffd lone" in texts


# Refusals


def test_unknown_format(api, content_flow):
    response = export(api, content_flow.pk, format="docx")
    assert response.status_code == 400
    assert response.json()["message"] == (
        "format: must be one of json, svg, png, pdf, dot; got 'docx'"
    )


def test_unknown_direction(api, content_flow):
    response = export(api, content_flow.pk, format="svg", direction="RL")
    assert response.status_code == 400
    assert response.json() == {
        "message": "direction: must be one of LR, TB; got 'RL'",
        "fields": {"direction": ["must be one of LR, TB; got 'RL'"]},
    }


def test_another_users_flow_is_not_found(bob_api, content_flow):
    for export_format in ("svg", "dot"):
        response = export(bob_api, content_flow.pk, format=export_format)
        assert response.status_code == 404
        assert response.json() == {"message": "No Flow matches the given query."}


def test_without_graphviz_the_drawing_is_unavailable(api, content_flow, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    for export_format in ("svg", "png", "pdf"):
        response = export(api, content_flow.pk, format=export_format)
        assert response.status_code == 503
        assert response.json() == {
            "message": "Graphviz's dot program is not installed on the server"
        }
    # The DOT text needs no Graphviz.
    assert export(api, content_flow.pk, format="dot").status_code == 200


def test_render_refuses_other_formats():
    with pytest.raises(ValueError, match="format must be one of svg, png, pdf; got 'gif'"):
        drawing.render("digraph {}", "gif")


def test_graphviz_errors_are_reported():
    with pytest.raises(drawing.GraphvizError) as raised:
        drawing.render("digraph {", "svg")
    assert str(raised.value).startswith(
        "Graphviz could not draw this flow: Error: <stdin>: syntax error in line 1"
    )


def test_pictures_carry_the_legend_of_the_visual_language(api, content_flow):
    response = api.get(f"/api/flows/{content_flow.pk}/export/?format=svg")
    svg = b"".join(response.streaming_content) if response.streaming else response.content
    texts = [t.text for t in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}text")]
    assert {"Legend", "hard", "soft", "none", "critical path"} <= set(texts)
    assert "1. phase" not in texts  # no phases in this flow: no phase in the key
    phased = import_flow(api, phased_document())
    svg = api.get(f"/api/flows/{phased}/export/?format=svg").content
    texts = [t.text for t in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}text")]
    assert "1. phase" in texts
    assert "Legend" not in dot_of(api, content_flow.pk)  # the DOT export is the flow alone
