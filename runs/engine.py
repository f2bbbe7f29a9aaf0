"""The run engine's steps. Deciding and executing are apart: `run_advance` is one
transaction that locks the run, asks the scheduling core what may start, records it with
its events and returns the starts to dispatch after commit; executing a task ends in
`task_finish`, another transaction, which advances again. Every step is idempotent: an
outcome for an attempt already recorded changes nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from designer import selectors
from designer.analysis.document import flow_from_document
from designer.analysis.graph import FlowGraph
from designer.analysis.model import Flow as FlowSpec
from designer.analysis.scheduling import (
    Plan,
    check_capacities,
    plan_for,
    remaining_path,
    startable,
)
from designer.errors import DomainError
from designer.models import Flow
from runs.events import publish_after_commit
from runs.models import Run, RunEvent, TaskRun

ACTIVE = {"pending", "ready", "running", "retrying", "compensating"}
BAD = {"failed", "skipped", "cancelled"}
BACKOFF_UNITS = 0.25  # first retry waits a quarter of a time unit, doubling each time


class RunConflict(DomainError):
    status = 409


@dataclass(frozen=True)
class Start:
    """An attempt to execute. A simulated one ends at `due_at` and fails if `fails`; one of
    a registered action (`executor`) ends when the action returns or raises."""

    run_id: int
    key: str
    attempt: int
    due_at: datetime
    fails: bool
    executor: str = "simulated"


@dataclass
class Step:
    """What a transaction decided: attempts to dispatch, and when to advance again."""

    run_id: int | None = None
    starts: list[Start] = field(default_factory=list)
    wake_at: datetime | None = None


@dataclass
class _Context:
    spec: FlowSpec
    plan: Plan
    keys: list[str]
    index: dict[str, int]
    needs: list[dict[str, int]]
    capacity: dict[str, int]
    priority: list[float]


_CONTEXTS: dict[tuple[int, datetime], _Context] = {}
_CONTEXTS_KEPT = 256


def _context(run: Run) -> _Context:
    """The run's plan, built once per process: a run's document never changes."""
    key = (run.pk, run.created_at)
    ctx = _CONTEXTS.get(key)
    if ctx is None:
        ctx = _build_context(run)
        if len(_CONTEXTS) >= _CONTEXTS_KEPT:
            _CONTEXTS.pop(next(iter(_CONTEXTS)))
        _CONTEXTS[key] = ctx
    return ctx


def _build_context(run: Run) -> _Context:
    spec = flow_from_document(run.document)
    g = FlowGraph(spec)
    plan = plan_for(g, run.blueprint)  # type: ignore[arg-type]
    return _Context(
        spec=spec,
        plan=plan,
        keys=g.keys,
        index=g.index,
        needs=[dict(t.resources) for t in spec.tasks],
        capacity={p.name: p.capacity for p in spec.resources},
        priority=remaining_path(plan, g.duration),
    )


class _Recorder:
    """Writes transitions with their gap-free events and publishes them after commit."""

    def __init__(self, run: Run, now: datetime):
        self.run = run
        self.now = now
        self.events: list[RunEvent] = []
        self.changed: dict[int, TaskRun] = {}

    def emit(self, kind: str, task: str = "", **data: Any) -> None:
        self.run.last_seq += 1
        self.events.append(
            RunEvent(
                run=self.run, seq=self.run.last_seq, at=self.now, kind=kind, task=task, data=data
            )
        )

    def move(self, task: TaskRun, to: str, *, by: str = "engine", **data: Any) -> None:
        was = task.state
        task.state = to
        self.changed[task.pk] = task
        self.emit(
            "task", task.key, **{"from": was, "to": to, "attempt": task.attempts, "by": by, **data}
        )

    def save(self) -> None:
        """Write the run, the tasks that moved (every field change comes with a move) and
        the events."""
        self.run.save()
        TaskRun.objects.bulk_update(
            list(self.changed.values()),
            ["state", "attempts", "started_at", "finished_at", "due_at", "not_before", "error"],
        )
        RunEvent.objects.bulk_create(self.events)
        publish_after_commit(self.run.pk, self.events)


def run_start(
    *,
    flow: Flow,
    user: AbstractBaseUser,
    blueprint: str,
    failure_policy: str,
    time_scale: float,
    max_retries: int = 2,
    seed: int | None = None,
) -> tuple[Run, Step]:
    """Freeze the flow's document and start a run of it."""
    document = selectors.flow_document(flow)
    spec = flow_from_document(document)
    check_executors(spec)
    check_capacities(
        [t.key for t in spec.tasks],
        [dict(t.resources) for t in spec.tasks],
        {p.name: p.capacity for p in spec.resources},
    )
    if seed is None:
        seed = int(np.random.SeedSequence().entropy % 2**32)  # type: ignore[operator]
    with transaction.atomic():
        run = Run.objects.create(
            flow=flow,
            created_by=user,
            document=document,
            blueprint=blueprint,
            failure_policy=failure_policy,
            max_retries=max_retries,
            time_scale=time_scale,
            seed=seed,
        )
        tasks = TaskRun.objects.bulk_create(
            TaskRun(run=run, key=t.key, position=n, executor=t.executor)
            for n, t in enumerate(spec.tasks)
        )
        recorder = _Recorder(run, run.created_at)
        recorder.emit("run", to="running", blueprint=blueprint, policy=failure_policy)
        step = _advance(run, list(tasks), recorder)
        recorder.save()
    return run, step


def check_executors(spec: FlowSpec) -> None:
    """Only what the deployer registered runs: an unknown executor is refused by name."""
    known = {"simulated", "manual", *settings.VIVIDO_ACTIONS}
    for n, task in enumerate(spec.tasks):
        if task.executor not in known:
            raise DomainError(
                f"task {task.key}: executor {task.executor!r} is not registered on this server "
                f"(known: {', '.join(sorted(known))})",
                field=f"tasks[{n}].executor",
            )


def _locked(run_id: int) -> tuple[Run, list[TaskRun]]:
    run = Run.objects.select_for_update().get(pk=run_id)
    return run, list(run.tasks.select_for_update().order_by("position"))


def run_advance(run_id: int) -> Step:
    with transaction.atomic():
        run, tasks = _locked(run_id)
        recorder = _Recorder(run, timezone.now())
        step = _advance(run, tasks, recorder)
        recorder.save()
    return step


def _seconds(run: Run, at: datetime | None) -> float | None:
    return None if at is None else (at - run.created_at).total_seconds()


def _advance(run: Run, tasks: list[TaskRun], recorder: _Recorder) -> Step:
    if run.status != "running":
        return Step()
    ctx = _context(run)
    _skip_unreachable(run, tasks, ctx, recorder)
    now = recorder.now
    done = [t.state == "succeeded" for t in tasks]
    taken = [t.state not in ("pending", "retrying") for t in tasks]
    choice, upcoming = startable(
        ctx.plan,
        done=done,
        started=taken,
        finished_at=[_seconds(run, t.finished_at) for t in tasks],
        running_needs=[ctx.needs[i] for i, t in enumerate(tasks) if t.state == "running"],
        needs=ctx.needs,
        capacity=ctx.capacity,
        priority=ctx.priority,
        now=_seconds(run, now) or 0.0,
        scale=run.time_scale,
        not_before=[_seconds(run, t.not_before) for t in tasks],
    )
    wake_at = None if upcoming is None else run.created_at + timedelta(seconds=upcoming)
    step = Step(run_id=run.pk, wake_at=wake_at)
    for i in choice:
        task = tasks[i]
        if task.executor == "manual":
            recorder.move(task, "ready")
            continue
        step.starts.append(_begin(run, task, ctx, recorder))
    if not any(t.state in ACTIVE for t in tasks):
        _finish(run, tasks, recorder)
    return step


def _begin(
    run: Run, task: TaskRun, ctx: _Context, recorder: _Recorder, by: str = "engine"
) -> Start:
    task.attempts += 1
    task.started_at = recorder.now
    task.not_before = None
    seconds, fails = simulated_outcome(run, ctx, task)
    task.due_at = recorder.now + timedelta(seconds=seconds)
    recorder.move(task, "running", by=by)
    return Start(run.pk, task.key, task.attempts, task.due_at, fails, task.executor)


def simulated_outcome(run: Run, ctx: _Context, task: TaskRun) -> tuple[float, bool]:
    """The attempt's duration in seconds and whether it fails: drawn from the run's seed, the
    task and the attempt, so a restarted engine draws the same again."""
    spec = ctx.spec.tasks[task.position]
    rng = np.random.default_rng([run.seed, task.position, task.attempts])
    o, m, p = spec.duration.optimistic, spec.duration.likely, spec.duration.pessimistic
    if p > o:
        units = o + (p - o) * rng.beta(1 + 4 * (m - o) / (p - o), 1 + 4 * (p - m) / (p - o))
    else:
        units = m
    fails = bool(rng.random() < spec.failure_rate)
    return float(units) * run.time_scale, fails


def _skip_unreachable(run: Run, tasks: list[TaskRun], ctx: _Context, recorder: _Recorder) -> None:
    """A task behind a failed, skipped or cancelled one (or behind its phase) can never run."""
    bad_phase = math.inf
    for k, members in enumerate(ctx.plan.phases):
        if k > bad_phase:
            for i in members:
                if tasks[i].state in ("pending", "ready", "retrying"):
                    recorder.move(tasks[i], "skipped", reason="an earlier phase did not finish")
            continue
        for i in members:
            if tasks[i].state in ("pending", "ready") and any(
                tasks[p].state in BAD for p in ctx.plan.preds[i]
            ):
                recorder.move(tasks[i], "skipped", reason="a task it needs did not succeed")
        if any(tasks[i].state in BAD for i in members):
            bad_phase = k


def _finish(run: Run, tasks: list[TaskRun], recorder: _Recorder) -> None:
    failed = any(t.state in BAD for t in tasks)
    if failed and run.failure_policy == "continue_with_compensation":
        done = [t for t in tasks if t.state == "succeeded"]
        for task in sorted(done, key=lambda t: (t.finished_at, t.position), reverse=True):
            recorder.move(task, "compensating")
            recorder.move(task, "compensated")
    run.status = "failed" if failed else "succeeded"
    run.finished_at = recorder.now
    recorder.emit("run", **{"from": "running", "to": run.status})


def task_finish(
    run_id: int, key: str, attempt: int, *, succeeded: bool, error: str = "", by: str = "engine"
) -> Step:
    """Record an attempt's outcome; one already recorded (or overtaken) changes nothing."""
    with transaction.atomic():
        run, tasks = _locked(run_id)
        task = next((t for t in tasks if t.key == key), None)
        if task is None or task.state != "running" or task.attempts != attempt:
            return Step()
        recorder = _Recorder(run, timezone.now())
        task.finished_at = recorder.now
        task.due_at = None
        if succeeded:
            recorder.move(task, "succeeded", by=by)
        else:
            _fail(run, tasks, task, error, recorder, by)
        step = _advance(run, tasks, recorder) if run.status == "running" else Step()
        recorder.save()
    return step


def _fail(
    run: Run, tasks: list[TaskRun], task: TaskRun, error: str, recorder: _Recorder, by: str
) -> None:
    task.error = error
    if run.failure_policy == "retry_and_proceed" and task.attempts <= run.max_retries:
        recorder.move(task, "failed", by=by, error=error)
        backoff = BACKOFF_UNITS * 2 ** (task.attempts - 1) * run.time_scale
        task.not_before = recorder.now + timedelta(seconds=backoff)
        recorder.move(task, "retrying", backoff_seconds=round(backoff, 3))
        return
    recorder.move(task, "failed", by=by, error=error)
    if run.failure_policy == "fail_fast" and run.status == "running":
        for other in tasks:
            if other.state == "running":
                other.finished_at = recorder.now
                other.due_at = None
                recorder.move(other, "cancelled", reason=f"{task.key} failed")
            elif other.state in ("pending", "ready", "retrying"):
                recorder.move(other, "skipped", reason=f"{task.key} failed")
        run.status = "failed"
        run.finished_at = recorder.now
        recorder.emit("run", **{"from": "running", "to": "failed"})


def run_control(run_id: int, action: str, *, by: str) -> Step:
    """Pause, resume or cancel a run."""
    with transaction.atomic():
        run, tasks = _locked(run_id)
        recorder = _Recorder(run, timezone.now())
        wanted = {"pause": ("running", "paused"), "resume": ("paused", "running")}
        if action == "cancel":
            if run.status not in ("running", "paused"):
                raise RunConflict(f"run {run.pk} has already ended ({run.status})")
            for task in tasks:
                if task.state in ACTIVE:
                    task.finished_at = recorder.now if task.state == "running" else task.finished_at
                    task.due_at = None
                    recorder.move(task, "cancelled", by=by)
            recorder.emit("run", **{"from": run.status, "to": "cancelled", "by": by})
            run.status = "cancelled"
            run.finished_at = recorder.now
            step = Step()
        else:
            before, after = wanted[action]
            if run.status != before:
                raise RunConflict(f"run {run.pk} is {run.status}: it cannot {action}")
            run.status = after
            recorder.emit("run", **{"from": before, "to": after, "by": by})
            step = _advance(run, tasks, recorder)
        recorder.save()
    return step


def task_manual(run_id: int, key: str, action: str, *, by: str, error: str = "") -> Step:
    """A person starts, completes or fails a task from the dashboard or the API."""
    with transaction.atomic():
        run, tasks = _locked(run_id)
        task = next((t for t in tasks if t.key == key), None)
        if task is None:
            raise DomainError(f"run {run.pk} has no task {key}", field="task")
        if run.status not in ("running", "paused"):
            raise RunConflict(f"run {run.pk} has ended ({run.status})")
        recorder = _Recorder(run, timezone.now())
        if action == "start" or (task.state == "ready" and action in ("complete", "fail")):
            if task.state != "ready":
                raise RunConflict(f"task {key} is {task.state}: only a ready task can start")
            ctx = _context(run)
            held: dict[str, int] = {}
            for other in tasks:
                if other.state == "running":
                    for pool, units in ctx.needs[other.position].items():
                        held[pool] = held.get(pool, 0) + units
            short = [
                pool
                for pool, units in ctx.needs[task.position].items()
                if held.get(pool, 0) + units > ctx.capacity[pool]
            ]
            if short:
                raise RunConflict(f"task {key} waits for {', '.join(short)}: every unit is in use")
            _begin(run, task, ctx, recorder, by=by)
            task.due_at = None  # a person decides when it ends
        if action in ("complete", "fail"):
            if task.state != "running":
                raise RunConflict(f"task {key} is {task.state}: only a running task can end")
            task.finished_at = recorder.now
            if action == "complete":
                recorder.move(task, "succeeded", by=by)
            else:
                _fail(run, tasks, task, error or "failed by hand", recorder, by)
        step = _advance(run, tasks, recorder) if run.status == "running" else Step()
        recorder.save()
    return step


def run_recover(run_id: int) -> Step:
    """After a restart: the attempts still running (they end when they were due, or at once
    if that has passed; the same seed decides their outcome) and one more advance."""
    with transaction.atomic():
        run, tasks = _locked(run_id)
        ctx = _context(run)
        now = timezone.now()
        starts = []
        for task in tasks:
            if task.state == "running" and task.executor != "manual":
                _, fails = simulated_outcome(run, ctx, task)
                due = task.due_at or now
                starts.append(Start(run.pk, task.key, task.attempts, due, fails, task.executor))
        recorder = _Recorder(run, now)
        step = _advance(run, tasks, recorder)
        recorder.save()
    step.run_id = run.pk
    step.starts = starts + step.starts
    return step
