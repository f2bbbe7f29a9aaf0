"""Deployer-registered actions: only registered names run, success and failure recorded."""

import pytest
from django.test import override_settings

from designer import services
from designer.errors import DomainError
from runs import engine
from runs.dispatch import execute_action
from tests.factories import flow_document
from tests.runs import actions

ACTIONS = {"notify": "tests.runs.actions.record", "print": "tests.runs.actions.refuse"}


def flow_with(owner, executors):
    document = flow_document(
        {key: 1 for key in executors}, list(zip(executors, list(executors)[1:], strict=False))
    )
    for task, executor in zip(document["tasks"], executors.values(), strict=True):
        task["executor"] = executor
    return services.flow_import(owner=owner, document=document)


def run(owner, executors):
    return engine.run_start(
        flow=flow_with(owner, executors),
        user=owner,
        blueprint="parallel",
        failure_policy="fail_fast",
        time_scale=0.01,
    )


@override_settings(VIVIDO_ACTIONS=ACTIONS)
def test_a_registered_action_runs_and_its_return_is_success(alice):
    actions.CALLS.clear()
    started, step = run(alice, {"A": "notify", "B": "simulated"})
    [start] = step.starts
    assert start.executor == "notify"
    after = execute_action(start)
    assert actions.CALLS == [("A", 1)]
    assert [s.key for s in after.starts] == ["B"]
    assert started.tasks.get(key="A").state == "succeeded"


@override_settings(VIVIDO_ACTIONS=ACTIONS)
def test_an_action_that_raises_fails_its_task_with_the_message(alice):
    started, step = run(alice, {"A": "print", "B": "simulated"})
    execute_action(step.starts[0])
    task = started.tasks.get(key="A")
    assert task.state == "failed"
    assert task.error == "RuntimeError: A could not reach the printer"
    started.refresh_from_db()
    assert started.status == "failed"


def test_an_unregistered_executor_is_refused_before_anything_runs(alice):
    with pytest.raises(DomainError) as refused:
        run(alice, {"A": "rm-rf"})
    assert refused.value.message == (
        "task A: executor 'rm-rf' is not registered on this server (known: manual, simulated)"
    )
