"""Executing what the engine decided. In the embedded default: an asyncio loop on a thread
of the server's own process, with a timer per simulated attempt. With Celery
(`VIVIDO_RUN_DISPATCH=celery`) `dispatch` sends the steps to the workers instead
(runs/tasks.py) and this process executes nothing.

The loop only keeps time; each step it triggers is an ordinary engine transaction run on a
worker thread. On start-up it takes over every run that is not over: simulated attempts
continue with their remaining time (or end at once if it has passed), manual tasks keep
waiting, compensations in progress go on the same way (a registered compensation runs
again: like an action, it may run more than once after a crash), and each run is advanced
once more.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from designer.analysis.model import BUILTIN_EXECUTORS
from runs import engine
from runs.models import Run

log = logging.getLogger(__name__)


class EmbeddedDispatcher:
    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.workers = ThreadPoolExecutor(max_workers=2, thread_name_prefix="vivido-run")
        self.thread = threading.Thread(
            target=self.loop.run_forever, name="vivido-dispatch", daemon=True
        )
        self.thread.start()

    def submit(self, step: engine.Step) -> None:
        self.loop.call_soon_threadsafe(self._schedule, step)

    def stop(self) -> None:
        """Stop keeping time and drop what waits: nothing is lost, since a run's state is in
        the database and the next start takes over what was in flight."""
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.workers.shutdown(wait=False, cancel_futures=True)

    def recover(self) -> int:
        """Take over every run that is not over; returns how many."""
        ids = list(
            Run.objects.filter(status__in=("running", "paused")).values_list("pk", flat=True)
        )
        for run_id in ids:
            self.loop.call_soon_threadsafe(self._later, timezone.now(), engine.run_recover, run_id)
        return len(ids)

    def _schedule(self, step: engine.Step) -> None:
        for start in step.starts:
            # An action (or a registered compensation) starts now; a simulated attempt or
            # compensation ends when it is due.
            when = start.due_at if start.executor == "simulated" else timezone.now()
            self._later(when, _finish, start)
        if step.wake_at is not None and step.run_id is not None:
            self._later(step.wake_at, engine.run_advance, step.run_id)

    def _later(self, when: datetime, job: Callable[..., engine.Step], *args: object) -> None:
        delay = max(0.0, (when - timezone.now()).total_seconds())
        self.loop.call_later(delay, self._hand_over, job, args)

    def _hand_over(self, job: Callable[..., engine.Step], args: tuple[object, ...]) -> None:
        self.loop.run_in_executor(self.workers, self._work, job, args)

    def _work(self, job: Callable[..., engine.Step], args: tuple[object, ...]) -> None:
        close_old_connections()
        try:
            step = job(*args)
        except Exception:
            log.exception("a run step failed: %s%r", getattr(job, "__name__", job), args)
            return
        finally:
            close_old_connections()
        self.submit(step)


def _finish(start: engine.Start) -> engine.Step:
    """End an attempt: a simulated one as drawn, a registered action by running it."""
    if start.compensation:
        return execute_compensation(start)
    if start.executor in BUILTIN_EXECUTORS:
        return engine.task_finish(
            start.run_id,
            start.key,
            start.attempt,
            succeeded=not start.fails,
            error="simulated failure" if start.fails else "",
        )
    return execute_action(start)


def execute_action(start: engine.Start, limit: Limit | None = None) -> engine.Step:
    """Run the deployer's registered callable for the task (never anything a user typed):
    returning is success, raising is failure with the exception's message. Under a `limit`
    (Celery workers), the limit's exception ends the attempt as one that ran too long."""
    error = _call(settings.VIVIDO_ACTIONS[start.executor], start, limit)
    return engine.task_finish(
        start.run_id, start.key, start.attempt, succeeded=error is None, error=error or ""
    )


def execute_compensation(start: engine.Start, limit: Limit | None = None) -> engine.Step:
    """End a compensation attempt: run the deployer's registered compensation for the task's
    executor (raising is failure with the exception's message), or, when none is registered,
    end the simulated one (its wait is already over)."""
    path = settings.VIVIDO_COMPENSATIONS.get(start.executor)
    error = None if path is None else _call(path, start, limit)
    return engine.compensation_finish(
        start.run_id, start.key, start.attempt, succeeded=error is None, error=error or ""
    )


@dataclass(frozen=True)
class Limit:
    """A time limit a worker enforces by raising `raises` inside the callable."""

    seconds: float
    raises: type[BaseException]


def _call(path: str, start: engine.Start, limit: Limit | None) -> str | None:
    """Call a registered callable; None when it returned, else why it failed."""
    action = import_string(path)
    run = Run.objects.get(pk=start.run_id)
    try:
        action(run_id=run.pk, task=start.key, attempt=start.attempt, document=run.document)
    except Exception as error:  # the action's failure is the task's, not the engine's
        if limit is not None and isinstance(error, limit.raises):
            return f"went over its time limit of {limit.seconds:g} s"
        return f"{type(error).__name__}: {error}"[:2000]
    return None


_dispatcher: EmbeddedDispatcher | None = None
_lock = threading.Lock()


def dispatcher() -> EmbeddedDispatcher | None:
    """The process's dispatcher, started on first use; None when dispatching is off (tests
    that drive the engine themselves)."""
    global _dispatcher
    if settings.VIVIDO_RUN_DISPATCH != "embedded":
        return None
    with _lock:
        if _dispatcher is None:
            _dispatcher = EmbeddedDispatcher()
    return _dispatcher


def dispatch(step: engine.Step) -> None:
    """Hand a step to the dispatcher once the transaction that decided it has committed: the
    embedded one, or Celery's workers through the broker."""
    if not (step.starts or step.wake_at):
        return
    if settings.VIVIDO_RUN_DISPATCH == "celery":
        from runs.tasks import send

        # Called inside a transaction, the steps leave once it has committed: a worker must
        # find what they refer to. Outside one, at once.
        transaction.on_commit(lambda: send(step))
        return
    running = dispatcher()
    if running is not None:
        running.submit(step)
