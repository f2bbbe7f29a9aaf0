"""Background simulation jobs: starting, running, cancelling (every write of a job).

Every simulation gets a cost estimate before it starts (`selectors.simulation_cost`). A
cheap one runs inside the request; one above VIVIDO_SIMULATION_BACKGROUND_COST becomes a
`SimulationJob` run by a small pool of worker threads in this process, started on first
use. The job reports its progress (stored, and pushed to the job's websocket group), stops
between chunks of iterations when cancelled, and keeps its result as a `Simulation` when
it ends.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import close_old_connections, connection, transaction

from designer import models, selectors
from designer.simulations.selectors import job_state
from designer.simulations.services import simulation_create

logger = logging.getLogger(__name__)


class SimulationCancelled(Exception):
    """Raised from the progress callback when the job's owner cancelled it."""


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


def _background() -> bool:
    return getattr(settings, "VIVIDO_SIMULATION_JOBS", "thread") == "thread"


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
    pool = _pool() if _background() else None
    job = models.SimulationJob.objects.create(
        flow=flow, created_by=user, parameters=parameters, cost=cost, kind=kind
    )
    if pool is None:
        run_simulation_job(job.pk)  # tests: run in the request, synchronously
        job.refresh_from_db()
    else:
        transaction.on_commit(lambda: _futures.__setitem__(job.pk, pool.submit(_run, job.pk)))
    return job


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


def run_simulation_job(job_id: int) -> None:
    """Run a queued job to its end: succeeded with its result kept, failed, or cancelled."""
    State = models.SimulationJob.State
    started = models.SimulationJob.objects.filter(pk=job_id, state=State.QUEUED).update(
        state=State.RUNNING
    )
    job = models.SimulationJob.objects.select_related("flow").get(pk=job_id)
    if not started:
        return  # cancelled before it started
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
        # A cancel asked through another process shows in the row.
        if models.SimulationJob.objects.filter(pk=job_id, cancel_requested=True).exists():
            raise SimulationCancelled
        models.SimulationJob.objects.filter(pk=job_id).update(progress=share)
        job.progress = share
        _push(job_id, job_state(job))

    try:
        if job.kind == models.SimulationJob.Kind.OPTIMISATION:
            simulation = None
            job.result = _optimisation(job, push=_push)
        else:
            simulation = simulation_create(
                flow=job.flow, user=job.created_by, progress=progress, **job.parameters
            )
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
    job.save(update_fields=["state", "progress", "error", "simulation", "result", "updated_at"])
    _push(job_id, job_state(job))


def _optimisation(job: models.SimulationJob, push: Any) -> dict[str, Any]:
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
                stop.set()
            elif now - checked >= 0.5:
                checked = now
                if models.SimulationJob.objects.filter(pk=job.pk, cancel_requested=True).exists():
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
        cancelled = stop.is_set()
    finally:
        stop.set()
        watcher.join()
    if cancelled:
        raise SimulationCancelled
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
