"""Failure policies under every blueprint, driven on a simulated clock so times are exact:
skips follow the flow's hard dependencies, fail fast acts even during a pause, compensation
is executed one attempt at a time, and a failed run can be re-run from its failure."""

from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest
from django.test import override_settings
from django.utils import timezone

from designer import services
from runs import dispatch, engine
from runs.models import Run
from tests.factories import flow_document
from tests.runs import actions

EPOCH = datetime(2030, 1, 1, tzinfo=UTC)


class Clock:
    """Stands in for `timezone.now`, so the engine's times are the simulated ones."""

    def __init__(self) -> None:
        self.now = EPOCH

    def __call__(self) -> datetime:
        return self.now

    def at(self, when: datetime) -> None:
        self.now = max(self.now, when)

    def units(self, when: datetime | None) -> float | None:
        return None if when is None else (when - EPOCH).total_seconds()


@pytest.fixture
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr(timezone, "now", fake)
    # Plans are cached by run id and creation time, which the fake clock makes repeat.
    monkeypatch.setattr(engine, "_CONTEXTS", {})
    return fake


def simulate(clock, step, *, fails=(), limit=500):
    """Run every dispatched attempt to its end at its due time, as the dispatcher's timers
    would: attempts of the tasks in `fails` fail, the rest as drawn; actions and
    compensations go through the dispatcher's own functions."""
    pending = list(step.starts)
    wakes = [step.wake_at] if step.wake_at else []
    run_id = step.run_id
    for _ in range(limit):
        if not pending and not wakes:
            return
        next_start = min(pending, key=lambda s: s.due_at, default=None)
        next_wake = min(wakes, default=None)
        if next_start is not None and (next_wake is None or next_start.due_at <= next_wake):
            pending.remove(next_start)
            clock.at(next_start.due_at)
            step = finish(next_start, fails)
        else:
            wakes.remove(next_wake)
            clock.at(next_wake)
            step = engine.run_advance(run_id)
        pending.extend(step.starts)
        if step.wake_at:
            wakes.append(step.wake_at)
    raise AssertionError("the run did not settle")


def finish(start, fails=()):
    if start.compensation:
        return dispatch.execute_compensation(start)
    if start.executor not in ("simulated", "manual"):
        return dispatch.execute_action(start)
    ok = start.key not in fails and not start.fails
    return engine.task_finish(
        start.run_id, start.key, start.attempt, succeeded=ok, error="" if ok else "boom"
    )


def flow(owner, document):
    return services.flow_import(owner=owner, document=document)


def begin(owner, document, **options):
    defaults = {
        "blueprint": "parallel",
        "failure_policy": "fail_fast",
        "time_scale": 1.0,
        "seed": 7,
    }
    return engine.run_start(flow=flow(owner, document), user=owner, **{**defaults, **options})


def states(run):
    return {t.key: t.state for t in run.tasks.all()}


def reasons(run):
    return {
        e.task: e.data["reason"]
        for e in run.events.filter(kind="task")
        if e.data["to"] in ("skipped", "cancelled") and "reason" in e.data
    }


def transitions(run):
    return [(e.task, e.data["to"]) for e in run.events.filter(kind="task")]


def times(clock, run, to):
    """When each task moved to `to`, in simulated units, in event order."""
    return [(e.task, clock.units(e.at)) for e in run.events.filter(kind="task", data__to=to)]


def assert_gap_free(run):
    seqs = list(run.events.values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))


def policy_flow():
    """A → B → C → F and A → D → E, with X after B by a soft dependency only.
    Phases for hybrid: One = A, B, D; Two = C, E, F, X. B is the task that fails."""
    document = flow_document(
        {"A": 1, "B": 1, "C": 1, "D": 2, "E": 1, "F": 1, "X": 1.5},
        [("A", "B"), ("B", "C"), ("C", "F"), ("A", "D"), ("D", "E"), ("B", "X", "soft")],
        phases=[{"name": "One"}, {"name": "Two"}],
    )
    for task in document["tasks"]:
        task["phase"] = "One" if task["key"] in "ABD" else "Two"
    return document


NEEDS_B = {"C": "needs B, which failed", "F": "needs C, which was skipped"}
STOPPED = "stopped by fail fast: B failed"

# Final states when B fails, by policy and blueprint.
EXPECTED = {
    "fail_fast": {
        # X (no hard predecessor) ran from 0 to 1.5; D was running when B failed at 2.
        "parallel": (
            {"A": "succeeded", "B": "failed", "C": "skipped", "D": "cancelled"}
            | {"E": "skipped", "F": "skipped", "X": "succeeded"},
            {"C": STOPPED, "D": STOPPED, "E": STOPPED, "F": STOPPED},
        ),
        # One at a time: nothing else was running when B failed.
        "sequential": (
            {"A": "succeeded", "B": "failed", "C": "skipped", "D": "skipped"}
            | {"E": "skipped", "F": "skipped", "X": "skipped"},
            {k: STOPPED for k in "CDEFX"},
        ),
        "hybrid": (
            {"A": "succeeded", "B": "failed", "C": "skipped", "D": "cancelled"}
            | {"E": "skipped", "F": "skipped", "X": "skipped"},
            {k: STOPPED for k in "CDEFX"},
        ),
    },
    "retry_and_proceed": {
        blueprint: (
            {"A": "succeeded", "B": "failed", "C": "skipped", "D": "succeeded"}
            | {"E": "succeeded", "F": "skipped", "X": "succeeded"},
            NEEDS_B,
        )
        for blueprint in ("parallel", "sequential", "hybrid")
    },
    "continue_with_compensation": {
        blueprint: (
            {"A": "compensated", "B": "failed", "C": "skipped", "D": "compensated"}
            | {"E": "compensated", "F": "skipped", "X": "compensated"},
            NEEDS_B,
        )
        for blueprint in ("parallel", "sequential", "hybrid")
    },
}

CASES = [(p, b) for p in EXPECTED for b in ("sequential", "hybrid", "parallel")]


@pytest.mark.parametrize(("policy", "blueprint"), CASES)
def test_each_policy_under_each_blueprint(alice, clock, policy, blueprint):
    run, step = begin(alice, policy_flow(), blueprint=blueprint, failure_policy=policy)
    simulate(clock, step, fails={"B"})
    run.refresh_from_db()
    assert run.status == "failed"
    final, why = EXPECTED[policy][blueprint]
    assert states(run) == final
    assert reasons(run) == why
    b_attempts = 3 if policy == "retry_and_proceed" else 1
    assert run.tasks.get(key="B").attempts == b_attempts
    assert run.events.filter(kind="run").last().data == {"from": "running", "to": "failed"}
    assert_gap_free(run)


def test_sequential_runs_later_tasks_that_do_not_need_the_failure(alice, clock):
    run, step = begin(
        alice, policy_flow(), blueprint="sequential", failure_policy="retry_and_proceed"
    )
    simulate(clock, step, fails={"B"})
    started = [task for task, to in transitions(run) if to == "running"]
    assert started == ["A", "B", "B", "B", "D", "E", "X"]
    # Still one at a time: every start at or after the previous task's end.
    spans = []
    for e in run.events.filter(kind="task"):
        if e.data["to"] == "running":
            spans.append([clock.units(e.at), None])
        elif e.data["to"] in ("succeeded", "failed"):
            spans[-1][1] = clock.units(e.at)
    assert all(b[0] >= a[1] for a, b in pairwise(spans))


def test_hybrid_barrier_opens_when_the_previous_phase_has_ended(alice, clock):
    document = policy_flow()
    document["handoff_delay"], document["sync_overhead"] = 0.5, 0.25
    run, step = begin(
        alice, document, blueprint="hybrid", failure_policy="continue_with_compensation"
    )
    simulate(clock, step, fails={"B"})
    # Phase One: A 0–1, then B and D after h; B fails at 2.5, D ends at 3.5. C is skipped at
    # once; phase Two opens at 3.5 + h + s = 4.25.
    assert times(clock, run, "skipped") == [("C", 2.5), ("F", 2.5)]
    assert dict(times(clock, run, "running"))["E"] == 4.25
    assert dict(times(clock, run, "running"))["X"] == 4.25


def test_hybrid_barrier_counts_a_skipped_task_as_ended(alice, clock):
    # Phase One: A fails, B (needs A) is skipped; phase Two's C needs nothing and runs.
    document = flow_document(
        {"A": 1, "B": 1, "C": 1}, [("A", "B")], phases=[{"name": "One"}, {"name": "Two"}]
    )
    for task, phase in zip(document["tasks"], ["One", "One", "Two"], strict=True):
        task["phase"] = phase
    run, step = begin(
        alice, document, blueprint="hybrid", failure_policy="continue_with_compensation"
    )
    simulate(clock, step, fails={"A"})
    run.refresh_from_db()
    assert states(run) == {"A": "failed", "B": "skipped", "C": "compensated"}
    assert reasons(run) == {"B": "needs A, which failed"}
    assert dict(times(clock, run, "running"))["C"] == 1.0


def pause_flow():
    """A, then B, C and D side by side; F after C, G after D."""
    return flow_document(
        {"A": 1, "B": 1, "C": 2, "D": 2, "F": 1, "G": 1},
        [("A", "B"), ("A", "C"), ("A", "D"), ("C", "F"), ("D", "G")],
    )


@pytest.mark.parametrize("blueprint", ["parallel", "hybrid"])
def test_fail_fast_during_a_pause_ends_the_run_at_once(alice, clock, blueprint):
    run, step = begin(alice, pause_flow(), blueprint=blueprint)
    [a] = step.starts
    clock.at(a.due_at)
    step = engine.task_finish(run.pk, "A", 1, succeeded=True)
    assert sorted(s.key for s in step.starts) == ["B", "C", "D"]
    engine.run_control(run.pk, "pause", by="alice")
    b = next(s for s in step.starts if s.key == "B")
    clock.at(b.due_at)
    after = engine.task_finish(run.pk, "B", 1, succeeded=False, error="boom")
    assert after.starts == [] and after.wake_at is None
    run.refresh_from_db()
    assert run.status == "failed"
    assert states(run) == {
        "A": "succeeded",
        "B": "failed",
        "C": "cancelled",
        "D": "cancelled",
        "F": "skipped",
        "G": "skipped",
    }
    assert set(reasons(run).values()) == {STOPPED}
    last = run.events.filter(kind="run").last()
    assert last.data == {"from": "paused", "to": "failed"}
    count = run.events.count()
    # The cancelled attempts' timers still fire; nothing changes, and nothing resumes.
    for late in step.starts:
        if late.key != "B":
            clock.at(late.due_at)
            assert engine.task_finish(run.pk, late.key, 1, succeeded=True).starts == []
    with pytest.raises(engine.RunConflict, match="cannot resume"):
        engine.run_control(run.pk, "resume", by="alice")
    assert run.events.count() == count
    assert [to for _, to in transitions(run)].count("running") == 4


def test_a_manual_failure_during_a_pause_fails_fast(alice, clock):
    document = pause_flow()
    document["tasks"][1]["executor"] = "manual"  # B
    run, step = begin(alice, document)
    clock.at(step.starts[0].due_at)
    engine.task_finish(run.pk, "A", 1, succeeded=True)
    engine.task_manual(run.pk, "B", "start", by="alice")
    engine.run_control(run.pk, "pause", by="alice")
    engine.task_manual(run.pk, "B", "fail", by="alice", error="no")
    run.refresh_from_db()
    assert run.status == "failed"
    assert states(run)["C"] == states(run)["D"] == "cancelled"
    assert states(run)["F"] == states(run)["G"] == "skipped"


def compensation_flow():
    """A → B → C and A → D: C fails, so B, D and A are compensated. Optimistic durations
    differ from likely ones so a compensation's length is recognisable."""
    return flow_document(
        {"A": (0.5, 1, 2), "B": (0.25, 1, 1), "C": 1, "D": (1.5, 3, 3)},
        [("A", "B"), ("B", "C"), ("A", "D")],
    )


def test_compensation_runs_one_attempt_at_a_time_newest_finish_first(alice, clock):
    run, step = begin(
        alice, compensation_flow(), failure_policy="continue_with_compensation", seed=3
    )
    pending = list(step.starts)
    compensations = []
    while pending:
        pending.sort(key=lambda s: s.due_at)
        start = pending.pop(0)
        clock.at(start.due_at)
        if start.compensation:
            task = run.tasks.get(key=start.key)
            assert task.state == "compensating"
            assert sum(t.state == "compensating" for t in run.tasks.all()) == 1  # one at a time
            compensations.append(start)
        step = finish(start, fails={"C"})
        pending.extend(step.starts)
    run.refresh_from_db()
    assert run.status == "failed"
    assert states(run) == {
        "A": "compensated",
        "B": "compensated",
        "C": "failed",
        "D": "compensated",
    }
    finished = {t.key: t.finished_at for t in run.tasks.all()}
    assert [s.key for s in compensations] == sorted("ABD", key=finished.get, reverse=True)
    # Each is an attempt of the optimistic duration (time scale 1), simulated.
    optimistic = {"A": 0.5, "B": 0.25, "D": 1.5}
    events = run.events.filter(kind="task", data__compensation=True)
    pairs = [(e.task, e.data["from"], e.data["to"], e.data["attempt"]) for e in events]
    expected = []
    for s in compensations:
        assert s.executor == "simulated" and not s.fails
        assert s.attempt == run.tasks.get(key=s.key).attempts == 1
        expected += [
            (s.key, "succeeded", "compensating", 1),
            (s.key, "compensating", "compensated", 1),
        ]
    assert pairs == expected
    starts = {e.task: e.at for e in events if e.data["to"] == "compensating"}
    ends = {e.task: e.at for e in events if e.data["to"] == "compensated"}
    for key, units in optimistic.items():
        assert (ends[key] - starts[key]).total_seconds() == units
    assert run.finished_at == max(ends.values())
    assert_gap_free(run)


def test_a_compensation_is_a_start_due_after_the_optimistic_duration(alice, clock):
    document = flow_document({"A": (2, 3, 4), "B": 1}, [("A", "B")])
    run, step = begin(alice, document, failure_policy="continue_with_compensation", time_scale=0.5)
    clock.at(step.starts[0].due_at)
    step = engine.task_finish(run.pk, "A", 1, succeeded=True)
    clock.at(step.starts[0].due_at)
    step = engine.task_finish(run.pk, "B", 1, succeeded=False, error="boom")
    [start] = step.starts
    assert start.compensation and start.key == "A" and start.attempt == 1
    assert start.due_at == clock.now + timedelta(seconds=2 * 0.5)
    run.refresh_from_db()
    assert run.status == "running"
    assert states(run) == {"A": "compensating", "B": "failed"}
    # Idempotent: a second outcome for the same compensation changes nothing.
    clock.at(start.due_at)
    engine.compensation_finish(run.pk, "A", 1, succeeded=True)
    count = run.events.count()
    assert engine.compensation_finish(run.pk, "A", 1, succeeded=False, error="late").starts == []
    assert run.events.count() == count
    run.refresh_from_db()
    assert run.status == "failed" and states(run)["A"] == "compensated"


ACTIONS = {"notify": "tests.runs.actions.record", "print": "tests.runs.actions.record"}


def action_flow():
    document = flow_document({"A": 1, "B": 1, "C": 1}, [("A", "B"), ("B", "C")])
    for task, executor in zip(document["tasks"], ["notify", "print", "simulated"], strict=True):
        task["executor"] = executor
    return document


@override_settings(
    VIVIDO_ACTIONS=ACTIONS,
    VIVIDO_COMPENSATIONS={"notify": "tests.runs.actions.undo"},
)
def test_a_registered_compensation_action_is_called(alice, clock):
    actions.CALLS.clear()
    actions.UNDONE.clear()
    run, step = begin(alice, action_flow(), failure_policy="continue_with_compensation")
    simulate(clock, step, fails={"C"})
    run.refresh_from_db()
    assert run.status == "failed"
    assert actions.CALLS == [("A", 1), ("B", 1)]
    # B's executor has no compensation registered: simulated. A's runs the registered one.
    assert actions.UNDONE == [("A", 1)]
    assert states(run) == {"A": "compensated", "B": "compensated", "C": "failed"}
    assert [task for task, to in transitions(run) if to == "compensated"] == ["B", "A"]


@override_settings(
    VIVIDO_ACTIONS=ACTIONS,
    VIVIDO_COMPENSATIONS={"print": "tests.runs.actions.refuse"},
)
def test_a_compensation_that_raises_fails_the_task_and_the_next_goes_on(alice, clock):
    run, step = begin(alice, action_flow(), failure_policy="continue_with_compensation")
    simulate(clock, step, fails={"C"})
    run.refresh_from_db()
    assert run.status == "failed"
    assert states(run) == {"A": "compensated", "B": "failed", "C": "failed"}
    b = run.tasks.get(key="B")
    assert b.error == "compensation failed: RuntimeError: B could not reach the printer"
    failed = run.events.get(task="B", data__from="compensating")
    assert failed.data["to"] == "failed" and failed.data["compensation"] is True


def compensating(alice, clock):
    """A run of compensation_flow stopped while its first compensation is in progress."""
    run, step = begin(alice, compensation_flow(), failure_policy="continue_with_compensation")
    pending = list(step.starts)
    while pending:
        pending.sort(key=lambda s: s.due_at)
        start = pending.pop(0)
        if start.compensation:
            return run, start
        clock.at(start.due_at)
        pending.extend(finish(start, fails={"C"}).starts)
    raise AssertionError("no compensation started")


def test_cancel_during_compensation_cancels_the_compensating_task(alice, clock):
    run, start = compensating(alice, clock)
    engine.run_control(run.pk, "cancel", by="alice")
    run.refresh_from_db()
    assert run.status == "cancelled"
    now = states(run)
    assert now[start.key] == "cancelled"
    assert sorted(k for k, s in now.items() if s == "succeeded") == sorted(set("ABD") - {start.key})
    cancelled = run.events.get(task=start.key, data__to="cancelled")
    assert cancelled.data["compensation"] is True
    assert engine.compensation_finish(run.pk, start.key, start.attempt, succeeded=True).starts == []
    assert states(run)[start.key] == "cancelled"


def test_recover_redispatches_a_compensation_in_flight(alice, clock):
    run, start = compensating(alice, clock)
    recovered = engine.run_recover(run.pk)
    assert recovered.starts == [start]
    simulate(clock, recovered)
    run.refresh_from_db()
    assert run.status == "failed"
    assert states(run) == {
        "A": "compensated",
        "B": "compensated",
        "C": "failed",
        "D": "compensated",
    }


def test_a_pause_holds_the_next_compensation(alice, clock):
    run, start = compensating(alice, clock)
    engine.run_control(run.pk, "pause", by="alice")
    clock.at(start.due_at)
    held = engine.compensation_finish(run.pk, start.key, start.attempt, succeeded=True)
    assert held.starts == []
    assert "compensating" not in states(run).values()
    resumed = engine.run_control(run.pk, "resume", by="alice")
    [following] = resumed.starts
    assert following.compensation
    simulate(clock, resumed)
    run.refresh_from_db()
    assert run.status == "failed"


def test_rerun_carries_over_what_succeeded_and_runs_the_rest(alice, clock):
    old, step = begin(alice, policy_flow(), failure_policy="fail_fast", time_scale=0.5)
    simulate(clock, step, fails={"B"})
    old.refresh_from_db()
    assert old.status == "failed"
    clock.at(clock.now + timedelta(seconds=10))
    new, step = engine.run_rerun(run=old, user=alice)
    assert new.rerun_of == old
    assert list(old.reruns.all()) == [new]
    for field in ("document", "blueprint", "failure_policy", "max_retries", "time_scale"):
        assert getattr(new, field) == getattr(old, field)
    assert new.seed != old.seed
    assert sorted(s.key for s in step.starts) == ["B", "D"]
    carried = list(new.events.filter(kind="task", data__to="succeeded"))
    assert [e.task for e in carried] == ["A", "X"]
    for event in carried:
        assert event.data == {
            "from": "pending",
            "to": "succeeded",
            "attempt": 0,
            "by": f"run {old.pk}",
            "reason": f"carried over from run {old.pk}",
        }
    assert {t.key: t.finished_at for t in new.tasks.filter(key__in="AX")} == {
        "A": new.created_at,
        "X": new.created_at,
    }
    first = new.events.get(seq=1)
    assert first.data["rerun_of"] == old.pk
    simulate(clock, step)
    new.refresh_from_db()
    assert new.status == "succeeded"
    assert set(states(new).values()) == {"succeeded"}
    assert new.tasks.get(key="B").attempts == 1
    assert new.tasks.get(key="A").attempts == 0
    assert_gap_free(new)


def test_a_cancelled_run_can_be_rerun(alice, clock):
    old, step = begin(alice, policy_flow())
    clock.at(step.starts[0].due_at)
    engine.task_finish(old.pk, "A", 1, succeeded=True)
    engine.run_control(old.pk, "cancel", by="alice")
    new, step = engine.run_rerun(run=Run.objects.get(pk=old.pk), user=alice)
    assert states(new)["A"] == "succeeded"
    assert new.status == "running"
    assert {s.key for s in step.starts} == {"B", "D", "X"}


def test_only_a_failed_or_cancelled_run_can_be_rerun(alice, clock):
    running, step = begin(alice, policy_flow())
    with pytest.raises(engine.RunConflict, match="is running: only a failed or cancelled run"):
        engine.run_rerun(run=running, user=alice)
    simulate(clock, step)
    running.refresh_from_db()
    assert running.status == "succeeded"
    with pytest.raises(engine.RunConflict, match="is succeeded: only a failed or cancelled"):
        engine.run_rerun(run=running, user=alice)
    assert Run.objects.count() == 1
