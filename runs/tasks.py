"""The engine's steps as Celery tasks (`VIVIDO_RUN_DISPATCH=celery`): advance a run, execute
an attempt (a deployer's action or compensation, under its time limit), end an attempt (a
simulated one, at its due moment), and the periodic sweep.

Each task is acknowledged only after it ran and is given back to the broker when its worker
dies (acks_late, reject_on_worker_lost): a step may therefore run twice, which the engine
makes harmless (an outcome already recorded changes nothing; an action's lease keeps a
second worker from calling it while the first still may). A step whose message is lost
altogether is sent again by the sweep, since every moment it waited for is in the database.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.utils import timezone

from designer.celery import app
from runs import engine
from runs.dispatch import Limit, execute_action, execute_compensation
from runs.models import Run
from runs.sweep import HARD_LIMIT_AFTER, claim, lost_steps, registered, time_limit

log = logging.getLogger(__name__)

STEP = {"acks_late": True, "reject_on_worker_lost": True, "ignore_result": True}


@app.task(name="runs.advance", **STEP)
def advance(run_id: int) -> None:
    """Start what may start now (a barrier opened, a backoff ended)."""
    try:
        step = engine.run_advance(run_id)
    except Run.DoesNotExist:
        return  # deleted since: nothing to do
    send(step)


@app.task(name="runs.end_attempt", **STEP)
def end_attempt(
    run_id: int,
    key: str,
    attempt: int,
    succeeded: bool,
    error: str = "",
    compensation: bool = False,
) -> None:
    """Record a simulated attempt's (or compensation's) outcome, at its due moment."""
    finish = engine.compensation_finish if compensation else engine.task_finish
    try:
        step = finish(run_id, key, attempt, succeeded=succeeded, error=error)
    except Run.DoesNotExist:
        return
    send(step)


@app.task(name="runs.execute_attempt", **STEP)
def execute_attempt(
    run_id: int, key: str, attempt: int, executor: str, compensation: bool = False
) -> None:
    """Call the deployer's registered action (or compensation) for the attempt and record
    its outcome, once this worker holds the attempt's lease."""
    start = engine.Start(run_id, key, attempt, timezone.now(), False, executor, compensation)
    taken = claim(start)
    if taken.overdue:
        finish = engine.compensation_finish if compensation else engine.task_finish
        send(finish(run_id, key, attempt, succeeded=False, error=taken.overdue))
        return
    if not taken.taken:
        return  # another worker holds it, or the attempt is over
    limit = Limit(time_limit(executor), SoftTimeLimitExceeded)
    run = execute_compensation if compensation else execute_action
    send(run(start, limit))


@app.task(name="runs.sweep", acks_late=True, ignore_result=True)
def sweep() -> int:
    """Send again the steps of due work that has no live step; returns how many."""
    lost = lost_steps()
    for start in lost.starts:
        send_start(start)
    for run_id in lost.advance:
        _send(advance, (run_id,))
    if lost.starts or lost.advance:
        log.info(
            "sweep: %d attempt(s), %d advance(s) sent again", len(lost.starts), len(lost.advance)
        )
    return len(lost.starts) + len(lost.advance)


def send(step: engine.Step) -> None:
    """Send what a committed step decided: each attempt to execute or to end at its due
    moment, and the run's next wake-up."""
    for start in step.starts:
        send_start(start)
    if step.wake_at is not None and step.run_id is not None and _soon(step.wake_at):
        _send(advance, (step.run_id,), eta=step.wake_at)


def _soon(moment: datetime) -> bool:
    """Whether a delayed message may wait for `moment`: a broker holds one only so long
    (VIVIDO_TIMER_HORIZON_SECONDS); a later moment is kept by the database and the sweep
    sends its step once it has come."""
    horizon = timedelta(seconds=settings.VIVIDO_TIMER_HORIZON_SECONDS)
    return moment - timezone.now() <= horizon


def send_start(start: engine.Start) -> None:
    if registered(start):
        limit = time_limit(start.executor)
        _send(
            execute_attempt,
            (start.run_id, start.key, start.attempt, start.executor, start.compensation),
            soft_time_limit=limit,
            time_limit=limit + HARD_LIMIT_AFTER,
        )
        return
    if not _soon(start.due_at):
        return
    error = "simulated failure" if start.fails else ""
    _send(
        end_attempt,
        (start.run_id, start.key, start.attempt, not start.fails, error, start.compensation),
        eta=start.due_at,
    )


def _send(task: object, args: tuple[object, ...], **options: object) -> None:
    """One message to the broker. Failing to send loses nothing: the moment is in the
    database, and the sweep sends the step once it is overdue."""
    try:
        task.apply_async(args, **options)  # type: ignore[attr-defined]
    except Exception:
        log.warning("could not send %s%r; the sweep will", task, args, exc_info=True)
