"""What keeps runs going across processes (runs/sweep.py): the sweep finds due work whose
step was lost, and only that; two sweeps at once never both take a run; an action's lease
lets one worker execute an attempt at a time, and an attempt that keeps losing its worker
fails."""

from datetime import timedelta

from django.test import override_settings
from django.utils import timezone

from designer import services
from runs import engine
from runs.models import Run
from runs.sweep import MAX_CLAIMS, claim, lost_steps
from tests.factories import flow_document

ACTIONS = {"notify": "tests.runs.actions.record"}


def start(owner, document, **settings):
    flow = services.flow_import(owner=owner, document=document)
    return engine.run_start(
        flow=flow,
        user=owner,
        blueprint=settings.pop("blueprint", "parallel"),
        failure_policy=settings.pop("failure_policy", "retry_and_proceed"),
        time_scale=settings.pop("time_scale", 1.0),
        seed=1,
        **settings,
    )


@override_settings(VIVIDO_SWEEP_GRACE_SECONDS=2)
def test_an_attempt_past_its_end_is_found_once_its_grace_has_passed(alice):
    _run, step = start(alice, flow_document({"A": 1, "B": 3}))
    due = {s.key: s.due_at for s in step.starts}
    assert lost_steps(due["A"] + timedelta(seconds=1)).starts == []  # still in its grace
    later = due["A"] + timedelta(seconds=2.5)
    found = lost_steps(later)
    assert [(s.key, s.attempt, s.due_at) for s in found.starts] == [("A", 1, due["A"])]
    assert found.advance == []
    # A second sweep at the same moment finds the run already taken.
    assert lost_steps(later).starts == []


@override_settings(VIVIDO_SWEEP_GRACE_SECONDS=1)
def test_a_run_past_its_wake_up_is_advanced_by_the_sweep(alice):
    # Hybrid: the second phase opens after the handoff and the sync, a wake-up of the run.
    document = flow_document(
        {"A": 1, "B": 1},
        [("A", "B")],
        handoff_delay=0.5,
        sync_overhead=0.25,
        phases=[{"name": "One"}, {"name": "Two"}],
    )
    document["tasks"][0]["phase"], document["tasks"][1]["phase"] = "One", "Two"
    run, step = start(alice, document, blueprint="hybrid")
    assert [s.key for s in step.starts] == ["A"]
    after = engine.task_finish(run.pk, "A", 1, succeeded=True)
    assert after.starts == [] and after.wake_at is not None
    run.refresh_from_db()
    assert run.wake_at == after.wake_at  # kept in the database
    found = lost_steps(after.wake_at + timedelta(seconds=1.5))
    assert found.advance == [run.pk] and found.starts == []


@override_settings(VIVIDO_ACTIONS=ACTIONS, VIVIDO_ACTION_TIME_LIMITS={"notify": 10})
def test_an_action_is_executed_by_one_worker_at_a_time(alice):
    document = flow_document({"A": 1})
    document["tasks"][0]["executor"] = "notify"
    _run, step = start(alice, document)
    [attempt] = step.starts
    now = timezone.now()
    assert claim(attempt, now).taken
    assert not claim(attempt, now).taken  # a second worker keeps off
    # While the lease holds, the sweep leaves the attempt alone; once it lapses (the worker
    # died), the attempt is sent again and another worker may take it.
    assert lost_steps(now + timedelta(seconds=5)).starts == []
    lapsed = now + timedelta(seconds=60)
    assert [s.key for s in lost_steps(lapsed).starts] == ["A"]
    assert claim(attempt, lapsed).taken


@override_settings(VIVIDO_ACTIONS=ACTIONS)
def test_an_attempt_that_keeps_losing_its_worker_is_given_up(alice):
    document = flow_document({"A": 1})
    document["tasks"][0]["executor"] = "notify"
    _run, step = start(alice, document)
    [attempt] = step.starts
    moment = timezone.now()
    for _ in range(MAX_CLAIMS):
        assert claim(attempt, moment).taken
        moment += timedelta(hours=1)  # each lease lapses: the worker was lost
    given_up = claim(attempt, moment)
    assert not given_up.taken
    assert (
        given_up.overdue == "its worker was lost 3 times (killed, or over its time limit of 300 s)"
    )


def test_a_finished_run_is_never_swept(alice):
    run, _step = start(alice, flow_document({"A": 1}))
    engine.task_finish(run.pk, "A", 1, succeeded=True)
    assert Run.objects.get(pk=run.pk).status == "succeeded"
    assert lost_steps(timezone.now() + timedelta(days=1)).starts == []
