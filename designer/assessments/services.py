"""The wizard's writes: a step's answers validated, merged and its progress recorded."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from designer import models, selectors
from designer.analysis.assessment import (
    DIMENSION_KEYS,
    READINESS_QUESTIONS,
    STEPS,
    outcome_from,
)
from designer.analysis.model import Flow
from designer.assessments.selectors import figures_of, step_inputs
from designer.errors import DomainError

QUESTIONS = {q["key"]: q for q in READINESS_QUESTIONS}


def assessment_step_save(
    *,
    flow: models.Flow,
    step: int,
    answers: dict[str, Any],
    confirm: bool = True,
    flow_spec: Flow | None = None,
) -> models.Assessment:
    """Merge a step's answers, check them, and record where the wizard is.

    Confirming marks the step done with a fingerprint of its input and moves the wizard to
    the next step; saving without confirming (also how the wizard says it opened a step)
    makes this step the current one. `flow_spec` is the flow as the caller already read it.
    """
    if step not in dict(STEPS):
        raise DomainError("step must be a number from 1 to 6", field="step")
    with transaction.atomic():
        models.Assessment.objects.get_or_create(flow=flow)  # the first save creates it
        assessment = models.Assessment.objects.select_for_update().get(flow=flow)
        merged = dict(assessment.answers)
        if "readiness" in answers:
            merged["readiness"] = {
                **merged.get("readiness", {}),
                **_readiness(answers["readiness"]),
            }
        if "sheet" in answers:
            merged["sheet"] = {**merged.get("sheet", {}), **_sheet(answers["sheet"])}
        unknown = set(answers) - {"readiness", "sheet"}
        if unknown:
            raise DomainError(
                f"answers: unknown part(s) {', '.join(sorted(unknown))}", field="answers"
            )
        progress = dict(assessment.progress)
        if confirm:
            _check_complete(flow, step, merged)
            spec = selectors.flow_spec(flow) if flow_spec is None else flow_spec
            inputs = step_inputs(spec, merged, outcome_from(figures_of(spec), merged))
            revision = progress.get("revision", 0) + 1
            progress["revision"] = revision
            progress["steps"] = {
                **progress.get("steps", {}),
                str(step): {"revision": revision, "version": flow.version, "input": inputs[step]},
            }
            progress["at"] = min(step + 1, len(STEPS))
        else:
            progress["at"] = step
        assessment.progress = progress
        assessment.answers = merged
        assessment.save()
    return assessment


def _readiness(given: Any) -> dict[str, Any]:
    if not isinstance(given, dict):
        raise DomainError("answers.readiness must be an object", field="answers.readiness")
    clean = {}
    for key, value in given.items():
        field = f"answers.readiness.{key}"
        if key not in QUESTIONS:
            raise DomainError(f"{field}: not a question of the questionnaire", field=field)
        if value is None:
            clean[key] = None
            continue
        if str(value) not in QUESTIONS[key]["choices"]:
            choices = ", ".join(QUESTIONS[key]["choices"])
            raise DomainError(f"{field} must be one of {choices} (got {value!r})", field=field)
        clean[key] = int(value) if key in ("team_maturity", "tooling") else value
    return clean


def _sheet(given: Any) -> dict[str, Any]:
    if not isinstance(given, dict):
        raise DomainError("answers.sheet must be an object", field="answers.sheet")
    clean = {}
    for key, value in given.items():
        field = f"answers.sheet.{key}"
        if key not in DIMENSION_KEYS:
            raise DomainError(f"{field}: not a row of the decision sheet", field=field)
        if value is not None and (isinstance(value, bool) or value not in (-2, -1, 0, 1, 2)):
            raise DomainError(
                f"{field} must be a whole number from -2 to 2 (got {value!r})", field=field
            )
        clean[key] = value
    return clean


def _check_complete(flow: models.Flow, step: int, answers: dict[str, Any]) -> None:
    """What a step needs before it can be marked done."""
    if step == 1 and not flow.tasks.exists():
        raise DomainError("step 1: list at least one task before going on", field="tasks")
    if step == 5:
        given = answers.get("readiness", {})
        for question in READINESS_QUESTIONS:
            if given.get(question["key"]) is None:
                field = f"answers.readiness.{question['key']}"
                raise DomainError(f"{field}: this question needs an answer", field=field)
