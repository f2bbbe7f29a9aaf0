"""Server-side drawings of a flow with Graphviz: DOT text, SVG/PNG/PDF files and auto-layout.

The drawing follows the one visual language of the UX guide: a hard dependency is a solid
arrow, a soft one dashed, a `none` dependency a dotted grey line without arrowhead; the
critical path is drawn thicker in the accent colour; each phase is a labelled, rounded box
numbered in order. Every piece of user text reaches Graphviz escaped inside an HTML-like
label, and nodes are named by index (`t0`, `t1`, …), so no name or key can change the DOT
or the SVG it becomes. No Django here: the API and any command can use it alike.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import textwrap
from collections.abc import Mapping
from itertools import pairwise
from typing import Any

from designer.analysis.cpm import analyse
from designer.analysis.model import Flow, format_duration

DIRECTIONS: tuple[str, ...] = ("LR", "TB")
RENDER_FORMATS: tuple[str, ...] = ("svg", "png", "pdf")
TIMEOUT_SECONDS = 60
# Routing around tasks that stay put grows fast with the flow (100 tasks: ~1.6 s, 150: ~4 s
# on the benchmark machine); the editor asks only for small flows, and never waits long.
ROUTES_TIMEOUT_SECONDS = 8
LARGE_FLOW_TASKS = 300  # above this, dot's layout trades some crossings for speed
ROUTE_MARGINS = (3, 2, 1)  # points around each box that neato's routes keep clear, widest first
ACCENT = "#c2410c"
CRITICAL_PENWIDTH = "2.5"
FONT = "Helvetica"
NAME_WRAP = 32  # characters per line of a task's name in its box
PIXELS_PER_POINT = 96 / 72
TASK_BOX_PIXELS = (150, 54)  # a task's box on the editor's canvas
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class GraphvizError(RuntimeError):
    """Graphviz could not draw the flow; the message says why."""


class GraphvizMissing(GraphvizError):
    def __init__(self) -> None:
        super().__init__("Graphviz's dot program is not installed on the server")


def flow_to_dot(
    flow: Flow, *, direction: str = "LR", analysis: Mapping[str, Any] | None = None
) -> str:
    """The flow as a DOT digraph, caption and critical path included.

    `analysis` is `analyse(flow)` when the caller already has it; otherwise it is computed.
    """
    return _dot(flow, direction, analysis if analysis is not None else analyse(flow), True)


def render(dot_source: str, fmt: str) -> bytes:
    """DOT text drawn by `dot` as an SVG, PNG or PDF file."""
    if fmt not in RENDER_FORMATS:
        raise ValueError(f"format must be one of {', '.join(RENDER_FORMATS)}; got {fmt!r}")
    return _run_dot(_with_legend(dot_source), fmt)


def _with_legend(dot_source: str) -> str:
    """The drawing with the visual language's key inside it, before the closing brace (the
    DOT export stays the flow alone)."""
    body, brace, rest = dot_source.rpartition("}")
    if not brace or "cluster_legend" in dot_source or not re.search(r"^\s*t0 \[", dot_source, re.M):
        return dot_source
    legend = _legend("subgraph cluster_1 " in dot_source)
    return body + "\n".join(legend) + "\n" + brace + rest


def layout(flow: Flow, *, direction: str = "LR") -> dict[str, Any]:
    """Positions for the editor's canvas from Graphviz's layout of the flow.

    Tasks by key: the centre of their box; phases by name: the top-left corner, width and
    height of their box; routes: each dependency's path around the boxes (see `_routes`).
    Canvas pixels, y growing downward. Tasks are laid out at the canvas's box size.
    """
    _check_direction(direction)
    result: dict[str, Any] = {"direction": direction, "positions": {}, "phases": {}, "routes": []}
    if not flow.tasks:
        return result
    # The caption and the critical path's highlight change nothing a layout reports.
    # On large flows, dot spends much of its time reducing crossings: a third of its default
    # effort there takes about a third off dot's CPU time (1.9 s → 1.25 s of user time on a
    # 1,000-task / 2,000-dependency flow, three runs each, alternated).
    effort = ["-Gmclimit=0.3"] if len(flow.tasks) > LARGE_FLOW_TASKS else []
    source = _dot(flow, direction, None, False, sized=True)
    drawn = json.loads(_run_dot(source, "json0", args=effort))
    left, _, _, top = _box(drawn["bb"])
    clusters = {f"cluster_{n}": name for n, name in enumerate(_drawn_phases(flow), start=1)}

    def pixels(value: float) -> float:
        return round(value * PIXELS_PER_POINT, 1)

    for obj in drawn.get("objects", ()):
        name = obj.get("name", "")
        if name in clusters and "bb" in obj:
            x1, y1, x2, y2 = _box(obj["bb"])
            result["phases"][clusters[name]] = {
                "x": pixels(x1 - left),
                "y": pixels(top - y2),
                "width": pixels(x2 - x1),
                "height": pixels(y2 - y1),
            }
        elif name.startswith("t") and name[1:].isdigit() and "pos" in obj:
            x, y = (float(v) for v in obj["pos"].split(",")[:2])
            key = flow.tasks[int(name[1:])].key
            result["positions"][key] = {"x": pixels(x - left), "y": pixels(top - y)}
    result["routes"] = _routes(flow, drawn, lambda x, y: (pixels(x - left), pixels(top - y)))
    return result


def routes(flow: Flow) -> list[dict[str, Any]]:
    """Each dependency's path around the task boxes where the tasks stand now (their x, y).

    Graphviz's neato keeps every task where it is (`-n2`) and routes the splines around the
    boxes, drawn at the canvas's size (150 × 54 pixels).
    """
    if not flow.tasks or not flow.dependencies:
        return []
    width, height = TASK_BOX_PIXELS
    body = [
        f"  node [shape=box, fixedsize=true, width={width / 72:.4f}, "
        f"height={height / 72:.4f}, label={_q('')}];",
    ]
    # Pixels go in as points (-n2 takes positions in points), y flipped: no scaling needed.
    # Boxes dropped on top of one another would make neato draw every edge straight: those
    # tasks are points to it, so the other edges still go around the rest.
    piled = _piled(flow, width + 2 * ROUTE_MARGINS[-1], height + 2 * ROUTE_MARGINS[-1])
    body += [
        f'  t{i} [pos="{t.x:.1f},{-t.y:.1f}!"'
        + (", width=0.01, height=0.01" if i in piled else "")
        + "];"
        for i, t in enumerate(flow.tasks)
    ]
    ids = {task.key: f"t{i}" for i, task in enumerate(flow.tasks)}
    body += [f"  {ids[d.source]} -> {ids[d.target]};" for d in flow.dependencies]
    # neato keeps a margin around each box (3 pt by default) and, when two boxes placed by
    # hand come closer than twice that, gives up and draws every edge straight: then again
    # with a narrower margin.
    for margin in ROUTE_MARGINS:
        warnings: list[str] = []
        graph = f'  graph [splines=true, overlap=true, outputorder=edgesfirst, esep="+{margin}"];'
        source = "\n".join(["digraph flow {", graph, *body, "}"]) + "\n"
        output = _run_dot(
            source,
            "json0",
            program="neato",
            args=["-n2"],
            timeout=ROUTES_TIMEOUT_SECONDS,
            warnings=warnings,
        )
        if not any("straight line edges" in warning for warning in warnings):
            break
    drawn = json.loads(output)
    # neato shifts the drawing to start at 0, 0: find the shift from the first task.
    first = next(o for o in drawn.get("objects", ()) if o.get("name") == "t0")
    fx, fy = (float(v) for v in first["pos"].split(",")[:2])
    dx, dy = fx - flow.tasks[0].x, fy + flow.tasks[0].y
    # Eight points a piece: these routes pass close to the boxes, and a coarser polyline
    # would cut their corners.
    return _routes(flow, drawn, lambda x, y: (round(x - dx, 1), round(dy - y, 1)), samples=8)


def _piled(flow: Flow, width: float, height: float) -> set[int]:
    """Indexes of the tasks whose boxes (`width` × `height`, centred on them) overlap."""
    order = sorted(range(len(flow.tasks)), key=lambda i: flow.tasks[i].x)
    piled: set[int] = set()
    for n, i in enumerate(order):
        a = flow.tasks[i]
        for j in order[n + 1 :]:
            b = flow.tasks[j]
            if b.x - a.x >= width:
                break
            if abs(b.y - a.y) < height:
                piled |= {i, j}
    return piled


def _routes(
    flow: Flow, drawn: Mapping[str, Any], to_canvas: Any, *, samples: int = 4
) -> list[dict[str, Any]]:
    """Graphviz's edge splines as points on the canvas, by dependency.

    An edge's `pos` is "e,x,y" (the arrow's tip) then the control points of cubic Béziers
    (p0 p1 p2 p3 p4 … p3n). Each piece is sampled at `samples` points (quarters by default),
    so a polyline through the points follows the curve; the ends (on the boxes' borders)
    are left to the canvas.
    """
    names = {o.get("_gvid"): o.get("name", "") for o in drawn.get("objects", ())}
    keys = {f"t{i}": task.key for i, task in enumerate(flow.tasks)}
    result = []
    for edge in drawn.get("edges", ()):
        source, target = (
            keys.get(names.get(edge.get("tail"), "")),
            keys.get(names.get(edge.get("head"), "")),
        )
        if source is None or target is None or "pos" not in edge:
            continue
        controls = [
            tuple(float(v) for v in part.split(","))
            for part in edge["pos"].split()
            if not part.startswith(("e,", "s,"))
        ]
        points = []
        for n in range(0, len(controls) - 3, 3):
            p0, p1, p2, p3 = controls[n : n + 4]
            for t in (k / samples for k in range(samples)):
                if n == 0 and t == 0.0:
                    continue
                u = 1 - t
                x = u**3 * p0[0] + 3 * u * u * t * p1[0] + 3 * u * t * t * p2[0] + t**3 * p3[0]
                y = u**3 * p0[1] + 3 * u * u * t * p1[1] + 3 * u * t * t * p2[1] + t**3 * p3[1]
                points.append(to_canvas(x, y))
        result.append(
            {"from": source, "to": target, "points": [{"x": x, "y": y} for x, y in points]}
        )
    return result


def _dot(
    flow: Flow,
    direction: str,
    analysis: Mapping[str, Any] | None,
    caption: bool,
    *,
    sized: bool = False,
) -> str:
    """`sized`: every task at the canvas's box size (for the editor's layout)."""
    _check_direction(direction)
    path = list(analysis["critical_path"]) if analysis else []
    critical_tasks = set(path)
    critical_edges = set(pairwise(path))
    ids = {task.key: f"t{i}" for i, task in enumerate(flow.tasks)}

    lines = [
        "digraph flow {",
        f"  graph [rankdir={direction}, fontname={_q(FONT)}, nodesep=0.4, ranksep=0.6];",
        f"  node [shape=box, style={_q('rounded,filled')}, fillcolor={_q('#ffffff')}, "
        f"color={_q('#334155')}, fontname={_q(FONT)}, fontsize=12, margin={_q('0.15,0.08')}];",
        f"  edge [color={_q('#334155')}, fontname={_q(FONT)}, arrowsize=0.8];",
    ]
    if sized:
        # Canvas pixels are 4/3 of a point: 150 × 54 pixels is 112.5 × 40.5 points.
        width, height = (v / PIXELS_PER_POINT / 72 for v in TASK_BOX_PIXELS)
        lines.append(f"  node [fixedsize=true, width={width:.4f}, height={height:.4f}];")

    def node(task_index: int, indent: str) -> str:
        task = flow.tasks[task_index]
        label = f"<B>{_text(task.key)}</B>"
        for line in textwrap.wrap(_clean(task.name), NAME_WRAP) or [""]:
            label += f"<BR/>{html.escape(line)}"
        attributes = f"label=<{label}>"
        if task.key in critical_tasks:
            attributes += f", color={_q(ACCENT)}, penwidth={CRITICAL_PENWIDTH}"
        return f"{indent}t{task_index} [{attributes}];"

    members: dict[str, list[int]] = {name: [] for name in _drawn_phases(flow)}
    loose = []
    for i, task in enumerate(flow.tasks):
        if task.phase in members:
            members[task.phase].append(i)
        else:
            loose.append(i)
    for n, (name, tasks) in enumerate(members.items(), start=1):
        lines += [
            f"  subgraph cluster_{n} {{",
            f"    graph [label=<<B>{n}. {_text(name)}</B>>, labeljust=l, labelloc=t, "
            f"style={_q('rounded,filled')}, fillcolor={_q('#f1f5f9')}, "
            f"color={_q('#94a3b8')}, fontsize=12, margin=12];",
            *(node(i, "    ") for i in tasks),
            "  }",
        ]
    lines += [node(i, "  ") for i in loose]

    for dep in flow.dependencies:
        attributes = []
        if dep.strength == "soft":
            attributes.append("style=dashed")
        elif dep.strength == "none":
            attributes += ["style=dotted", "color=grey", "arrowhead=none", "constraint=false"]
        if dep.strength == "hard" and (dep.source, dep.target) in critical_edges:
            attributes += [f"color={_q(ACCENT)}", f"penwidth={CRITICAL_PENWIDTH}"]
        suffix = f" [{', '.join(attributes)}]" if attributes else ""
        lines.append(f"  {ids[dep.source]} -> {ids[dep.target]}{suffix};")

    if caption and analysis is not None:
        # Last, so that no cluster inherits the root graph's label.
        times = analysis["cycle_time"]
        figures = " · ".join(
            f"{title} {format_duration(times[blueprint], flow.time_unit)}"
            for title, blueprint in (
                ("Sequential", "sequential"),
                ("Hybrid", "hybrid"),
                ("Parallel", "parallel"),
            )
        )
        lines.append(
            f"  graph [label=<<B>{_text(flow.name)}</B><BR/>{html.escape(figures)}>, "
            "labelloc=b, labeljust=c, fontsize=12];"
        )
    lines.append("}")
    return "\n".join(lines) + "\n"


LEGEND_ITEMS = (
    ("hard", "solid", "#334155", "normal", "1"),
    ("soft", "dashed", "#334155", "normal", "1"),
    ("none", "dotted", "grey", "none", "1"),
    ("critical path", "solid", ACCENT, "normal", CRITICAL_PENWIDTH),
)


def _legend(phases: bool) -> list[str]:
    """The UX guide's visual language as a key beside the drawing: one short line of each
    dependency strength, the critical path and (when the flow has them) a phase box."""
    lines = [
        "  subgraph cluster_legend {",
        f"    graph [label=<<B>Legend</B>>, labeljust=l, labelloc=t, style={_q('rounded')}, "
        f"color={_q('#cbd5e1')}, fontsize=10, margin=8];",
        "    node [shape=point, width=0.02, color=transparent];",
        "    edge [constraint=false];",
    ]
    for n, (text, style, colour, head, pen) in enumerate(LEGEND_ITEMS):
        lines += [
            f"    legend_{n}a; legend_{n}b [shape=plaintext, width=0, height=0, "
            f"fontsize=10, label={_q(text)}];",
            f"    legend_{n}a -> legend_{n}b [style={style}, color={_q(colour)}, "
            f"arrowhead={head}, penwidth={pen}, constraint=true];",
        ]
    if phases:
        lines.append(
            f"    legend_phase [shape=box, style={_q('rounded,filled')}, "
            f"fillcolor={_q('#f1f5f9')}, color={_q('#94a3b8')}, fontsize=10, "
            f"width=0, height=0, label={_q('1. phase')}];"
        )
    lines.append("  }")
    return lines


def _drawn_phases(flow: Flow) -> list[str]:
    """The flow's phases that hold at least one task, in the flow's order."""
    used = {task.phase for task in flow.tasks}
    return [phase.name for phase in flow.phases if phase.name in used]


def _run_dot(
    dot_source: str,
    fmt: str,
    *,
    program: str = "dot",
    args: list[str] | None = None,
    timeout: float = TIMEOUT_SECONDS,
    warnings: list[str] | None = None,
) -> bytes:
    """Graphviz's output; what it warned about on stderr goes into `warnings` if given."""
    found = shutil.which(program)
    if found is None:
        raise GraphvizMissing()
    try:
        completed = subprocess.run(
            [found, *(args or []), f"-T{fmt}"],
            input=dot_source.encode("utf-8"),
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise GraphvizError(f"Graphviz took longer than {timeout:g} s to draw this flow") from None
    except OSError as error:
        raise GraphvizError(f"Graphviz's dot program could not be started: {error}") from None
    if completed.returncode != 0:
        detail = completed.stderr.decode("utf-8", "replace").strip()[:500]
        raise GraphvizError(f"Graphviz could not draw this flow: {detail or 'no message'}")
    if warnings is not None:
        warnings.extend(completed.stderr.decode("utf-8", "replace").splitlines())
    return completed.stdout


def _check_direction(direction: str) -> None:
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {', '.join(DIRECTIONS)}; got {direction!r}")


def _clean(text: str) -> str:
    """Text without the characters XML cannot hold (Graphviz's HTML labels are XML)."""
    return _NOT_XML.sub("\ufffd", text)


def _text(text: str) -> str:
    return html.escape(_clean(text))


def _q(value: str) -> str:
    """A constant of ours as a quoted DOT string (never user text: that goes in labels)."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _box(value: str) -> tuple[float, float, float, float]:
    x1, y1, x2, y2 = (float(v) for v in value.split(","))
    return x1, y1, x2, y2
