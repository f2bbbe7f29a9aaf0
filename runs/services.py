"""Every write to runs that the API asks for: the engine decides in its transaction, and
what it decided to start is dispatched (to the embedded workers or Celery) afterwards."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser

from designer.models import Flow
from runs import engine
from runs.dispatch import dispatch
from runs.models import Run


def run_start(*, flow: Flow, user: AbstractBaseUser, **options: Any) -> Run:
    """Start a run of the flow as it is now (blueprint, failure policy, time scale …)."""
    run, step = engine.run_start(flow=flow, user=user, **options)
    dispatch(step)
    return run


def run_rerun(*, run: Run, user: AbstractBaseUser) -> Run:
    """Re-run from failure: what succeeded is carried over, the rest runs again."""
    new, step = engine.run_rerun(run=run, user=user)
    dispatch(step)
    return new


def run_control(*, run: Run, action: str, by: str) -> Run:
    """Cancel, pause or resume a run; the run as it stands afterwards."""
    dispatch(engine.run_control(run.pk, action, by=by))
    run.refresh_from_db()
    return run


def task_act(*, run: Run, key: str, action: str, by: str, error: str = "") -> Run:
    """Start, complete or fail a manual task of a run; the run as it stands afterwards."""
    dispatch(engine.task_manual(run.pk, key, action, by=by, error=error))
    run.refresh_from_db()
    return run
