"""Property tests of the recommendation on random flows (with pools, delays, phases).

Two promises: the recommended blueprint is never slower than sequential, by the
deterministic constrained figure or by the simulated P50; and every figure a reason or the
rule quotes is the figure the wizard shows for it.
"""

from __future__ import annotations

import re
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from designer.analysis.assessment import (
    DIMENSION_KEYS,
    READINESS_QUESTIONS,
    assessment_outcome,
)
from designer.analysis.document import FORMAT, flow_from_document
from designer.analysis.model import format_duration

SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
durations = st.sampled_from([0, 0.5, 1, 2, 3, 4.5, 5, 8])


@st.composite
def flows(draw: st.DrawFn) -> dict[str, Any]:
    n = draw(st.integers(1, 7))
    keys = [f"T{i + 1}" for i in range(n)]
    pools = [
        {"name": f"P{k}", "capacity": draw(st.integers(1, 2))}
        for k in range(draw(st.integers(0, 2)))
    ]
    use_phases = draw(st.booleans())
    phase_of = sorted(draw(st.lists(st.integers(0, 2), min_size=n, max_size=n)))
    tasks = []
    for i, key in enumerate(keys):
        o, m, p = sorted(draw(st.lists(durations, min_size=3, max_size=3)))
        needs = {
            pool["name"]: draw(st.integers(1, pool["capacity"]))
            for pool in pools
            if draw(st.booleans())
        }
        tasks.append(
            {
                "key": key,
                "name": key,
                "duration": {"optimistic": o, "likely": m, "pessimistic": p},
                "resources": needs,
                "phase": f"Phase {phase_of[i]}" if use_phases else None,
                "failure_rate": draw(st.sampled_from([0, 0, 0.1])),
            }
        )
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=10)) if pairs else []
    return {
        "format": FORMAT,
        "name": "Random",
        "time_unit": draw(st.sampled_from(["hours", "days"])),
        "handoff_delay": draw(st.sampled_from([0, 0.25, 1])),
        "sync_overhead": draw(st.sampled_from([0, 0.5, 2])),
        "resources": pools,
        "phases": [{"name": f"Phase {k}"} for k in range(3)] if use_phases else [],
        "tasks": tasks,
        "dependencies": [
            {"from": keys[i], "to": keys[j], "strength": draw(st.sampled_from(["hard", "soft"]))}
            for i, j in chosen
        ],
    }


answers = st.fixed_dictionaries(
    {
        "readiness": st.fixed_dictionaries(
            {
                q["key"]: st.one_of(st.none(), st.sampled_from(sorted(q["choices"])))
                for q in READINESS_QUESTIONS
            }
        ),
        "sheet": st.fixed_dictionaries(
            {key: st.one_of(st.none(), st.integers(-2, 2)) for key in DIMENSION_KEYS}
        ),
    }
)


@SETTINGS
@given(flows(), answers)
def test_the_recommendation_is_never_slower_than_sequential(document, given_answers):
    outcome = assessment_outcome(flow_from_document(document), given_answers)
    b = outcome["figures"]["blueprints"]
    rec = outcome["recommendation"]
    chosen, seq = b[rec["blueprint"]], b["sequential"]
    assert chosen["cycle_time"] <= seq["cycle_time"] + 1e-9
    if chosen["p50"] is not None and seq["p50"] is not None:
        assert chosen["p50"] <= seq["p50"] + 1e-9
    assert rec["blueprint"] in rec["eligible"]
    # Its cost in time is exactly its distance from the fastest blueprint allowed.
    fastest = b[rec["fastest"]]["cycle_time"]
    assert abs(rec["cost_in_time"] - (chosen["cycle_time"] - fastest)) <= 1e-9


@SETTINGS
@given(flows(), answers)
def test_every_reason_quotes_the_figures_shown(document, given_answers):
    outcome = assessment_outcome(flow_from_document(document), given_answers)
    unit = outcome["figures"]["time_unit"]
    b = outcome["figures"]["blueprints"]
    rec = outcome["recommendation"]

    def t(value: float) -> str:
        return format_duration(value, unit)

    def pct(share: float) -> str:
        return f"{share * 100:.0f}%"

    for name, reason in zip(("parallel", "hybrid"), rec["reasons"][:2], strict=True):
        f = b[name]
        assert reason.startswith(f"{name} takes {t(f['cycle_time'])}, ")
        if f["gain"] > 0:
            assert f"saving {t(f['gain'])} ({pct(f['gain_share'])}) over sequential's " in reason
        elif f["gain"] < 0:
            assert f", {t(-f['gain'])} more than sequential's " in reason
        else:
            assert reason.endswith("no faster than sequential")
        if f["gain"]:
            assert reason.endswith(
                f"{t(b['sequential']['cycle_time'])}, with {t(f['overhead'])} of "
                "coordination overhead"
            )
    ready = outcome["readiness"]
    expected_ready = "not answered yet" if ready["score"] is None else ready["text"]
    assert f"readiness is {expected_ready}" in rec["reasons"]
    for reason in rec["reasons"]:
        assert not re.search(r"(saves|saving) -", reason)
        if reason.startswith("half the simulated runs"):
            for name in ("sequential", "hybrid", "parallel"):
                assert f"{t(b[name]['p50'])} ({name})" in reason
        if reason.startswith("pools hold parallel to "):
            assert reason == (
                f"pools hold parallel to {t(b['parallel']['cycle_time'])}; with unlimited "
                f"resources it would take {t(b['parallel']['unconstrained'])}"
            )
    rule = rec["rule"]
    if rec["trade_off"]:
        fastest = rec["fastest"]
        assert rec["trade_off"] == (
            f"{rec['blueprint']} costs "
            f"{t(b[rec['blueprint']]['cycle_time'] - b[fastest]['cycle_time'])} more than "
            f"{fastest}"
        )
    for match in re.finditer(r"hybrid saves ([^ ]+ \S+) \((-?\d+%)\)", rule):
        assert match.groups() == (t(b["hybrid"]["gain"]), pct(b["hybrid"]["gain_share"]))
    for match in re.finditer(r"hybrid would take ([^ ]+ \S+?),", rule):
        assert match.group(1) == t(b["hybrid"]["cycle_time"])
        assert b["hybrid"]["cycle_time"] > b["sequential"]["cycle_time"]
    for match in re.finditer(r"half its simulated runs after ([^ ]+ \S+?),", rule):
        assert match.group(1) == t(b["hybrid"]["p50"])
        assert b["hybrid"]["p50"] > b["sequential"]["p50"]
    for match in re.finditer(r"parallel saves (\d+%)", rule):
        assert match.group(1) == pct(b["parallel"]["gain_share"])
    for match in re.finditer(r"keeps (?:only )?(\d+%) of parallel's gain", rule):
        assert match.group(1) == pct(b["hybrid"]["gain"] / b["parallel"]["gain"])
