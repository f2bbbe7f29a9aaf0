"""The wizard's writes and reads: answers validated step by step, progress, the outcome."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from designer import models, selectors
from designer.analysis.assessment import (
    DIMENSION_KEYS,
    READINESS_QUESTIONS,
    STEPS,
    assessment_outcome,
)
from designer.errors import DomainError

QUESTIONS = {q["key"]: q for q in READINESS_QUESTIONS}
COMPUTED_STEPS = (4, 6)  # clusters and measurements: figures read off the flow


def assessment_of(flow: models.Flow) -> models.Assessment:
    assessment, _ = models.Assessment.objects.get_or_create(flow=flow)
    return assessment


def assessment_state(flow: models.Flow) -> dict[str, Any]:
    """Answers, each step's state and everything computed from the flow and answers."""
    assessment = assessment_of(flow)
    return {
        "answers": assessment.answers,
        "steps": step_states(assessment, flow.version),
        "outcome": assessment_outcome(selectors.flow_spec(flow), assessment.answers),
        "flow_version": flow.version,
    }


def step_states(assessment: models.Assessment, flow_version: int) -> list[dict[str, Any]]:
    """done, attention or todo; the first step not done is current.

    A step needs attention when an earlier step was confirmed after it, or, for the steps
    computed from the flow (clusters, measurements), when the flow was changed after the
    last confirmation (in the editor, say).
    """
    confirmed = assessment.progress.get("steps", {})
    seen_version = max((mark["version"] for mark in confirmed.values()), default=flow_version)
    states = []
    latest_before = 0
    current_given = False
    for number, name in STEPS:
        mark = confirmed.get(str(number))
        if mark is None:
            state = "todo"
        elif mark["revision"] < latest_before or (
            number in COMPUTED_STEPS and flow_version > seen_version
        ):
            state = "attention"
        else:
            state = "done"
        if mark is not None:
            latest_before = max(latest_before, mark["revision"])
        if state != "done" and not current_given:
            current_given = True
            state = "current" if state == "todo" else state
        states.append({"number": number, "name": name, "state": state})
    return states


def assessment_step_save(
    *, flow: models.Flow, step: int, answers: dict[str, Any], confirm: bool = True
) -> models.Assessment:
    """Merge a step's answers, check them, and mark the step confirmed at this flow version."""
    if step not in dict(STEPS):
        raise DomainError("step must be a number from 1 to 6", field="step")
    with transaction.atomic():
        assessment = models.Assessment.objects.select_for_update().get(pk=assessment_of(flow).pk)
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
        if confirm:
            _check_complete(flow, step, merged)
            progress = dict(assessment.progress)
            revision = progress.get("revision", 0) + 1
            progress["revision"] = revision
            progress["steps"] = {
                **progress.get("steps", {}),
                str(step): {"revision": revision, "version": flow.version},
            }
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
