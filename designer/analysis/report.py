"""The assessment report as plain blocks, rendered to Markdown here and to HTML by a template.

Both reports are drawn from this one structure, so they say the same things in the same
words: a sentence changed here changes in both. Blocks are paragraphs, lists, tables and
(HTML only: Markdown has no picture for them) small Gantt charts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .assessment import DIMENSIONS, READINESS_QUESTIONS, STEPS, answer_label
from .model import Flow, format_duration

Block = dict[str, Any]
SHEET_WORDS = {
    None: "not scored",
    -2: "strongly sequential",
    -1: "sequential",
    0: "neutral",
    1: "parallel",
    2: "strongly parallel",
}
STATE_NOTES = {
    "attention": "needs attention: an earlier change altered what this step shows",
    "todo": "not confirmed yet",
    "current": "not confirmed yet",
    "skipped": "skipped, not confirmed",
}
VIA_WORDS = {"resource": "waits for a pool", "phase": "waits for its phase"}


def _p(text: str) -> Block:
    return {"kind": "p", "text": text}


def _list(items: Sequence[str]) -> Block:
    return {"kind": "list", "items": list(items)}


def _table(
    head: Sequence[str], rows: Sequence[Sequence[str]], numeric: Sequence[int] = ()
) -> Block:
    return {
        "kind": "table",
        "head": list(head),
        "rows": [list(r) for r in rows],
        "numeric": list(numeric),
    }


def chain_text(chain: Sequence[Mapping[str, str]]) -> str:
    """A critical chain with its resource waits said in words: `T1 → T3 (waits for a pool)`."""
    parts = []
    for entry in chain:
        note = VIA_WORDS.get(entry["via"])
        parts.append(f"{entry['key']} ({note})" if note else entry["key"])
    return " → ".join(parts) or "—"


def report_blocks(
    flow: Flow,
    answers: Mapping[str, Any],
    outcome: Mapping[str, Any],
    steps: Sequence[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """Everything the report says, in order: the recommendation, then one section a step."""
    unit = flow.time_unit

    def t(value: float | None) -> str:
        return "—" if value is None else format_duration(value, unit)

    state_of = {s["number"]: s["state"] for s in steps}
    rec = outcome.get("recommendation")
    head: list[Block] = []
    if rec:
        head += [
            _p(f"Recommendation: {rec['label']}."),
            _p(rec["summary"]),
            _p(f"Decided by: {', '.join(rec['deciding'])}."),
            _list(rec["reasons"]),
        ]
    stale = [f"{n}. {name}" for n, name in STEPS if state_of.get(n) == "attention"]
    if stale:
        head.append(
            _p(
                "Needs attention, because an earlier change altered its input: "
                + "; ".join(stale)
                + "."
            )
        )

    sections: list[dict[str, Any]] = []

    def section(number: int, blocks: list[Block]) -> None:
        state = state_of.get(number)
        sections.append(
            {
                "number": number,
                "title": f"{number}. {dict(STEPS)[number]}",
                "state": state,
                "note": STATE_NOTES.get(state or ""),
                "blocks": blocks,
            }
        )

    needs: dict[str, list[str]] = {}
    for d in flow.dependencies:
        needs.setdefault(d.target, []).append(f"{d.source} ({d.strength})")
    inventory = [
        _p(f"{len(flow.tasks)} tasks, {len(flow.dependencies)} dependencies."),
        _table(
            ["Task", "Name", "Needs"],
            [
                [task.key, task.name, ", ".join(needs.get(task.key, [])) or "—"]
                for task in flow.tasks
            ],
        ),
    ]
    if flow.dependencies:
        inventory += [
            _p("Each dependency and the artifact it passes on:"),
            _table(
                ["Dependency", "Strength", "Artifact or note"],
                [
                    [f"{d.source} → {d.target}", d.strength, d.note or "—"]
                    for d in flow.dependencies
                ],
            ),
        ]
    section(1, inventory)

    s = outcome["strengths"]
    strength = [_p(f"Hard {s['hard']} · soft {s['soft']} · none {s['none']}.")]
    audit = outcome.get("audit") or {"entries": []}
    if audit["entries"]:
        strength += [
            _p(
                "Dependency audit: a hard dependency made soft, or a soft one removed, and "
                "what the parallel and hybrid cycle times would become, largest saving first."
            ),
            _table(
                ["Dependency", "Relaxed to", "Parallel", "Hybrid", "Saving"],
                [
                    [
                        f"{e['from']} → {e['to']}",
                        e["relaxed_to"],
                        t(e["parallel"]),
                        t(e["hybrid"]),
                        t(e["saving"]),
                    ]
                    for e in audit["entries"]
                ],
                numeric=(2, 3, 4),
            ),
            _list([e["text"] for e in audit["entries"] if e["saving"] > 0][:5]),
        ]
        if audit.get("truncated"):
            strength.append(_p(f"Only the first {audit['limit']} dependencies were audited."))
    section(2, strength)

    settings = (
        f"Time unit: {unit}. Handoff delay {t(flow.handoff_delay)}; sync overhead "
        f"{t(flow.sync_overhead)}."
    )
    if flow.value_per_time_unit is not None:
        settings += f" Each {unit.rstrip('s')} saved is worth {_money(flow.value_per_time_unit)}."
    durations: list[Block] = [
        _p(settings),
        _table(
            ["Task", "Optimistic", "Likely", "Pessimistic", "Pools"],
            [
                [
                    f"{task.key} {task.name}",
                    t(task.duration.optimistic),
                    t(task.duration.likely),
                    t(task.duration.pessimistic),
                    ", ".join(f"{p} × {u}" for p, u in task.resources.items()) or "—",
                ]
                for task in flow.tasks
            ],
            numeric=(1, 2, 3),
        ),
    ]
    if flow.resources:
        durations.append(
            _table(
                ["Pool", "Capacity", "Cost per unit"],
                [
                    [
                        p.name,
                        str(p.capacity),
                        "—" if p.cost_per_unit is None else _money(p.cost_per_unit),
                    ]
                    for p in flow.resources
                ],
                numeric=(1, 2),
            )
        )
    if outcome["contention"]:
        durations.append(
            _list(
                [
                    f"Contention: {', '.join(c['tasks'])} need {c['demand']} of {c['pool']} "
                    f"(capacity {c['capacity']}) from {t(c['start'])} to {t(c['end'])}"
                    for c in outcome["contention"]
                ]
            )
        )
    else:
        durations.append(_p("No pool is asked for more than it holds."))
    section(3, durations)

    if outcome["clusters"]:
        cluster_lines = []
        for c in outcome["clusters"]:
            if c["balanced"]:
                fit = "resource needs balanced"
            else:
                fit = (
                    f"competes for a pool: it would save {t(c['saving_unconstrained'])} "
                    "with unlimited resources"
                )
            cluster_lines.append(
                f"{' ∥ '.join(c['tasks'])}: saves {t(c['saving'])} in parallel; {fit}"
            )
        section(4, [_list(cluster_lines)])
    else:
        section(4, [_p("No two tasks can run side by side.")])

    ready = outcome["readiness"]
    given = answers.get("readiness", {})
    score = "Not answered yet." if ready["score"] is None else f"Score {ready['text']}."
    section(
        5,
        [
            _p(f"{score} {ready['advice']}"),
            _list(
                [
                    f"{q['text']} {answer_label(q['key'], given.get(q['key']))}"
                    for q in READINESS_QUESTIONS
                ]
            ),
        ],
    )

    measured = outcome["figures"]
    b = measured["blueprints"]
    cost_on = bool(measured.get("cost_enabled"))
    head_row = ["Blueprint", "Cycle time", "P50", "P80", "Gain", "Overhead"]
    if cost_on:
        head_row += ["Resource cost", "Value of time saved", "Net"]
    rows = []
    for name in ("sequential", "hybrid", "parallel"):
        f = b[name]
        row = [
            name.capitalize(),
            t(f["cycle_time"]),
            t(f["p50"]),
            t(f["p80"]),
            f"{t(f['gain'])} ({f['gain_share'] * 100:.0f}%)",
            t(f["overhead"]),
        ]
        if cost_on:
            cost = f["cost"] or {}
            row += [
                _money(cost.get("resource_cost")),
                _money(cost.get("value")),
                _money(cost.get("net")),
            ]
        rows.append(row)
    sim = measured["simulation"]
    measure_blocks: list[Block] = [
        _p(
            "Cycle times on the schedule the pools allow (likely durations); P50 and P80 from "
            f"{sim['iterations']} simulated runs (seed {sim['seed']})."
        ),
        _table(head_row, rows, numeric=tuple(range(1, len(head_row)))),
    ]
    for name in ("hybrid", "parallel"):
        optimised = b[name].get("optimised")
        if optimised:
            measure_blocks.append(_p(optimised_sentence(name, b[name]["cycle_time"], optimised, t)))
    if cost_on:
        measure_blocks.append(
            _p(
                "Resource cost = busy units × time × each pool's cost per unit; value of time "
                "saved = time saved against sequential × the value of a time unit; net = value "
                "− the resource cost above sequential's."
            )
        )
    longest = max((f["cycle_time"] for f in b.values()), default=0.0)
    for name in ("sequential", "hybrid", "parallel"):
        measure_blocks.append(_gantt(name, b[name], longest, t))
    measure_blocks.append(
        _p(f"Critical chain (parallel): {chain_text(b['parallel']['critical_chain'])}.")
    )
    sheet = answers.get("sheet", {})
    measure_blocks += [
        _p("Decision sheet:"),
        _table(
            ["Dimension", "Lean"],
            [[d["name"], SHEET_WORDS[sheet.get(d["key"])]] for d in DIMENSIONS],
        ),
    ]
    section(6, measure_blocks)
    return {
        "title": f"Assessment: {flow.name}",
        "description": flow.description,
        "head": head,
        "sections": sections,
    }


def optimised_sentence(name: str, cycle_time: float, optimised: Mapping[str, Any], t: Any) -> str:
    """Greedy levelling and the optimal schedule of one blueprint, and which one the figures
    use."""
    if optimised["status"] == "optimal":
        quality = "proven optimal"
    else:
        quality = f"the best found, within {optimised['gap'] * 100:.1f}% of optimal"
    greedy = optimised["greedy_cycle_time"]
    if greedy > cycle_time:
        return (
            f"{name.capitalize()}: greedy levelling gives {t(greedy)}, the optimal schedule "
            f"{t(cycle_time)} ({quality}); the figures above use the optimal schedule."
        )
    return f"{name.capitalize()}: greedy levelling gives {t(greedy)}, {quality}."


def _gantt(name: str, f: Mapping[str, Any], longest: float, t: Any) -> Block:
    """A small Gantt (HTML only): bars in percent of the longest blueprint, critical ones
    marked; the caption says the figures the bars show."""
    critical = set(f["critical_path"])
    scale = 100.0 / longest if longest > 0 else 0.0
    bars = [
        {
            "key": key,
            "x": round(start * scale, 3),
            "width": round(max((finish - start) * scale, 0.4), 3),
            "y": row * 5,
            "critical": key in critical,
        }
        for row, (key, (start, finish)) in enumerate(
            sorted(f["schedule"].items(), key=lambda item: (item[1][0], item[0]))
        )
    ]
    return {
        "kind": "gantt",
        "blueprint": name,
        "caption": f"{name.capitalize()}: {t(f['cycle_time'])}",
        "bars": bars,
        "height": max(len(bars) * 5, 5),
    }


def _money(value: float | None) -> str:
    if value is None:
        return "—"
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def report_markdown(report: Mapping[str, Any]) -> str:
    """The report as Markdown: the same blocks as the HTML page, Gantts left out."""
    lines = [f"# {_md(report['title'])}", ""]
    if report["description"]:
        lines += [_md(report["description"]), ""]
    for block in report["head"]:
        lines += _block_markdown(block)
    for section in report["sections"]:
        title = section["title"] + (f" ({section['note']})" if section["note"] else "")
        lines += [f"## {_md(title)}", ""]
        for block in section["blocks"]:
            lines += _block_markdown(block)
    return "\n".join(lines).rstrip("\n") + "\n"


def _block_markdown(block: Mapping[str, Any]) -> list[str]:
    kind = block["kind"]
    if kind == "p":
        return [_md(block["text"]), ""]
    if kind == "list":
        return [*(f"- {_md(item)}" for item in block["items"]), ""] if block["items"] else []
    if kind == "table":
        head = block["head"]
        lines = [
            "| " + " | ".join(_md(h) for h in head) + " |",
            "| "
            + " | ".join("---:" if i in block["numeric"] else "---" for i in range(len(head)))
            + " |",
        ]
        lines += ["| " + " | ".join(_md(cell) for cell in row) + " |" for row in block["rows"]]
        return [*lines, ""]
    return []


def _md(text: str) -> str:
    """User text inside a Markdown table or line: pipes and markup characters escaped."""
    return "".join("\\" + c if c in "\\`*_[]<>|#" else c for c in text.replace("\n", " "))
