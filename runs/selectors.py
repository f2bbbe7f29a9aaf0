"""Reads of runs that the API, the pages and the websocket consumers share.

Everything a dashboard shows comes from here, straight from the database: the state of a
run with every attempt of every task, its events in pages, and the summary of a flow's runs.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from designer.times import iso_time
from runs.models import Run, RunEvent, TaskRun

EVENTS_PAGE = 1000
EVENTS_PAGE_MAX = 5000
ENDED = {"succeeded", "failed", "cancelled", "compensated"}


def runs_of(user: Any) -> QuerySet[Run]:
    """Runs of the user's flows; anyone else's answer 404."""
    if not user or not user.is_authenticated:
        return Run.objects.none()
    return Run.objects.filter(flow__owner=user)


def run_of(user: Any, run_id: int) -> Run:
    """One run of the user's flows; anyone else's answers 404."""
    return get_object_or_404(runs_of(user), pk=run_id)


def event_dict(event: RunEvent) -> dict[str, Any]:
    """A run event as every client gets it, over HTTP and the websocket alike (one place,
    one time format: `designer.times.iso_time`)."""
    return {
        "seq": event.seq,
        "kind": event.kind,
        "task": event.task,
        "state": event.data.get("to"),
        "at": iso_time(event.at),
        "data": event.data,
    }


def events_after(run_id: int, after: int, limit: int = EVENTS_PAGE) -> list[dict[str, Any]]:
    events = RunEvent.objects.filter(run_id=run_id, seq__gt=after).order_by("seq")[:limit]
    return [event_dict(e) for e in events]


def events_before(run_id: int, before: int, limit: int = EVENTS_PAGE) -> list[dict[str, Any]]:
    """The `limit` events just before `before`, oldest first: how a log pages backwards."""
    events = RunEvent.objects.filter(run_id=run_id, seq__lt=before).order_by("-seq")[:limit]
    return [event_dict(e) for e in reversed(list(events))]


def task_history(events: list[RunEvent]) -> dict[str, list[dict[str, Any]]]:
    """Every attempt of each task, oldest first, from its events: when it started and ended,
    how, and who acted. A compensation is an attempt of its own."""
    history: dict[str, list[dict[str, Any]]] = {}
    for event in events:
        if event.kind != "task":
            continue
        data, at = event.data, iso_time(event.at)
        attempts = history.setdefault(event.task, [])
        was, to, by = data.get("from"), data.get("to"), data.get("by", "engine")
        open_one = attempts[-1] if attempts and attempts[-1]["outcome"] is None else None
        if to in ("running", "compensating"):
            attempts.append(
                {
                    "kind": "compensation" if to == "compensating" else "attempt",
                    "attempt": data.get("attempt", 0),
                    "started_at": at,
                    "finished_at": None,
                    "outcome": None,
                    "error": "",
                    "started_by": by,
                    "ended_by": None,
                }
            )
        elif to == "succeeded" and was == "pending":
            attempts.append(
                {
                    "kind": "attempt",
                    "attempt": 0,
                    "started_at": at,
                    "finished_at": at,
                    "outcome": "carried_over",
                    "error": "",
                    "started_by": by,
                    "ended_by": by,
                }
            )
        elif open_one is not None and to in ENDED | {"failed"}:
            open_one.update(finished_at=at, outcome=to, error=data.get("error", ""), ended_by=by)
    return history


def run_state(run: Run) -> dict[str, Any]:
    """The whole state of a run as a dashboard starts from it."""
    history = task_history(list(run.events.filter(kind="task").order_by("seq")))
    return {
        "id": run.pk,
        "flow": run.flow_id,
        "name": run.document.get("name"),
        "status": run.status,
        "blueprint": run.blueprint,
        "failure_policy": run.failure_policy,
        "time_scale": run.time_scale,
        "max_retries": run.max_retries,
        "seed": run.seed,
        "last_seq": run.last_seq,
        "created_at": iso_time(run.created_at),
        "finished_at": iso_time(run.finished_at),
        "rerun_of": run.rerun_of_id,
        "tasks": {
            t.key: {
                "state": t.state,
                "attempts": t.attempts,
                "executor": t.executor,
                "started_at": iso_time(t.started_at),
                "finished_at": iso_time(t.finished_at),
                "error": t.error,
                "history": history.get(t.key, []),
            }
            for t in run.tasks.order_by("position")
        },
    }


def task_detail(run: Run, key: str) -> dict[str, Any] | None:
    """One task of a run with every attempt and its events; None when the run has no such
    task."""
    task = run.tasks.filter(key=key).first()
    if task is None:
        return None
    events = list(run.events.filter(kind="task", task=key).order_by("seq"))
    names = {t.get("key"): t.get("name", "") for t in run.document.get("tasks", [])}
    return {
        "key": key,
        "name": names.get(key, ""),
        "state": task.state,
        "executor": task.executor,
        "attempts": task.attempts,
        "error": task.error,
        "history": task_history(events).get(key, []),
        "events": [event_dict(e) for e in events],
    }


def flow_runs_summary(flow_id: int, *, limit: int = 50) -> list[dict[str, Any]]:
    """A flow's newest runs with every task's state: the run list and its grid."""
    runs = list(Run.objects.filter(flow_id=flow_id).order_by("-created_at", "-id")[:limit])
    states: dict[int, dict[str, str]] = {run.pk: {} for run in runs}
    rows = (
        TaskRun.objects.filter(run__in=[run.pk for run in runs])
        .order_by("run_id", "position")
        .values_list("run_id", "key", "state")
    )
    for run_id, key, state in rows:
        states[run_id][key] = state
    return [
        {
            "id": run.pk,
            "status": run.status,
            "blueprint": run.blueprint,
            "failure_policy": run.failure_policy,
            "created_at": iso_time(run.created_at),
            "finished_at": iso_time(run.finished_at),
            "duration_seconds": (run.finished_at - run.created_at).total_seconds()
            if run.finished_at
            else None,
            "rerun_of": run.rerun_of_id,
            "counts": dict(Counter(states[run.pk].values())),
            "tasks": states[run.pk],
        }
        for run in runs
    ]
