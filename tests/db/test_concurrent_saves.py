"""Two people save the same flow at once: one save wins whole, the other is told, nothing mixes.

Runs on SQLite (immediate transactions) and, in `make test`'s second pass, on PostgreSQL
(row lock with select_for_update).
"""

import threading

import pytest
from django.db import connection

from designer import selectors, services
from designer.errors import VersionConflict
from designer.models import Task
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
