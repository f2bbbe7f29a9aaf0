"""The wizard's reads: the flow's figures (once per flow document), progress, the outcome."""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from threading import Lock
from typing import Any

from designer import models, selectors
from designer.analysis.assessment import STEPS, flow_figures, outcome_from
from designer.analysis.document import flow_to_document
from designer.analysis.model import Flow

COMPUTED_STEPS = (4, 6)  # clusters and measurements: figures read off the flow
FIGURES_CACHED = 32  # flows whose figures are kept between requests

# The flow's figures (schedules, 500 simulated runs, the audit) keyed by the flow document
# itself, so every wizard request after a change of answers alone reuses them, and a stale
# entry cannot be served for a changed flow.
_figures: OrderedDict[str, dict[str, Any]] = OrderedDict()
_figures_lock = Lock()


def figures_of(spec: Flow) -> dict[str, Any]:
    """`flow_figures` for a flow, computed once per distinct flow document."""
    key = hashlib.sha256(json.dumps(flow_to_document(spec), sort_keys=True).encode()).hexdigest()
    with _figures_lock:
        if key in _figures:
            _figures.move_to_end(key)
            return _figures[key]
    computed = flow_figures(spec)
    with _figures_lock:
        _figures[key] = computed
        while len(_figures) > FIGURES_CACHED:
            _figures.popitem(last=False)
    return computed


def assessment_of(flow: models.Flow) -> models.Assessment:
    """The flow's assessment, or an empty one not saved: reading never writes."""
    found = models.Assessment.objects.filter(flow=flow).first()
    return found if found is not None else models.Assessment(flow=flow)


def assessment_state(flow: models.Flow, flow_spec: Flow | None = None) -> dict[str, Any]:
    """Answers, each step's state and everything computed from the flow and answers;
    `flow_spec` is the flow as the caller already read it."""
    assessment = assessment_of(flow)
    spec = selectors.flow_spec(flow) if flow_spec is None else flow_spec
    outcome = outcome_from(figures_of(spec), assessment.answers)
    inputs = step_inputs(spec, assessment.answers, outcome)
    steps, current = step_states(assessment, flow.version, inputs)
    return {
        "answers": assessment.answers,
        "steps": steps,
        "current_step": current,
        "outcome": outcome,
        "flow_version": flow.version,
    }


def step_inputs(
    spec: Flow, answers: dict[str, Any], outcome: dict[str, Any]
) -> dict[int, str | None]:
    """A fingerprint of what each step is shown that an earlier step or the flow decides.

    Step 2 classifies the dependency pairs of step 1; step 3 estimates step 1's tasks;
    step 4 shows the clusters; step 6 the figures and the recommendation (which the
    readiness answers and the decision sheet also decide). Steps 1 and 5 take nothing from
    earlier steps. A confirmed step needs attention only when its fingerprint changes.
    """
    figures = outcome["figures"]["blueprints"]
    parts: dict[int, Any] = {
        2: sorted([d.source, d.target] for d in spec.dependencies),
        3: sorted(t.key for t in spec.tasks),
        4: [[c["tasks"], c["saving"], c["balanced"]] for c in outcome["clusters"]],
        6: {
            "figures": {
                name: [f["cycle_time"], f["p50"], f["p80"], f["overhead"], f["cost"]]
                for name, f in figures.items()
            },
            "recommendation": outcome["recommendation"],
            "audit": [e["text"] for e in outcome["audit"]["entries"]],
        },
    }
    return {
        number: (
            hashlib.sha256(json.dumps(parts[number], sort_keys=True).encode()).hexdigest()[:16]
            if number in parts
            else None
        )
        for number, _ in STEPS
    }


def step_states(
    assessment: models.Assessment, flow_version: int, inputs: dict[int, str | None]
) -> tuple[list[dict[str, Any]], int | None]:
    """done, attention, current, skipped or todo for each step, and the current step.

    A confirmed step needs attention when its input (`step_inputs`) has changed since it
    was confirmed — never because another step was merely confirmed again. The current
    step is the one the wizard last opened or confirmed its way to; steps before it that
    were never confirmed are skipped. Without that record, the first step not done.
    """
    progress = assessment.progress
    confirmed = progress.get("steps", {})
    states = []
    for number, name in STEPS:
        mark = confirmed.get(str(number))
        if mark is None:
            state = "todo"
        elif "input" in mark:
            state = "attention" if mark["input"] != inputs[number] else "done"
        else:  # confirmed before inputs were recorded: the flow's version tells
            changed = number in COMPUTED_STEPS and flow_version > mark["version"]
            state = "attention" if changed else "done"
        states.append({"number": number, "name": name, "state": state})
    current = progress.get("at")
    if current is None:
        current = next((s["number"] for s in states if s["state"] != "done"), None)
    for entry in states:
        if entry["state"] != "todo" or current is None:
            continue
        if entry["number"] == current:
            entry["state"] = "current"
        elif entry["number"] < current:
            entry["state"] = "skipped"
    return states, current
