"""Two people save the same flow at once: one save wins whole, the other is told, nothing mixes.

Runs on SQLite (immediate transactions) and, in `make test`'s second pass, on PostgreSQL
(row lock with select_for_update).
"""

import itertools
import threading

import pytest
from django.db import connection

from designer import selectors, services
from designer.errors import VersionConflict
from designer.models import Flow, Task
from tests.factories import content_document


@pytest.mark.django_db(transaction=True)
def test_of_two_saves_on_one_version_exactly_one_wins(alice):
    flow = services.flow_import(owner=alice, document=content_document())
    start = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def save(label: str) -> None:
        document = content_document()
        for task in document["tasks"]:
            task["name"] = f"{label} {task['key']}"
        start.wait()
        try:
            services.flow_graph_replace(flow=flow, document=document, expected_version=1)
            outcomes[label] = "saved"
        except VersionConflict as conflict:
            outcomes[label] = conflict.current_version
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(label,)) for label in ("left", "right")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes.values(), key=str) == [2, "saved"]
    winner = next(label for label, outcome in outcomes.items() if outcome == "saved")
    flow.refresh_from_db()
    assert flow.version == 2
    names = {t["name"] for t in selectors.flow_document(flow)["tasks"]}
    assert names == {f"{winner} T{n}" for n in range(1, 10)}
    assert Task.objects.filter(flow=flow).count() == 9


def _chain(prefix: str, length: int = 40) -> dict[str, object]:
    keys = [f"{prefix}{n}" for n in range(1, length + 1)]
    return {
        "format": "vivido.flow/1",
        "name": "Chain",
        "tasks": [
            {"key": k, "name": k, "duration": {"optimistic": 1, "likely": 1, "pessimistic": 1}}
            for k in keys
        ],
        "dependencies": [
            {"from": a, "to": b, "strength": "hard"} for a, b in itertools.pairwise(keys)
        ],
    }


@pytest.mark.django_db(transaction=True)
def test_a_read_during_saves_sees_one_whole_version(alice):
    """A save landing between the read of the tasks and that of the dependencies used to leave
    a dependency whose task the read never saw (a KeyError, answered 500)."""
    flow = services.flow_import(owner=alice, document=_chain("A"))
    documents = [_chain("B"), _chain("A")]
    stop = threading.Event()
    saves = 0

    def keep_saving() -> None:
        nonlocal saves
        try:
            while not stop.is_set():
                services.flow_graph_replace(
                    flow=flow, document=documents[saves % 2], expected_version=None
                )
                saves += 1
        finally:
            connection.close()

    writer = threading.Thread(target=keep_saving)
    writer.start()
    reads = []
    try:
        for _ in range(150):
            reads.append(selectors.flow_spec(Flow.objects.get(pk=flow.pk)))
    finally:
        stop.set()
        writer.join(timeout=30)
    assert saves > 10
    for read in reads:
        keys = {t.key for t in read.tasks}
        prefix = next(iter(keys))[0]
        assert keys == {f"{prefix}{n}" for n in range(1, 41)}
        assert [(d.source, d.target) for d in read.dependencies] == [
            (f"{prefix}{n}", f"{prefix}{n + 1}") for n in range(1, 40)
        ]
