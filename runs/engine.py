"""The run engine's steps. Deciding and executing are apart: `run_advance` is one
transaction that locks the run, asks the scheduling core what may start, records it with
its events and returns the starts to dispatch after commit; executing a task ends in
`task_finish`, another transaction, which advances again. Every step is idempotent: an
outcome for an attempt already recorded changes nothing.

Failure policies, the same in every blueprint. The blueprint only decides *when* a task may
start; *whether* it may run is decided by the flow's hard dependencies, because only they say
that a task consumes another's result:

- Skipping: a task is skipped when a hard predecessor failed, was skipped or was cancelled
  ("needs T3, which failed"). Soft dependencies and sequential's chain order never skip
  anything: they order work, they do not feed it. For the scheduling core a task that has
  *ended* (succeeded, failed, skipped, cancelled) counts as done, so an ordering predecessor
  that failed still lets the next task start; a skipped task ends at the moment it is skipped.
- Sequential: one task at a time in the sequential order; a task after a failed or skipped
  one still runs when it does not need it, so a failure costs only its true dependents.
- Hybrid: a phase's barrier opens h + s after every task of the previous phase has ended,
  whatever the outcome, so a failure cannot strand the later phases behind a barrier that
  would never open; dependents of the failure are skipped, the rest run.
- Parallel: every task starts as soon as its hard predecessors allow (pools permitting).
- fail_fast: the first failure, even one that lands while the run is paused, cancels what
  runs, skips every task not ended ("stopped by fail fast: T3 failed") and ends the run failed
  at once: waiting for resume would let doomed work start.
- retry_and_proceed: a failed attempt is retried after a doubling backoff up to max_retries;
  a task that fails its last attempt fails for good, its dependents are skipped, independent
  tasks go on, and the run ends failed.
- continue_with_compensation: no retries; dependents of a failure are skipped and
  independent tasks finish. Then, with nothing left active, the succeeded tasks are
  compensated one at a time, newest finish first (undo in the reverse order of doing), each
  an attempt of its own: `compensating`, executed by the deployer's registered compensation
  (`VIVIDO_COMPENSATIONS`) or simulated for the task's optimistic duration x time scale, then
  `compensated` (or `failed` if the compensation raised). The run ends failed after the last.
- Cancel: running and compensating tasks and every task not started are cancelled.

A re-run (`run_rerun`) of a failed or cancelled run starts the same frozen document with its
succeeded tasks carried over as succeeded, so only what did not succeed runs again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from designer import selectors
from designer.analysis.document import flow_from_document, flow_to_document
from designer.analysis.graph import FlowGraph
from designer.analysis.model import Flow as FlowSpec
from designer.analysis.plans import (
    Plan,
    check_capacities,
    plan_for,
    remaining_path,
    startable,
)
from designer.analysis.sampling import attempt_outcome, new_seed
from designer.errors import DomainError
from designer.models import Flow
from designer.optimisations import run_plan
from designer.page_constants import executors
from runs.events import publish_after_commit
from runs.models import Run, RunEvent, TaskRun

ACTIVE = {"pending", "ready", "running", "retrying", "compensating"}
BAD = {"failed", "skipped", "cancelled"}
# States after which a task no longer holds back its successors or its phase's barrier.
ENDED = {"succeeded", "failed", "skipped", "cancelled", "compensating", "compensated"}
WAITING = ("pending", "ready", "retrying")
BACKOFF_UNITS = 0.25  # first retry waits a quarter of a time unit, doubling each time


class RunConflict(DomainError):
    status = 409


@dataclass(frozen=True)
class Start:
    """An attempt to execute. A simulated one ends at `due_at` and fails if `fails`; one of
    a registered action (`executor`) ends when the action returns or raises. A compensation
    attempt (`compensation`) ends in `compensation_finish`: its `executor` is the task's when
    a compensation is registered for it, else "simulated" (never fails)."""

    run_id: int
    key: str
    attempt: int
    due_at: datetime
    fails: bool
    executor: str = "simulated"
    compensation: bool = False


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
    hard_preds: list[list[int]]
    order: list[int]
    needs: list[dict[str, int]]
    capacity: dict[str, int]
    priority: list[float]


_CONTEXTS: dict[tuple[int, datetime], _Context] = {}
_CONTEXTS_KEPT = 256


def _context(run: Run, spec: FlowSpec | None = None) -> _Context:
    """The run's plan, built once per process: a run's document never changes. `spec` is
    the document as a flow when the caller has it (the run being started)."""
    key = (run.pk, run.created_at)
    ctx = _CONTEXTS.get(key)
    if ctx is None:
        ctx = _build_context(run, spec)
        if len(_CONTEXTS) >= _CONTEXTS_KEPT:
            _CONTEXTS.pop(next(iter(_CONTEXTS)))
        _CONTEXTS[key] = ctx
    return ctx


def _build_context(run: Run, spec: FlowSpec | None = None) -> _Context:
    if spec is None:
        spec = flow_from_document(run.document)
    g = FlowGraph(spec)
    plan = plan_for(g, run.blueprint)  # type: ignore[arg-type]
    return _Context(
        spec=spec,
        plan=plan,
        keys=g.keys,
        index=g.index,
        hard_preds=g.hard_preds,
        order=g.order,
        needs=[dict(t.resources) for t in spec.tasks],
        capacity={p.name: p.capacity for p in spec.resources},
        priority=_priority(run, plan, g),
    )


def _priority(run: Run, plan: Plan, g: FlowGraph) -> list[float]:
    """Longest remaining path first; for a run following the optimised plan, the plan's
    start order (earlier start, higher priority)."""
    order = (run.optimised_plan or {}).get("order")
    if not order or sorted(order) != sorted(g.keys):
        return remaining_path(plan, g.duration)
    position = {key: n for n, key in enumerate(order)}
    return [float(len(order) - position[key]) for key in g.keys]


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
        changed = list(self.changed.values())
        if len(changed) <= FEW_TASKS:
            # One plain UPDATE each: building bulk_update's CASE over every field costs more
            # than the round trips when a step moves a task or two, as most steps do.
            for task in changed:
                TaskRun.objects.filter(pk=task.pk).update(
                    **{name: getattr(task, name) for name in TASK_FIELDS}
                )
        else:
            TaskRun.objects.bulk_update(changed, TASK_FIELDS)
        RunEvent.objects.bulk_create(self.events)
        publish_after_commit(self.run.pk, self.events)


FEW_TASKS = 4
TASK_FIELDS = [
    "state",
    "attempts",
    "started_at",
    "finished_at",
    "due_at",
    "not_before",
    "lease_until",
    "claims",
    "error",
]


def run_start(
    *,
    flow: Flow,
    user: AbstractBaseUser,
    blueprint: str,
    failure_policy: str,
    time_scale: float,
    max_retries: int = 2,
    seed: int | None = None,
    follow_optimised_plan: bool = False,
) -> tuple[Run, Step]:
    """Freeze the flow's document and start a run of it (the flow is read once: the
    document frozen and the plan come from the same reading); following the optimised plan,
    the solver plans that reading first and the run keeps its plan."""
    spec = selectors.flow_spec(flow)
    plan = run_plan(spec, blueprint) if follow_optimised_plan else None
    return _create(
        flow=flow,
        user=user,
        document=flow_to_document(spec),
        spec=spec,
        blueprint=blueprint,
        failure_policy=failure_policy,
        time_scale=time_scale,
        max_retries=max_retries,
        seed=seed,
        optimised_plan=plan,
    )


def run_rerun(*, run: Run, user: AbstractBaseUser) -> tuple[Run, Step]:
    """Re-run from failure: a new run of the same frozen document, blueprint, policy, time
    scale and retry limit (with a new seed), in which the tasks that succeeded in `run`
    start as succeeded ("carried over") and the rest run. Only a run that failed or was
    cancelled can be re-run: any other has nothing to recover from, or is still going."""
    if run.status not in ("failed", "cancelled"):
        raise RunConflict(
            f"run {run.pk} is {run.status}: only a failed or cancelled run can be re-run"
        )
    succeeded = set(run.tasks.filter(state="succeeded").values_list("key", flat=True))
    return _create(
        flow=run.flow,
        user=user,
        document=run.document,
        blueprint=run.blueprint,
        failure_policy=run.failure_policy,
        time_scale=run.time_scale,
        max_retries=run.max_retries,
        seed=None,
        rerun_of=run,
        carried=succeeded,
        optimised_plan=run.optimised_plan,
    )


def _create(
    *,
    flow: Flow,
    user: AbstractBaseUser,
    document: dict[str, Any],
    blueprint: str,
    failure_policy: str,
    time_scale: float,
    max_retries: int,
    seed: int | None,
    rerun_of: Run | None = None,
    carried: set[str] | frozenset[str] = frozenset(),
    spec: FlowSpec | None = None,
    optimised_plan: dict[str, Any] | None = None,
) -> tuple[Run, Step]:
    if spec is None:
        spec = flow_from_document(document)
    check_executors(spec)
    check_capacities(
        [t.key for t in spec.tasks],
        [dict(t.resources) for t in spec.tasks],
        {p.name: p.capacity for p in spec.resources},
    )
    if seed is None:
        seed = new_seed()
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
            rerun_of=rerun_of,
            optimised_plan=optimised_plan,
        )
        tasks = TaskRun.objects.bulk_create(
            TaskRun(run=run, key=t.key, position=n, executor=t.executor)
            for n, t in enumerate(spec.tasks)
        )
        _context(run, spec)  # the plan from the flow in hand, not parsed back from the document
        recorder = _Recorder(run, run.created_at)
        extra = {} if rerun_of is None else {"rerun_of": rerun_of.pk}
        recorder.emit("run", to="running", blueprint=blueprint, policy=failure_policy, **extra)
        if rerun_of is not None:
            for task in tasks:
                if task.key in carried:
                    task.finished_at = run.created_at
                    recorder.move(
                        task,
                        "succeeded",
                        by=f"run {rerun_of.pk}",
                        reason=f"carried over from run {rerun_of.pk}",
                    )
        step = _advance(run, list(tasks), recorder)
        recorder.save()
    return run, step


def check_executors(spec: FlowSpec) -> None:
    """Only what the deployer registered runs: an unknown executor is refused by name."""
    known = set(executors())
    for n, task in enumerate(spec.tasks):
        if task.executor not in known:
            raise DomainError(
                f"task {task.key}: executor {task.executor!r} is not registered on this server "
                f"(known: {', '.join(sorted(known))})",
                field=f"tasks[{n}].executor",
            )


def _locked(run_id: int) -> tuple[Run, list[TaskRun]]:
    """The run, locked until the transaction ends (SELECT … FOR UPDATE on PostgreSQL; SQLite
    lets one writer in at a time), and its tasks. Every step locks the run before it reads
    its tasks, so the run's lock alone keeps two steps apart: locking each task row too
    would write every one of them on PostgreSQL at every step."""
    # The frozen document is read once per process, by _context; not at every step.
    run = Run.objects.select_for_update().defer("document", "optimised_plan").get(pk=run_id)
    return run, list(run.tasks.order_by("position"))


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
    _skip_unreachable(tasks, ctx, recorder)
    now = recorder.now
    # "Ended" stands for the core's "done": an ordering predecessor or a phase that ended
    # in failure releases what waits on it; hard dependents were skipped just above.
    ended = [t.state in ENDED for t in tasks]
    finished = [_seconds(run, t.finished_at) for t in tasks]
    if ctx.plan.blueprint == "sequential":
        _skips_take_their_turn(ctx.plan, tasks, ended, finished)
    taken = [t.state not in ("pending", "retrying") for t in tasks]
    choice, upcoming = startable(
        ctx.plan,
        done=ended,
        started=taken,
        finished_at=finished,
        running_needs=[ctx.needs[i] for i, t in enumerate(tasks) if t.state == "running"],
        needs=ctx.needs,
        capacity=ctx.capacity,
        priority=ctx.priority,
        now=_seconds(run, now) or 0.0,
        scale=run.time_scale,
        not_before=[_seconds(run, t.not_before) for t in tasks],
    )
    wake_at = None if upcoming is None else run.created_at + timedelta(seconds=upcoming)
    run.wake_at = wake_at  # kept in the database: any process may keep the appointment
    step = Step(run_id=run.pk, wake_at=wake_at)
    for i in choice:
        task = tasks[i]
        if task.executor == "manual":
            recorder.move(task, "ready")
            continue
        step.starts.append(_begin(run, task, ctx, recorder))
    if not any(t.state in ACTIVE for t in tasks):
        compensation = _settle(run, tasks, ctx, recorder)
        if compensation is not None:
            step.starts.append(compensation)
    return step


def _skips_take_their_turn(
    plan: Plan, tasks: list[TaskRun], ended: list[bool], finished: list[float | None]
) -> None:
    """In the sequential chain a task skipped ahead of its turn ends only when the task
    before it in the chain has: otherwise the task after it would start alongside the one
    still running, and sequential would no longer be one at a time."""
    for i in plan.phases[0] if plan.phases else []:
        before = plan.preds[i]
        if tasks[i].state != "skipped" or not before:
            continue
        p = before[0]
        ended[i] = ended[p]
        own, previous = finished[i], finished[p]
        if ended[p]:
            finished[i] = max((x for x in (own, previous) if x is not None), default=0.0)
        else:
            finished[i] = None


def _begin(
    run: Run, task: TaskRun, ctx: _Context, recorder: _Recorder, by: str = "engine"
) -> Start:
    task.attempts += 1
    task.started_at = recorder.now
    task.not_before = None
    task.lease_until = None
    task.claims = 0
    seconds, fails = simulated_outcome(run, ctx, task)
    task.due_at = recorder.now + timedelta(seconds=seconds)
    recorder.move(task, "running", by=by)
    return Start(run.pk, task.key, task.attempts, task.due_at, fails, task.executor)


def simulated_outcome(run: Run, ctx: _Context, task: TaskRun) -> tuple[float, bool]:
    """The attempt's duration in seconds and whether it fails: the core's draw for the run's
    seed, the task and the attempt (`attempt_outcome`), so a restarted engine draws the same
    again and durations follow the simulator's PERT-Beta."""
    units, fails = attempt_outcome(
        run.seed, task.position, task.attempts, ctx.spec.tasks[task.position]
    )
    return units * run.time_scale, fails


_SKIP_WORDS = {"failed": "failed", "skipped": "was skipped", "cancelled": "was cancelled"}


def _skip_unreachable(tasks: list[TaskRun], ctx: _Context, recorder: _Recorder) -> None:
    """A task that needs (by a hard dependency) one that failed, was skipped or was cancelled
    can never run. Walked in the flow's order so a skip reaches every dependent in one pass;
    a skipped task ends now, which is what its successors and its phase's barrier wait for."""
    for i in ctx.order:
        task = tasks[i]
        if task.state not in ("pending", "ready"):
            continue
        bad = next((p for p in ctx.hard_preds[i] if tasks[p].state in BAD), None)
        if bad is not None:
            task.finished_at = recorder.now
            was = _SKIP_WORDS[tasks[bad].state]
            recorder.move(task, "skipped", reason=f"needs {tasks[bad].key}, which {was}")


def _settle(run: Run, tasks: list[TaskRun], ctx: _Context, recorder: _Recorder) -> Start | None:
    """Nothing is active any more: compensate the newest succeeded task if the policy says so
    and something failed, or else end the run."""
    failed = any(t.state in BAD for t in tasks)
    if failed and run.failure_policy == "continue_with_compensation":
        done = [t for t in tasks if t.state == "succeeded"]
        if done:
            newest = max(done, key=lambda t: (t.finished_at or run.created_at, t.position))
            return _compensate(run, newest, ctx, recorder)
    run.status = "failed" if failed else "succeeded"
    run.finished_at = recorder.now
    run.wake_at = None
    recorder.emit("run", **{"from": "running", "to": run.status})
    return None


def _compensate(run: Run, task: TaskRun, ctx: _Context, recorder: _Recorder) -> Start:
    """One compensation attempt: a registered compensation runs at once, a simulated one
    takes the task's optimistic duration, so `compensating` is a state one can see."""
    units = ctx.spec.tasks[task.position].duration.optimistic
    task.due_at = recorder.now + timedelta(seconds=units * run.time_scale)
    recorder.move(task, "compensating", compensation=True)
    return _compensation_start(run, task, task.due_at)


def _compensation_start(run: Run, task: TaskRun, due_at: datetime) -> Start:
    registered = task.executor in settings.VIVIDO_COMPENSATIONS
    return Start(
        run.pk,
        task.key,
        task.attempts,
        due_at,
        False,
        task.executor if registered else "simulated",
        compensation=True,
    )


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


def compensation_finish(
    run_id: int, key: str, attempt: int, *, succeeded: bool, error: str = "", by: str = "engine"
) -> Step:
    """Record a compensation's outcome (`compensated`, or `failed` with "compensation failed:
    …") and start the next one, or end the run after the last. Idempotent like
    `task_finish`: an outcome for a compensation not in progress changes nothing."""
    with transaction.atomic():
        run, tasks = _locked(run_id)
        task = next((t for t in tasks if t.key == key), None)
        if task is None or task.state != "compensating" or task.attempts != attempt:
            return Step()
        recorder = _Recorder(run, timezone.now())
        task.due_at = None
        if succeeded:
            recorder.move(task, "compensated", by=by, compensation=True)
        else:
            task.error = f"compensation failed: {error}"[:2000]
            recorder.move(task, "failed", by=by, compensation=True, error=task.error)
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
    if run.failure_policy == "fail_fast" and run.status in ("running", "paused"):
        # Paused or not: waiting for resume would only let doomed work start.
        reason = f"stopped by fail fast: {task.key} failed"
        for other in tasks:
            if other.state == "running":
                other.finished_at = recorder.now
                other.due_at = None
                recorder.move(other, "cancelled", reason=reason)
            elif other.state in WAITING:
                other.finished_at = recorder.now
                other.not_before = None
                recorder.move(other, "skipped", reason=reason)
        recorder.emit("run", **{"from": run.status, "to": "failed"})
        run.status = "failed"
        run.finished_at = recorder.now
        run.wake_at = None


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
                    extra = {"compensation": True} if task.state == "compensating" else {}
                    if task.state == "running":
                        task.finished_at = recorder.now
                    task.due_at = None
                    task.not_before = None
                    recorder.move(task, "cancelled", by=by, **extra)
            recorder.emit("run", **{"from": run.status, "to": "cancelled", "by": by})
            run.status = "cancelled"
            run.finished_at = recorder.now
            run.wake_at = None
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


def in_flight(run: Run, tasks: list[TaskRun], now: datetime) -> list[Start]:
    """The attempts and the compensation still going, as Starts to dispatch again: each ends
    when it was due, or at once if that has passed; the run's seed decides a simulated
    outcome the same way again. A manual task's attempt waits for its person."""
    ctx = _context(run)
    starts = []
    for task in tasks:
        due = task.due_at or now
        if task.state == "running" and task.executor != "manual":
            _, fails = simulated_outcome(run, ctx, task)
            starts.append(Start(run.pk, task.key, task.attempts, due, fails, task.executor))
        elif task.state == "compensating":
            starts.append(_compensation_start(run, task, due))
    return starts


def run_recover(run_id: int) -> Step:
    """After a restart: the attempts and the compensation still going and one more
    advance."""
    with transaction.atomic():
        run, tasks = _locked(run_id)
        now = timezone.now()
        starts = in_flight(run, tasks, now)
        recorder = _Recorder(run, now)
        step = _advance(run, tasks, recorder)
        recorder.save()
    step.run_id = run.pk
    step.starts = starts + step.starts
    return step
