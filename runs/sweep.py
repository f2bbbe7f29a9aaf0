"""What keeps runs going when their steps travel between processes (Celery): leases on the
attempts that execute a deployer's action, and the sweep that finds due work whose step
was lost.

Every timer lives in the database: a simulated attempt ends at its `due_at`, a run is
advanced again at its `wake_at` (a phase's barrier after the handoff and sync, a retry's
backoff). The broker delivers each step at its moment; when a message is lost (a worker
killed holding it, a web process that died before sending it, a broker restarted), the
moment passes with nothing recorded, and the sweep sends the step again. Every step is
idempotent, so a step sent twice is harmless; an action is never executed by two workers at
once, because a worker takes the attempt's lease before it calls the action.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from runs import engine
from runs.models import Run, TaskRun

# Seconds a lease outlives the action's time limit: the worker's own hard limit comes first.
LEASE_MARGIN = 3.0
HARD_LIMIT_AFTER = 2.0  # the worker kills an action this long after its soft limit
# An attempt whose worker was lost this many times fails instead of being taken again.
MAX_CLAIMS = 3
IN_FLIGHT = ("running", "compensating")


def time_limit(executor: str) -> float:
    """Seconds the registered action (or compensation) of `executor` may run on a worker."""
    limits = settings.VIVIDO_ACTION_TIME_LIMITS
    return float(limits.get(executor, settings.VIVIDO_ACTION_TIME_LIMIT))


def registered(start: engine.Start) -> bool:
    """Whether the attempt executes a deployer's callable (else it is simulated: it ends)."""
    return start.executor != "simulated"


@dataclass
class Claim:
    """The outcome of asking for an attempt's lease: `taken`, or an `overdue` attempt that
    lost its worker too often (the caller records it failed), or neither (someone holds it
    or it is over)."""

    taken: bool = False
    overdue: str = ""


def claim(start: engine.Start, now: datetime | None = None) -> Claim:
    """Take the attempt's lease for its time limit, unless a live worker holds it. Under the
    run's lock, like every step: of two workers asking at once one takes it, and none takes
    an attempt that a step (a cancel, fail fast) has just ended."""
    with transaction.atomic():
        Run.objects.select_for_update().filter(pk=start.run_id).values_list("pk").first()
        return _claim(start, now or timezone.now())


def _claim(start: engine.Start, now: datetime) -> Claim:
    state = "compensating" if start.compensation else "running"
    limit = time_limit(start.executor)
    mine = TaskRun.objects.filter(
        run_id=start.run_id, key=start.key, attempts=start.attempt, state=state
    ).filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
    overdue = mine.filter(claims__gte=MAX_CLAIMS)
    if overdue.exists():
        return Claim(
            overdue=f"its worker was lost {MAX_CLAIMS} times (killed, or over its time limit "
            f"of {limit:g} s)"
        )
    lease = now + timedelta(seconds=limit + HARD_LIMIT_AFTER + LEASE_MARGIN)
    taken = mine.filter(claims__lt=MAX_CLAIMS).update(lease_until=lease, claims=F("claims") + 1)
    return Claim(taken=taken == 1)


@dataclass
class Lost:
    """What one sweep found: attempts to end or execute again, runs to advance."""

    starts: list[engine.Start] = field(default_factory=list)
    advance: list[int] = field(default_factory=list)


def lost_steps(now: datetime | None = None) -> Lost:
    """Due work with no live step: simulated attempts and compensations past their end,
    actions whose lease ran out (or that no worker took in time), running runs past their
    wake-up. Each run is taken by one sweep at a time (`swept_at`), so two sweeps at once
    never both send its steps."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.VIVIDO_SWEEP_GRACE_SECONDS)
    candidates = (
        Run.objects.filter(status__in=("running", "paused"))
        .filter(
            Q(status="running", wake_at__lt=cutoff)
            | Q(tasks__state__in=IN_FLIGHT, tasks__due_at__lt=cutoff)
            | Q(tasks__state__in=IN_FLIGHT, tasks__lease_until__lt=now)
            | Q(
                tasks__state__in=IN_FLIGHT,
                tasks__lease_until__isnull=True,
                tasks__executor__in=[*settings.VIVIDO_ACTIONS, *settings.VIVIDO_COMPENSATIONS],
            )
        )
        .exclude(swept_at__gte=cutoff)
        .values_list("pk", flat=True)
        .distinct()
    )
    lost = Lost()
    for run_id in candidates:
        fresh = Q(swept_at__isnull=True) | Q(swept_at__lt=cutoff)
        if Run.objects.filter(fresh, pk=run_id).update(swept_at=now) != 1:
            continue  # another sweep has it
        run = Run.objects.defer("document").get(pk=run_id)
        tasks = list(run.tasks.order_by("position"))
        by_key = {t.key: t for t in tasks}
        for start in engine.in_flight(run, tasks, now):
            task = by_key[start.key]
            if not registered(start):
                if start.due_at < cutoff:
                    lost.starts.append(start)
            elif task.lease_until is None:
                began = task.started_at if not start.compensation else task.due_at
                if began is None or began < cutoff:
                    lost.starts.append(start)
            elif task.lease_until < now:
                lost.starts.append(start)
        if run.status == "running" and run.wake_at is not None and run.wake_at < cutoff:
            lost.advance.append(run_id)
    return lost
