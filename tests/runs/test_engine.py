"""The run engine, driven step by step as the dispatcher would: policies, pools, manual
tasks, pause and resume, idempotent outcomes and gap-free events."""

import time

import pytest
from django.utils import timezone

from designer import services
from runs import engine
from runs.models import Run, RunEvent
from tests.factories import content_document, flow_document


def make_flow(owner, document):
    return services.flow_import(owner=owner, document=document)


def drive(step, *, outcome=None, limit=500):
    """Run every dispatched attempt to its end, earliest due first, like the embedded
    dispatcher's timers; `outcome(start)` may override whether an attempt succeeds (a
    compensation attempt always does)."""
    pending = list(step.starts)
    wake = step.wake_at
    for _ in range(limit):
        if pending:
            pending.sort(key=lambda s: s.due_at)
            start = pending.pop(0)
            if start.compensation:
                step = engine.compensation_finish(
                    start.run_id, start.key, start.attempt, succeeded=True
                )
                pending.extend(step.starts)
                wake = step.wake_at
                continue
            ok = not start.fails if outcome is None else outcome(start)
            step = engine.task_finish(
                start.run_id, start.key, start.attempt, succeeded=ok, error="" if ok else "boom"
            )
        elif wake is not None:
            time.sleep(max(0.0, (wake - timezone.now()).total_seconds()) + 0.002)
            run_id = Run.objects.latest("pk").pk
            step = engine.run_advance(run_id)
        else:
            return
        pending.extend(step.starts)
        wake = step.wake_at
    raise AssertionError("the run did not settle")


def states(run):
    return {t.key: t.state for t in run.tasks.all()}


def transitions(run):
    return [(e.task, e.data["to"]) for e in run.events.filter(kind="task")]


def start(flow, alice, **options):
    defaults = {
        "blueprint": "parallel",
        "failure_policy": "fail_fast",
        "time_scale": 0.001,
        "seed": 7,
    }
    return engine.run_start(flow=flow, user=alice, **{**defaults, **options})


def assert_gap_free(run):
    seqs = list(run.events.values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
    run.refresh_from_db()
    assert run.last_seq == len(seqs)


def test_a_parallel_run_succeeds_in_dependency_order(alice):
    flow = make_flow(alice, content_document(handoff_delay=0, sync_overhead=0))
    run, step = start(flow, alice)
    assert [s.key for s in step.starts] == ["T1"]
    drive(step)
    run.refresh_from_db()
    assert run.status == "succeeded"
    assert set(states(run).values()) == {"succeeded"}
    started = [task for task, to in transitions(run) if to == "running"]
    assert started.index("T2") < started.index("T3") < started.index("T5")
    assert started.index("T4") < started.index("T5") < started.index("T6") < started.index("T7")
    assert_gap_free(run)
    assert RunEvent.objects.filter(run=run, kind="run").count() == 2


def test_pool_capacity_is_respected_at_every_instant(alice):
    document = flow_document(
        {f"T{n}": 1 for n in range(1, 7)}, resources=[{"name": "Crew", "capacity": 2}]
    )
    for task in document["tasks"]:
        task["resources"] = {"Crew": 1}
    run, step = start(make_flow(alice, document), alice)
    assert len(step.starts) == 2
    drive(step)
    running = peak = 0
    for _, to in transitions(run):
        running += 1 if to == "running" else -1 if to == "succeeded" else 0
        peak = max(peak, running)
    assert peak == 2
    run.refresh_from_db()
    assert run.status == "succeeded"


def test_sequential_runs_one_task_at_a_time(alice):
    flow = make_flow(alice, content_document(handoff_delay=0, sync_overhead=0))
    run, step = start(flow, alice, blueprint="sequential")
    drive(step)
    order = [task for task, to in transitions(run) if to == "running"]
    assert order == ["T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8", "T9"]


def branching():
    # A → B → C and A → D → E: two branches after A.
    return flow_document(
        {"A": 1, "B": 1, "C": 1, "D": 3, "E": 1}, [("A", "B"), ("B", "C"), ("A", "D"), ("D", "E")]
    )


def fails(*keys):
    return lambda s: s.key not in keys


def test_fail_fast_cancels_running_and_skips_the_rest(alice):
    run, step = start(make_flow(alice, branching()), alice, failure_policy="fail_fast")
    drive(step, outcome=fails("B"))
    run.refresh_from_db()
    assert run.status == "failed"
    assert states(run) == {
        "A": "succeeded",
        "B": "failed",
        "C": "skipped",
        "D": "cancelled",
        "E": "skipped",
    }
    assert_gap_free(run)


def test_continue_with_compensation(alice):
    run, step = start(
        make_flow(alice, branching()), alice, failure_policy="continue_with_compensation"
    )
    drive(step, outcome=fails("B"))
    run.refresh_from_db()
    assert run.status == "failed"
    assert states(run) == {
        "A": "compensated",
        "B": "failed",
        "C": "skipped",
        "D": "compensated",
        "E": "compensated",
    }
    compensated = [task for task, to in transitions(run) if to == "compensated"]
    assert compensated == ["E", "D", "A"]  # reverse order of finishing
    assert_gap_free(run)


def test_retry_and_proceed_retries_then_lets_independent_branches_finish(alice):
    run, step = start(
        make_flow(alice, branching()), alice, failure_policy="retry_and_proceed", max_retries=2
    )
    drive(step, outcome=fails("B"))
    run.refresh_from_db()
    assert run.status == "failed"
    assert states(run) == {
        "A": "succeeded",
        "B": "failed",
        "C": "skipped",
        "D": "succeeded",
        "E": "succeeded",
    }
    b = [to for task, to in transitions(run) if task == "B"]
    assert b == [
        "running",
        "failed",
        "retrying",
        "running",
        "failed",
        "retrying",
        "running",
        "failed",
    ]
    assert run.tasks.get(key="B").attempts == 3


def test_a_retry_that_succeeds_lets_the_branch_continue(alice):
    run, step = start(make_flow(alice, branching()), alice, failure_policy="retry_and_proceed")
    drive(step, outcome=lambda s: not (s.key == "B" and s.attempt == 1))
    run.refresh_from_db()
    assert run.status == "succeeded"
    assert run.tasks.get(key="B").attempts == 2


def test_hybrid_waits_for_the_phase_barrier(alice):
    document = flow_document({"A": 1, "B": 5, "C": 1}, phases=[{"name": "One"}, {"name": "Two"}])
    for task, phase in zip(document["tasks"], ["One", "One", "Two"], strict=True):
        task["phase"] = phase
    run, step = start(make_flow(alice, document), alice, blueprint="hybrid")
    assert sorted(s.key for s in step.starts) == ["A", "B"]
    drive(step)
    order = [(task, to) for task, to in transitions(run)]
    assert order.index(("C", "running")) > order.index(("B", "succeeded"))
    assert order.index(("C", "running")) > order.index(("A", "succeeded"))


def test_outcomes_are_idempotent(alice):
    run, step = start(make_flow(alice, branching()), alice)
    first = step.starts[0]
    engine.task_finish(run.pk, first.key, first.attempt, succeeded=True)
    count = run.events.count()
    again = engine.task_finish(run.pk, first.key, first.attempt, succeeded=False, error="late")
    assert again.starts == []
    assert run.events.count() == count
    assert run.tasks.get(key="A").state == "succeeded"


def test_manual_tasks_wait_for_a_person(alice):
    document = flow_document({"A": 1, "B": 1}, [("A", "B")])
    document["tasks"][0]["executor"] = "manual"
    run, step = start(make_flow(alice, document), alice)
    assert step.starts == []
    assert states(run)["A"] == "ready"
    with pytest.raises(engine.RunConflict, match="task B is pending: only a ready task can start"):
        engine.task_manual(run.pk, "B", "start", by="alice")
    engine.task_manual(run.pk, "A", "start", by="alice")
    assert states(run)["A"] == "running"
    step = engine.task_manual(run.pk, "A", "complete", by="alice")
    assert [s.key for s in step.starts] == ["B"]
    drive(step)
    run.refresh_from_db()
    assert run.status == "succeeded"
    by = run.events.filter(task="A", data__to="succeeded").get().data["by"]
    assert by == "alice"


def test_a_manual_failure_follows_the_policy(alice):
    document = flow_document({"A": 1, "B": 1}, [("A", "B")])
    document["tasks"][0]["executor"] = "manual"
    run, _ = start(make_flow(alice, document), alice)
    engine.task_manual(run.pk, "A", "fail", by="alice", error="the client said no")
    run.refresh_from_db()
    assert run.status == "failed"
    assert states(run) == {"A": "failed", "B": "skipped"}
    assert run.tasks.get(key="A").error == "the client said no"


def test_pause_holds_new_starts_and_resume_goes_on(alice):
    run, step = start(make_flow(alice, branching()), alice)
    engine.run_control(run.pk, "pause", by="alice")
    first = step.starts[0]
    after = engine.task_finish(run.pk, first.key, first.attempt, succeeded=True)
    assert after.starts == []
    assert states(run)["B"] == "pending"
    resumed = engine.run_control(run.pk, "resume", by="alice")
    assert sorted(s.key for s in resumed.starts) == ["B", "D"]
    drive(resumed)
    run.refresh_from_db()
    assert run.status == "succeeded"
    with pytest.raises(engine.RunConflict, match="cannot pause"):
        engine.run_control(run.pk, "pause", by="alice")


def test_cancel_ends_everything(alice):
    run, step = start(make_flow(alice, branching()), alice)
    engine.run_control(run.pk, "cancel", by="alice")
    run.refresh_from_db()
    assert run.status == "cancelled"
    assert set(states(run).values()) == {"cancelled"}
    late = engine.task_finish(run.pk, step.starts[0].key, 1, succeeded=True)
    assert late.starts == []
    assert states(run)["A"] == "cancelled"


def test_the_run_keeps_its_frozen_document(alice):
    flow = make_flow(alice, branching())
    run, _ = start(flow, alice)
    services.flow_graph_replace(flow=flow, document=flow_document({"Z": 1}), expected_version=1)
    run.refresh_from_db()
    assert [t["key"] for t in run.document["tasks"]] == ["A", "B", "C", "D", "E"]


def test_same_seed_same_simulated_outcomes(alice):
    document = content_document(handoff_delay=0, sync_overhead=0)
    for task in document["tasks"]:
        task["failure_rate"] = 0.3
    flow = make_flow(alice, document)
    first, step1 = start(flow, alice, seed=11)
    second, step2 = start(flow, alice, seed=11)
    assert [
        (s.key, s.fails, round((s.due_at - first.created_at).total_seconds(), 6))
        for s in step1.starts
    ] == [
        (s.key, s.fails, round((s.due_at - second.created_at).total_seconds(), 6))
        for s in step2.starts
    ]
