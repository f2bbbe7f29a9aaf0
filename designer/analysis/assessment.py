"""The six-step assessment: contention, clusters, readiness and the recommendation.

The wizard's answers are plain data; every figure comes from the flow through the same
analysis as everywhere else, and the recommendation says which inputs decided it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .measure import Basis, clusters, contention, dependency_audit, measure
from .model import Flow, format_duration

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


ANSWER_LABELS: dict[str, str] = {
    "no": "No",
    "partly": "Partly",
    "yes": "Yes",
    "none": "None",
    "basic": "Basic",
    "full": "Full",
    "undecided": "Undecided",
    "fail_fast": "Fail fast",
    "continue_with_compensation": "Continue with compensation",
    "retry_and_proceed": "Retry and proceed",
}


def answer_label(key: str, value: Any) -> str:
    """An answer as a person reads it: "Retry and proceed", "4 of 5", "not answered"."""
    if value is None:
        return "not answered"
    if key in ("team_maturity", "tooling"):
        return f"{value} of 5"
    return ANSWER_LABELS.get(str(value), str(value))


def readiness(answers: Mapping[str, Any]) -> dict[str, Any]:
    """A score out of 5 from the questionnaire, with the guide's advice when it is low.

    Unanswered questions count 0 and are listed, so a partial questionnaire still shows
    where it stands; with no answer at all there is no score yet (null), rather than a
    0/5 that reads like a verdict.
    """
    score = 0.0
    missing = []
    for question in READINESS_QUESTIONS:
        answer = answers.get(question["key"])
        if answer is None:
            missing.append(question["key"])
            continue
        score += question["choices"][str(answer)]
    answered = len(READINESS_QUESTIONS) - len(missing)
    if not answered:
        return {
            "score": None,
            "out_of": 5,
            "low": False,
            "advice": "Answer the questions to get a readiness score.",
            "missing": missing,
            "answered": 0,
            "text": "not answered yet",
        }
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
        "answered": answered,
        "text": f"{_n(score)}/5",
    }


def sheet_lean(sheet: Mapping[str, int]) -> float:
    """The decision sheet's average lean, from -1 (sequential) to +1 (parallel)."""
    values = [sheet[k] for k in DIMENSION_KEYS if sheet.get(k) is not None]
    if not values:
        return 0.0
    return round(sum(values) / (2 * len(values)), 3)


def figures(flow: Flow, basis: Basis | None = None) -> dict[str, Any]:
    """Each blueprint's cycle time, P50/P80, gain, overhead, Gantt and critical chain, all on
    the resource-constrained schedule (see `measure.measure`)."""
    return measure(flow, basis=basis)


SIMPLER_FIRST = ("sequential", "hybrid", "parallel")  # a tie goes to the simpler blueprint


def eligible_blueprints(measured: Mapping[str, Any]) -> list[str]:
    """The blueprints the wizard may recommend: none slower than sequential, by the
    deterministic figure or by the simulated P50 (where both have one)."""
    b = measured["blueprints"]
    seq = b["sequential"]
    found = ["sequential"]
    for name in ("hybrid", "parallel"):
        figures_ = b[name]
        if figures_["cycle_time"] > seq["cycle_time"] + _tolerance(seq["cycle_time"]):
            continue
        p50, seq_p50 = figures_.get("p50"), seq.get("p50")
        if p50 is not None and seq_p50 is not None and p50 > seq_p50 + _tolerance(seq_p50):
            continue
        found.append(name)
    return found


def recommend(
    measured: Mapping[str, Any], ready: Mapping[str, Any], sheet: Mapping[str, int]
) -> dict[str, Any]:
    """Sequential, hybrid or parallel, by rules taken in order; the first that applies
    decides, and its inputs are named.

    Only blueprints no slower than sequential (deterministic and P50) can be chosen. When a
    rule picks one slower than the fastest of those — readiness or the decision sheet
    arguing for control — the outcome says what that costs in time.
    """
    b = measured["blueprints"]
    seq, par, hyb = b["sequential"], b["parallel"], b["hybrid"]
    eligible = eligible_blueprints(measured)
    fastest = min(eligible, key=lambda n: (b[n]["cycle_time"], SIMPLER_FIRST.index(n)))
    par_ok, hyb_ok = "parallel" in eligible, "hybrid" in eligible
    if hyb["cycle_time"] > seq["cycle_time"]:
        hybrid_slower = (
            f"would take {format_duration(hyb['cycle_time'], measured['time_unit'])}, "
            "slower than sequential"
        )
    else:
        hybrid_slower = (
            f"would finish half its simulated runs after "
            f"{format_duration(hyb.get('p50') or 0.0, measured['time_unit'])}, later than "
            "sequential"
        )

    def _t(value: float) -> str:
        return format_duration(value, measured["time_unit"])

    lean = sheet_lean(sheet)
    score = ready.get("score")
    low = score is None or bool(ready.get("low"))
    score_text = str(
        ready.get("text") or ("not answered yet" if score is None else f"{_n(score)}/5")
    )
    reasons = [_blueprint_reason(name, b[name], seq, _t) for name in ("parallel", "hybrid")]
    if all(b[n].get("p50") is not None for n in SIMPLER_FIRST):
        reasons.append(
            "half the simulated runs finish within "
            + ", ".join(f"{_t(b[n]['p50'])} ({n})" for n in SIMPLER_FIRST)
        )
    if par.get("unconstrained") is not None and par["unconstrained"] != par["cycle_time"]:
        reasons.append(
            f"pools hold parallel to {_t(par['cycle_time'])}; with unlimited resources it "
            f"would take {_t(par['unconstrained'])}"
        )
    reasons += [
        f"readiness is {score_text}",
        f"the decision sheet leans {_lean_words(lean)} ({lean:+.2f})",
    ]

    def outcome(blueprint: str, label: str, rule: str, deciding: list[str]) -> dict[str, Any]:
        cost = b[blueprint]["cycle_time"] - b[fastest]["cycle_time"]
        cost = round(cost, 9) if cost > _tolerance(b[fastest]["cycle_time"]) else 0.0
        trade_off = f"{blueprint} costs {_t(cost)} more than {fastest}" if cost else None
        summary = f"{trade_off}, chosen because {rule}." if trade_off else f"Chosen because {rule}."
        return {
            "blueprint": blueprint,
            "label": label,
            "rule": rule,
            "trade_off": trade_off,
            "summary": summary[0].upper() + summary[1:],
            "deciding": deciding,
            "reasons": reasons,
            "sheet_lean": lean,
            "eligible": eligible,
            "fastest": fastest,
            "cost_in_time": cost,
        }

    best = b[fastest]
    if best["gain_share"] < MEANINGFUL_GAIN:
        rule = (
            "neither parallel nor hybrid is faster than sequential"
            if fastest == "sequential"
            else f"the fastest blueprint, {fastest}, would save under "
            f"{_pct(MEANINGFUL_GAIN)} of the sequential time"
        )
        return outcome("sequential", "Sequential", rule, ["measured gain"])
    if lean <= -SHEET_LEAN:
        rule = "the decision sheet puts control and traceability first"
        if hyb_ok and hyb["gain"] > 0:
            rule += (
                f"; parallel work could stay inside phases, where hybrid saves {_t(hyb['gain'])}"
            )
        return outcome("sequential", "Primarily sequential", rule, ["decision sheet"])
    if low:
        if hyb_ok and hyb["gain_share"] >= MEANINGFUL_GAIN:
            return outcome(
                "hybrid",
                "Hybrid",
                f"readiness is {score_text}: keep sequential phases and let only "
                "independent clusters run in parallel",
                ["readiness", "measured gain"],
            )
        why = "is slower than sequential" if not hyb_ok else "saves too little"
        return outcome(
            "sequential",
            "Sequential",
            f"readiness is {score_text} and hybrid {why} to start with",
            ["readiness", "measured gain"],
        )
    assert score is not None
    if par_ok and lean >= SHEET_LEAN and score >= 3 and par["gain_share"] >= 3 * MEANINGFUL_GAIN:
        return outcome(
            "parallel",
            "Parallel-oriented",
            f"speed matters on the decision sheet, the team is ready ({_n(score)}/5) and "
            f"parallel saves {_pct(par['gain_share'])}",
            ["decision sheet", "readiness", "measured gain"],
        )
    hyb_worth = hyb_ok and hyb["gain_share"] >= MEANINGFUL_GAIN
    if hyb_worth and (not par_ok or par["gain"] <= hyb["gain"]):
        return outcome(
            "hybrid",
            "Hybrid",
            f"hybrid saves {_t(hyb['gain'])} ({_pct(hyb['gain_share'])}) with phases that "
            "stay easy to follow",
            ["measured gain"],
        )
    kept = hyb["gain"] / par["gain"] if hyb_ok and par["gain"] > 0 else 0.0
    if hyb_worth and kept >= 0.6:
        return outcome(
            "hybrid",
            "Hybrid",
            f"hybrid keeps {_pct(kept)} of parallel's gain with phases that stay easy to follow",
            ["measured gain"],
        )
    if par_ok and score >= 3.5:
        why = (
            f"hybrid keeps only {_pct(kept)} of parallel's gain"
            if hyb_ok
            else f"hybrid {hybrid_slower}"
        )
        return outcome(
            "parallel",
            "Parallel-oriented",
            f"{why} and the team is ready ({_n(score)}/5)",
            ["measured gain", "readiness"],
        )
    if hyb_worth:
        return outcome(
            "hybrid",
            "Hybrid",
            f"parallel gains more, but readiness of {_n(score)}/5 argues for phases first",
            ["readiness", "measured gain"],
        )
    # Hybrid is slower than sequential or saves too little: phases are no way in, so the
    # blueprint that does save time is the one to use, with care.
    hybrid_fails = hybrid_slower if not hyb_ok else "saves too little"
    return outcome(
        "parallel",
        "Parallel-oriented",
        f"hybrid {hybrid_fails}, so parallel is the way to save time; readiness of "
        f"{_n(score)}/5 asks for care with its branches",
        ["measured gain", "readiness"],
    )


def _blueprint_reason(
    name: str, f: Mapping[str, Any], seq: Mapping[str, Any], t: Callable[[float], str]
) -> str:
    """What a blueprint's figures say, worded for their sign: never "saves −3 d"."""
    gain = f["gain"]
    if gain > 0:
        return (
            f"{name} takes {t(f['cycle_time'])}, saving {t(gain)} ({_pct(f['gain_share'])}) "
            f"over sequential's {t(seq['cycle_time'])}, with {t(f['overhead'])} of "
            "coordination overhead"
        )
    if gain < 0:
        return (
            f"{name} takes {t(f['cycle_time'])}, {t(-gain)} more than sequential's "
            f"{t(seq['cycle_time'])}, with {t(f['overhead'])} of coordination overhead"
        )
    return f"{name} takes {t(f['cycle_time'])}, no faster than sequential"


def assessment_outcome(flow: Flow, answers: Mapping[str, Any]) -> dict[str, Any]:
    """What the wizard shows after its steps: every computed part, from the flow and answers."""
    return outcome_from(flow_figures(flow), answers)


def flow_figures(flow: Flow) -> dict[str, Any]:
    """The parts computed from the flow alone (the costly ones: schedules, Monte Carlo and
    the audit), kept apart so a caller may reuse them while only the answers change.

    All of them read one indexing of the flow and one set of plans and schedules (`Basis`).
    """
    hard = sum(1 for d in flow.dependencies if d.strength == "hard")
    soft = sum(1 for d in flow.dependencies if d.strength == "soft")
    basis = Basis(flow)
    measured = figures(flow, basis)
    clashes = contention(flow, basis=basis)
    return {
        "has_tasks": bool(flow.tasks),
        "strengths": {"hard": hard, "soft": soft, "none": len(flow.dependencies) - hard - soft},
        "contention": clashes,
        "clusters": clusters(flow, basis=basis, clashes=clashes),
        "figures": measured,
        "audit": dependency_audit(flow, measured, basis=basis),
    }


def outcome_from(computed: Mapping[str, Any], answers: Mapping[str, Any]) -> dict[str, Any]:
    """The outcome from the flow's figures and the answers (readiness, decision sheet)."""
    ready = readiness(answers.get("readiness", {}))
    sheet = answers.get("sheet", {})
    measured = computed["figures"]
    return {
        "strengths": computed["strengths"],
        "contention": computed["contention"],
        "clusters": computed["clusters"],
        "readiness": ready,
        "figures": measured,
        "audit": computed["audit"],
        "cost_enabled": measured["cost_enabled"],
        "recommendation": recommend(measured, ready, sheet) if computed["has_tasks"] else None,
    }


def _tolerance(scale: float) -> float:
    return 1e-9 * max(1.0, abs(scale))


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
