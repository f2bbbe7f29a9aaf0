"""Background simulation jobs: starting, running, cancelling (every write of a job).

Every simulation gets a cost estimate before it starts (`selectors.simulation_cost`). A
cheap one runs inside the request; one above VIVIDO_SIMULATION_BACKGROUND_COST becomes a
`SimulationJob`, run by a small pool of worker threads in this process (started on first
use) or, with VIVIDO_RUN_DISPATCH=celery, sent as a Celery task to the workers
(`designer/simulations/tasks.py`); both run `run_simulation_job`. The job reports its
progress (stored, and pushed to the job's websocket group), stops between chunks of
iterations when cancelled, and keeps its result as a `Simulation` when it ends.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from designer import models, selectors
from designer.simulations.selectors import job_state
from designer.simulations.services import simulation_create

logger = logging.getLogger(__name__)


class SimulationCancelled(Exception):
    """Raised from the progress callback when the job's owner cancelled it."""


class JobTakenOver(Exception):
    """Raised when the sweep gave the job to another process (this one looked lost): this
    process stops and leaves the job to it."""


_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()
_cancelled: set[int] = set()
_server_loop: asyncio.AbstractEventLoop | None = None
PROGRESS_SECONDS = 0.25  # at most four progress messages (and writes) a second


def remember_loop(loop: asyncio.AbstractEventLoop) -> None:
    """The server's event loop, where the in-memory channel layer's queues live."""
    global _server_loop
    _server_loop = loop


def job_group(job_id: int) -> str:
    return f"simulation-job-{job_id}"


def _push(job_id: int, state: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    message = {"type": "job.state", "state": state}
    loop = _server_loop
    try:
        if loop is not None and loop.is_running():
            loop.call_soon_threadsafe(
                lambda: loop.create_task(layer.group_send(job_group(job_id), message))
            )
        elif not settings.CHANNEL_LAYERS["default"]["BACKEND"].endswith("InMemoryChannelLayer"):
            async_to_sync(layer.group_send)(job_group(job_id), message)
    except Exception:  # a lost progress message is not worth a failed job
        logger.exception("simulation job %s: progress not sent", job_id)


def job_dispatch() -> str:
    """Where a background job runs: "celery" (a worker, when the runs' steps go there),
    "thread" (this process's pool), or "inline" (in the request: tests)."""
    if getattr(settings, "VIVIDO_SIMULATION_JOBS", "thread") != "thread":
        return "inline"
    return "celery" if settings.VIVIDO_RUN_DISPATCH == "celery" else "thread"


def this_process() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _pool() -> ThreadPoolExecutor:
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(
                settings.VIVIDO_SIMULATION_WORKERS, thread_name_prefix="simulation-job"
            )
            # On shutdown the running jobs stop at their next chunk (cancelled) instead of
            # holding the process until they end; this runs before the workers are joined.
            threading._register_atexit(_stop_all)  # type: ignore[attr-defined]
            # Jobs left queued or running by a previous server process will never end.
            if settings.VIVIDO_RUN_DISPATCH == "embedded":
                State = models.SimulationJob.State
                models.SimulationJob.objects.filter(state__in=[State.QUEUED, State.RUNNING]).update(
                    state=State.FAILED, error="the server restarted"
                )
        return _executor


_futures: dict[int, Future[None]] = {}


def _stop_all() -> None:
    _cancelled.update(_futures)


def simulation_job_start(
    *,
    flow: models.Flow,
    user: AbstractBaseUser | None,
    cost: int,
    kind: str = models.SimulationJob.Kind.SIMULATION,
    **parameters: Any,
) -> models.SimulationJob:
    """Queue a simulation (or an optimisation) as a job; it starts once this transaction
    commits."""
    dispatch = job_dispatch()
    pool = _pool() if dispatch == "thread" else None
    job = models.SimulationJob.objects.create(
        flow=flow, created_by=user, parameters=parameters, cost=cost, kind=kind
    )
    if dispatch == "celery":
        transaction.on_commit(lambda: _send(job.pk))
    elif pool is None:
        run_simulation_job(job.pk)  # tests: run in the request, synchronously
        job.refresh_from_db()
    else:
        transaction.on_commit(lambda: _futures.__setitem__(job.pk, pool.submit(_run, job.pk)))
    return job


def _send(job_id: int) -> None:
    """Hand the job to the Celery workers; one the broker refuses fails at once, saying so,
    instead of waiting queued for ever."""
    from designer.simulations.tasks import run_job

    try:
        run_job.apply_async((job_id,))
    except Exception as error:
        logger.exception("simulation job %s: not sent to the workers", job_id)
        State = models.SimulationJob.State
        if models.SimulationJob.objects.filter(pk=job_id, state=State.QUEUED).update(
            state=State.FAILED, error=f"the workers could not be reached ({error})"
        ):
            _push(job_id, job_state(models.SimulationJob.objects.get(pk=job_id)))


def _run(job_id: int) -> None:
    close_old_connections()
    try:
        run_simulation_job(job_id)
    finally:
        _futures.pop(job_id, None)
        connection.close()


def wait_for_simulation_jobs(seconds: float = 60) -> None:
    """Wait until every job submitted in this process has ended (for tests and commands)."""
    deadline = time.monotonic() + seconds
    for future in list(_futures.values()):
        future.result(timeout=max(0.0, deadline - time.monotonic()))


def run_simulation_job(job_id: int, *, restart: bool = False) -> None:
    """Run a queued job to its end: succeeded with its result kept, failed, or cancelled.

    `restart`: a job left running by a process that died (a Celery task given back to the
    broker) starts again from nothing; an ended job is never run again.
    """
    State = models.SimulationJob.State
    claimable = [State.QUEUED, State.RUNNING] if restart else [State.QUEUED]
    jobs = models.SimulationJob.objects.filter(pk=job_id, state__in=claimable)
    if restart:
        jobs.filter(state=State.RUNNING, cancel_requested=True).update(state=State.CANCELLED)
    me = this_process()
    started = jobs.update(state=State.RUNNING, progress=0.0, worker=me, updated_at=timezone.now())
    try:
        job = models.SimulationJob.objects.select_related("flow").get(pk=job_id)
    except models.SimulationJob.DoesNotExist:
        return  # its flow was deleted since
    if not started:
        if job.state == State.CANCELLED and restart:
            _push(job_id, job_state(job))
        return  # cancelled before it started, or already over
    if job_id in _cancelled:  # the server is stopping: do not start
        _cancelled.discard(job_id)
        job.state = State.CANCELLED
        job.save(update_fields=["state", "updated_at"])
        _push(job_id, job_state(job))
        return
    _push(job_id, job_state(job))
    last = 0.0

    def progress(share: float) -> None:
        nonlocal last
        if job_id in _cancelled:
            raise SimulationCancelled
        now = time.monotonic()
        if now - last < PROGRESS_SECONDS:
            return
        last = now
        _check(job_id, me)  # a cancel asked through another process shows in the row
        models.SimulationJob.objects.filter(pk=job_id).update(
            progress=share, updated_at=timezone.now()
        )
        job.progress = share
        _push(job_id, job_state(job))

    simulation = None
    try:
        if job.kind == models.SimulationJob.Kind.OPTIMISATION:
            job.result = _optimisation(job, me, push=_push)
        else:
            simulation = simulation_create(
                flow=job.flow, user=job.created_by, progress=progress, **job.parameters
            )
    except JobTakenOver:
        return
    except SimulationCancelled:
        job.state, job.error = State.CANCELLED, ""
    except Exception as error:  # the job ends, whatever went wrong, and says so
        logger.exception("simulation job %s failed", job_id)
        job.state = State.FAILED
        job.error = getattr(error, "message", None) or str(error) or type(error).__name__
    else:
        job.state, job.progress, job.simulation = State.SUCCEEDED, 1.0, simulation
    finally:
        _cancelled.discard(job_id)
    with transaction.atomic():
        # Saved only while the job is still this process's: one the sweep handed to another
        # process (this one looked lost) is that one's to end.
        mine = models.SimulationJob.objects.select_for_update().filter(
            pk=job_id, worker=me, state__in=[State.RUNNING, State.QUEUED]
        )
        if not mine.exists():
            if simulation is not None:
                simulation.delete()
            return
        job.save(update_fields=["state", "progress", "error", "simulation", "result", "updated_at"])
    _push(job_id, job_state(job))


def _check(job_id: int, me: str) -> None:
    """Stop the job when its owner cancelled it or the sweep gave it to another process;
    otherwise note that it is alive (the sweep's heartbeat)."""
    row = (
        models.SimulationJob.objects.filter(pk=job_id)
        .values_list("cancel_requested", "worker")
        .first()
    )
    if row is None or row[0]:
        raise SimulationCancelled
    if row[1] != me:
        raise JobTakenOver
    models.SimulationJob.objects.filter(pk=job_id).update(updated_at=timezone.now())


def lost_jobs_resend() -> list[int]:
    """The sweep's part for jobs (Celery): a job running with no sign of life for
    VIVIDO_SIMULATION_LOST_SECONDS (its worker died) is queued again, and a job queued that
    long is sent again (its message was lost); the ids, each to send to the workers."""
    State = models.SimulationJob.State
    now = timezone.now()
    before = now - timedelta(seconds=settings.VIVIDO_SIMULATION_LOST_SECONDS)
    with transaction.atomic():
        lost = list(
            models.SimulationJob.objects.select_for_update(skip_locked=True)
            .filter(state__in=[State.RUNNING, State.QUEUED], updated_at__lt=before)
            .values_list("pk", "state")
        )
        ids = [pk for pk, _ in lost]
        models.SimulationJob.objects.filter(pk__in=ids).update(state=State.QUEUED, updated_at=now)
    for pk, state in lost:
        if state == State.RUNNING:
            logger.warning("simulation job %s: its worker was lost; queued again", pk)
            _push(pk, job_state(models.SimulationJob.objects.get(pk=pk)))
    return ids


def _optimisation(job: models.SimulationJob, me: str, push: Any) -> dict[str, Any]:
    """An optimisation job's work: the solver, with its progress (the share of the time limit
    used, the best cycle time and the bound so far) stored and pushed, stopped by Cancel.

    The solver reports from its own threads; they only note what they found, and one watcher
    thread does every write and push (and so holds the one database connection) and
    notices a cancel, in this process (the set) or another (the row's flag).
    """
    from designer.analysis.optimise import Progress
    from designer.optimisations import optimisation_compute, with_overrides

    parameters = job.parameters
    time_limit = float(parameters["time_limit"])
    spec = with_overrides(selectors.flow_spec(job.flow), parameters.get("overrides"))
    stop = threading.Event()
    found: list[Progress] = []  # the latest report, replaced as better ones come
    ended_by: list[Exception] = []  # why the watcher stopped the search, if it did

    def watch() -> None:
        told: Progress | None = None
        last = checked = time.monotonic()
        while not stop.wait(0.05):
            now = time.monotonic()
            latest = found[-1] if found else None
            if latest is not None and latest is not told and now - last >= PROGRESS_SECONDS:
                told, last = latest, now
                share = min(0.99, latest.seconds / time_limit)
                so_far = {"best": latest.best, "bound": latest.bound}
                models.SimulationJob.objects.filter(pk=job.pk).update(progress=share, result=so_far)
                job.progress, job.result = share, so_far
                push(job.pk, job_state(job))
            if job.pk in _cancelled:
                ended_by.append(SimulationCancelled())
                stop.set()
            elif now - checked >= 0.5:
                checked = now
                try:
                    _check(job.pk, me)
                except (SimulationCancelled, JobTakenOver) as error:
                    ended_by.append(error)
                    stop.set()
        connection.close()

    def note(report: Progress) -> None:
        found[:] = [report]

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        result = optimisation_compute(
            spec,
            blueprint=parameters["blueprint"],
            time_limit=time_limit,
            progress=note,
            stop=stop,
        )
        stopped = stop.is_set()
    finally:
        stop.set()
        watcher.join()
    if stopped:
        raise ended_by[0] if ended_by else SimulationCancelled()
    return result


def simulation_job_cancel(job: models.SimulationJob) -> models.SimulationJob:
    """Stop a job: one not started yet never starts; a running one stops at its next chunk."""
    State = models.SimulationJob.State
    if job.state in (State.QUEUED, State.RUNNING):
        _cancelled.add(job.pk)
        models.SimulationJob.objects.filter(pk=job.pk).update(cancel_requested=True)
        if models.SimulationJob.objects.filter(pk=job.pk, state=State.QUEUED).update(
            state=State.CANCELLED
        ):
            _cancelled.discard(job.pk)
            job.refresh_from_db()
            _push(job.pk, job_state(job))
        job.refresh_from_db()
    return job
