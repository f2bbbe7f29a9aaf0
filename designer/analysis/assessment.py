"""The six-step assessment: contention, clusters, readiness and the recommendation.

The wizard's answers are plain data; every figure comes from the flow through the same
analysis as everywhere else, and the recommendation says which inputs decided it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from .graph import FlowGraph, derived_phases
from .model import Flow, format_duration
from .schedule import analyse

STEPS: tuple[tuple[int, str], ...] = (
    (1, "Map the task inventory and dependencies"),
    (2, "Classify dependency strength"),
    (3, "Estimate durations and resource profiles"),
    (4, "Identify independent task clusters"),
    (5, "Evaluate coordination readiness"),
    (6, "Prototype and measure"),
)

# The guide's comparison table as a scoring sheet: each row leans from -2 (strongly toward
# sequential) to +2 (strongly toward parallel); `step` is where the wizard asks it.
DIMENSIONS: tuple[dict[str, Any], ...] = (
    {
        "key": "primary_objective",
        "name": "Primary objective",
        "step": 1,
        "sequential": "Correctness, control and an audit trail come first.",
        "parallel": "Throughput, speed and busy resources come first.",
    },
    {
        "key": "change_management",
        "name": "Change management",
        "step": 1,
        "sequential": "Changes ripple predictably along one chain.",
        "parallel": "Changes stay inside branches; sync points are guarded.",
    },
    {
        "key": "dependency_structure",
        "name": "Dependency structure",
        "step": 2,
        "sequential": "Strong, linear dependencies between nearly all tasks.",
        "parallel": "Many independent tasks, few well-defined dependencies.",
    },
    {
        "key": "resource_requirements",
        "name": "Resource requirements",
        "step": 3,
        "sequential": "Few people or systems can work at the same time.",
        "parallel": "Pools are deep enough for concurrent work.",
    },
    {
        "key": "process_duration",
        "name": "Process duration",
        "step": 4,
        "sequential": "The sum of the tasks is an acceptable lead time.",
        "parallel": "Lead time matters; the critical path is what counts.",
    },
    {
        "key": "complexity_overhead",
        "name": "Complexity and overhead",
        "step": 5,
        "sequential": "Coordination cost must stay low, latency is tolerable.",
        "parallel": "Coordination cost is worth paying for lower latency.",
    },
    {
        "key": "error_handling",
        "name": "Error handling and resilience",
        "step": 5,
        "sequential": "Failures must stay contained with a simple rollback.",
        "parallel": "Branch failures can be isolated, retried or compensated.",
    },
    {
        "key": "monitoring",
        "name": "Monitoring and debugging",
        "step": 5,
        "sequential": "Linear progress tracking is all that is available.",
        "parallel": "Graph views and tracing of concurrent work exist.",
    },
)
DIMENSION_KEYS = tuple(d["key"] for d in DIMENSIONS)

READINESS_QUESTIONS: tuple[dict[str, Any], ...] = (
    {
        "key": "state_management",
        "text": "Can the team keep track of state across branches running at once?",
        "choices": {"no": 0.0, "partly": 0.5, "yes": 1.0},
    },
    {
        "key": "monitoring",
        "text": "Is there monitoring that shows a workflow as a graph, not one progress bar?",
        "choices": {"none": 0.0, "basic": 0.5, "full": 1.0},
    },
    {
        "key": "failure_policy",
        "text": "Which failure policy will branches follow?",
        "choices": {
            "undecided": 0.0,
            "fail_fast": 1.0,
            "continue_with_compensation": 1.0,
            "retry_and_proceed": 1.0,
        },
    },
    {
        "key": "team_maturity",
        "text": "How experienced is the team with concurrent work? (1 new to it … 5 routine)",
        "choices": {str(n): (n - 1) / 4 for n in range(1, 6)},
    },
    {
        "key": "tooling",
        "text": "How well does the tooling orchestrate parallel work? (1 not at all … 5 fully)",
        "choices": {str(n): (n - 1) / 4 for n in range(1, 6)},
    },
)
READINESS_LOW = 2.5  # out of 5: below it, start mostly sequential
MEANINGFUL_GAIN = 0.05  # a blueprint saving less than 5 % of the sequential time is not worth it
SHEET_LEAN = 0.25  # a sheet average beyond ±0.25 (of ±2 per row, normalised to ±1) leans


def readiness(answers: Mapping[str, Any]) -> dict[str, Any]:
    """A score out of 5 from the questionnaire, with the guide's advice when it is low.

    Unanswered questions count 0 and are listed, so a partial questionnaire still shows
    where it stands.
    """
    score = 0.0
    missing = []
    for question in READINESS_QUESTIONS:
        answer = answers.get(question["key"])
        if answer is None:
            missing.append(question["key"])
            continue
        score += question["choices"][str(answer)]
    score = round(score, 2)
    advice = (
        "Start mostly sequential and bring parallelism in later, branch by branch, as state "
        "handling and monitoring mature."
        if score < READINESS_LOW
        else "The team can coordinate concurrent branches; the measured gains can decide."
    )
    return {
        "score": score,
        "out_of": 5,
        "low": score < READINESS_LOW,
        "advice": advice,
        "missing": missing,
    }


def sheet_lean(sheet: Mapping[str, int]) -> float:
    """The decision sheet's average lean, from -1 (sequential) to +1 (parallel)."""
    values = [sheet[k] for k in DIMENSION_KEYS if sheet.get(k) is not None]
    if not values:
        return 0.0
    return round(sum(values) / (2 * len(values)), 3)


def contention(flow: Flow) -> list[dict[str, Any]]:
    """Pools that tasks able to run at the same time (one level of the hard graph) would
    need beyond their capacity: the places where parallelism cannot pay in full."""
    g = FlowGraph(flow)
    capacity = {p.name: p.capacity for p in flow.resources}
    found = []
    for level in derived_phases(g):
        demand: dict[str, list[str]] = {}
        for i in level:
            for pool, units in flow.tasks[i].resources.items():
                demand.setdefault(pool, []).extend([g.keys[i]] * units)
        for pool, keys in demand.items():
            if len(keys) > capacity[pool]:
                tasks = sorted(set(keys), key=keys.index)
                found.append(
                    {"pool": pool, "capacity": capacity[pool], "demand": len(keys), "tasks": tasks}
                )
    return found


def clusters(flow: Flow) -> list[dict[str, Any]]:
    """Independent clusters with what running each in parallel saves and whether its
    resource needs fit the pools (balanced) or collide."""
    result = analyse(flow)
    clashes = contention(flow)
    by_key = {t.key: t for t in flow.tasks}
    report = []
    for keys, saving in zip(result["clusters"], result["cluster_savings"], strict=True):
        members = set(keys)
        collisions = [c for c in clashes if members & set(c["tasks"])]
        durations = [by_key[k].duration.likely for k in keys]
        report.append(
            {
                "tasks": keys,
                "saving": saving,
                "longest": max(durations),
                "balanced": not collisions,
                "contention": collisions,
            }
        )
    return report


def figures(flow: Flow) -> dict[str, Any]:
    """Cycle times, gains over sequential and coordination overhead of each blueprint.

    Overhead is what handoffs and syncs add to a blueprint: its cycle time minus the same
    blueprint's with no handoff delay and no sync overhead.
    """
    actual = analyse(flow)
    bare = analyse(replace(flow, handoff_delay=0.0, sync_overhead=0.0))
    sequential = actual["cycle_time"]["sequential"]
    out: dict[str, Any] = {
        "critical_path": actual["critical_path"],
        "time_unit": flow.time_unit,
        "blueprints": {},
    }
    for name in ("sequential", "hybrid", "parallel"):
        cycle = actual["cycle_time"][name]
        gain = sequential - cycle
        out["blueprints"][name] = {
            "cycle_time": cycle,
            "gain": round(gain, 9),
            "gain_share": round(gain / sequential, 4) if sequential > 0 else 0.0,
            "overhead": round(cycle - bare["cycle_time"][name], 9),
            "schedule": actual["schedules"][name],
        }
    return out


def recommend(
    measured: Mapping[str, Any], ready: Mapping[str, Any], sheet: Mapping[str, int]
) -> dict[str, Any]:
    """Sequential, hybrid or parallel, by rules taken in order; the first that applies
    decides, and its inputs are named."""
    b = measured["blueprints"]
    par, hyb = b["parallel"], b["hybrid"]

    def _t(value: float) -> str:
        return format_duration(value, measured["time_unit"])

    lean = sheet_lean(sheet)
    score = ready["score"]
    reasons = [
        f"parallel saves {_t(par['gain'])} ({_pct(par['gain_share'])}) over sequential, "
        f"with {_t(par['overhead'])} of coordination overhead",
        f"hybrid saves {_t(hyb['gain'])} ({_pct(hyb['gain_share'])}), "
        f"with {_t(hyb['overhead'])} of overhead",
        f"readiness is {_n(score)}/5",
        f"the decision sheet leans {_lean_words(lean)} ({lean:+.2f})",
    ]

    def outcome(blueprint: str, label: str, rule: str, deciding: list[str]) -> dict[str, Any]:
        return {
            "blueprint": blueprint,
            "label": label,
            "rule": rule,
            "deciding": deciding,
            "reasons": reasons,
            "sheet_lean": lean,
        }

    if par["gain_share"] < MEANINGFUL_GAIN:
        return outcome(
            "sequential",
            "Sequential",
            f"parallel would save under {_pct(MEANINGFUL_GAIN)} of the sequential time",
            ["measured gain"],
        )
    if lean <= -SHEET_LEAN:
        return outcome(
            "sequential",
            "Primarily sequential",
            "the decision sheet puts control and traceability first; keep parallel work "
            f"inside phases only, where hybrid still saves {_t(hyb['gain'])}",
            ["decision sheet"],
        )
    if ready["low"]:
        if hyb["gain_share"] >= MEANINGFUL_GAIN:
            return outcome(
                "hybrid",
                "Hybrid",
                f"readiness is {_n(score)}/5: keep sequential phases and let only "
                "independent clusters run in parallel",
                ["readiness", "measured gain"],
            )
        return outcome(
            "sequential",
            "Sequential",
            f"readiness is {_n(score)}/5 and hybrid saves too little to start with",
            ["readiness", "measured gain"],
        )
    if lean >= SHEET_LEAN and score >= 3 and par["gain_share"] >= 3 * MEANINGFUL_GAIN:
        return outcome(
            "parallel",
            "Parallel-oriented",
            f"speed matters on the decision sheet, the team is ready ({_n(score)}/5) and "
            f"parallel saves {_pct(par['gain_share'])}",
            ["decision sheet", "readiness", "measured gain"],
        )
    if hyb["gain"] >= 0.6 * par["gain"]:
        return outcome(
            "hybrid",
            "Hybrid",
            f"hybrid keeps {_pct(hyb['gain'] / par['gain'])} of parallel's gain with "
            "phases that stay easy to follow",
            ["measured gain"],
        )
    if score >= 3.5:
        return outcome(
            "parallel",
            "Parallel-oriented",
            f"hybrid keeps only {_pct(hyb['gain'] / par['gain'])} of parallel's gain and the "
            f"team is ready ({_n(score)}/5)",
            ["measured gain", "readiness"],
        )
    return outcome(
        "hybrid",
        "Hybrid",
        f"parallel gains more, but readiness of {_n(score)}/5 argues for phases first",
        ["readiness", "measured gain"],
    )


def assessment_outcome(flow: Flow, answers: Mapping[str, Any]) -> dict[str, Any]:
    """What the wizard shows after its steps: every computed part, from the flow and answers."""
    hard = sum(1 for d in flow.dependencies if d.strength == "hard")
    soft = sum(1 for d in flow.dependencies if d.strength == "soft")
    measured = figures(flow)
    ready = readiness(answers.get("readiness", {}))
    sheet = answers.get("sheet", {})
    return {
        "strengths": {"hard": hard, "soft": soft, "none": len(flow.dependencies) - hard - soft},
        "contention": contention(flow),
        "clusters": clusters(flow),
        "readiness": ready,
        "figures": measured,
        "recommendation": recommend(measured, ready, sheet) if flow.tasks else None,
    }


def _n(value: float) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _pct(share: float) -> str:
    return f"{share * 100:.0f}%"


def _lean_words(lean: float) -> str:
    if lean <= -SHEET_LEAN:
        return "toward sequential"
    if lean >= SHEET_LEAN:
        return "toward parallel"
    return "neither way"


def assessment_markdown(flow: Flow, answers: Mapping[str, Any], outcome: Mapping[str, Any]) -> str:
    """The assessment as a Markdown report: each step's outcome, the figures, the decision."""
    unit = flow.time_unit

    def t(value: float) -> str:
        return format_duration(value, unit)

    lines = [f"# Assessment: {_md(flow.name)}", ""]
    if flow.description:
        lines += [_md(flow.description), ""]
    rec = outcome.get("recommendation")
    if rec:
        lines += [f"**Recommendation: {rec['label']}** — {rec['rule']}.", ""]
        lines += [f"- {reason}" for reason in rec["reasons"]] + [""]
    lines += ["## 1. Task inventory and dependencies", ""]
    lines += [f"{len(flow.tasks)} tasks, {len(flow.dependencies)} dependencies.", ""]
    lines += ["| Task | Name | Needs |", "| --- | --- | --- |"]
    needs: dict[str, list[str]] = {}
    for dependency in flow.dependencies:
        needs.setdefault(dependency.target, []).append(
            f"{dependency.source} ({dependency.strength})"
        )
    for task in flow.tasks:
        lines.append(
            f"| {_md(task.key)} | {_md(task.name)} | {', '.join(needs.get(task.key, [])) or '—'} |"
        )
    s = outcome["strengths"]
    lines += [
        "",
        "## 2. Dependency strength",
        "",
        f"Hard {s['hard']} · soft {s['soft']} · none {s['none']}.",
        "",
    ]
    lines += [
        "## 3. Durations and resources",
        "",
        "| Task | Optimistic | Likely | Pessimistic | Pools |",
    ]
    lines += ["| --- | --- | --- | --- | --- |"]
    for task in flow.tasks:
        pools = ", ".join(f"{_md(p)} × {u}" for p, u in task.resources.items()) or "—"
        e = task.duration
        lines.append(
            f"| {_md(task.key)} | {t(e.optimistic)} | {t(e.likely)} | {t(e.pessimistic)} "
            f"| {pools} |"
        )
    if outcome["contention"]:
        lines += [""] + [
            f"- Contention: {', '.join(c['tasks'])} need {c['demand']} of {_md(c['pool'])} "
            f"(capacity {c['capacity']})"
            for c in outcome["contention"]
        ]
    lines += ["", "## 4. Independent clusters", ""]
    if outcome["clusters"]:
        lines += [
            f"- {', '.join(c['tasks'])}: saves {t(c['saving'])} in parallel; "
            f"{'resources balanced' if c['balanced'] else 'competes for a pool'}"
            for c in outcome["clusters"]
        ]
    else:
        lines.append("No two tasks can run side by side.")
    ready = outcome["readiness"]
    lines += [
        "",
        "## 5. Coordination readiness",
        "",
        f"Score {ready['score']:g}/5. {ready['advice']}",
        "",
    ]
    given = answers.get("readiness", {})
    for question in READINESS_QUESTIONS:
        lines.append(f"- {question['text']} **{given.get(question['key'], 'not answered')}**")
    lines += ["", "## 6. Prototype and measure", "", "| Blueprint | Cycle time | Gain | Overhead |"]
    lines += ["| --- | --- | --- | --- |"]
    for name, figures_ in outcome["figures"]["blueprints"].items():
        lines.append(
            f"| {name} | {t(figures_['cycle_time'])} | {t(figures_['gain'])} "
            f"({figures_['gain_share'] * 100:.0f}%) | {t(figures_['overhead'])} |"
        )
    lines += ["", f"Critical path: {' → '.join(outcome['figures']['critical_path']) or '—'}.", ""]
    lines += ["## Decision sheet", "", "| Dimension | Lean |", "| --- | --- |"]
    sheet = answers.get("sheet", {})
    for dimension in DIMENSIONS:
        value = sheet.get(dimension["key"])
        lines.append(f"| {dimension['name']} | {_sheet_words(value)} |")
    return "\n".join(lines) + "\n"


def _sheet_words(value: int | None) -> str:
    return {
        None: "not scored",
        -2: "strongly sequential",
        -1: "sequential",
        0: "neutral",
        1: "parallel",
        2: "strongly parallel",
    }[value]


def _md(text: str) -> str:
    """User text inside a Markdown table or line: pipes and markup characters escaped."""
    return "".join("\\" + c if c in "\\`*_[]<>|#" else c for c in text.replace("\n", " "))
