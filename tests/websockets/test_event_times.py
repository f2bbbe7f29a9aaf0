"""One serialisation of run events: the websocket and the HTTP API send the same event with
the same `at` string, in the one ISO 8601 form every API time takes (date, `T`, time, `Z`)."""

import re
from datetime import datetime, timedelta

import pytest
from asgiref.sync import sync_to_async
from django.test import Client

from runs import engine
from tests.websockets.test_run_feed import started_run, watch

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

ISO_8601 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?Z$")


@sync_to_async
def over_http(user, path):
    client = Client()
    client.force_login(user)
    return client.get(path).json()


async def test_events_and_run_times_are_the_same_over_http_and_the_websocket(alice):
    run, _ = await started_run(alice)
    feed = await watch(alice, run.pk)
    snapshot = await feed.receive_json_from()
    await sync_to_async(engine.task_finish)(run.pk, "A", 1, succeeded=True)
    frame = await feed.receive_json_from()
    await feed.disconnect()
    pushed = {e["seq"]: e for e in frame["events"]}
    read = {e["seq"]: e for e in await over_http(alice, f"/api/runs/{run.pk}/events/")}
    assert sorted(pushed) == [3, 4]
    for seq, event in pushed.items():
        assert event == read[seq]
        assert ISO_8601.match(event["at"]), event["at"]
    state = await over_http(alice, f"/api/runs/{run.pk}/")
    assert snapshot["run"]["created_at"] == state["created_at"]
    assert ISO_8601.match(state["created_at"])
    started = snapshot["run"]["tasks"]["A"]["started_at"]
    assert started == state["tasks"]["A"]["started_at"]
    assert ISO_8601.match(started)
    assert read[1]["at"] == started  # the event that started A, and A's start, agree
    assert datetime.fromisoformat(read[3]["at"]) - datetime.fromisoformat(started) >= timedelta(0)


async def test_flows_and_runs_write_their_times_alike(alice):
    run, _ = await started_run(alice)
    flows = await over_http(alice, "/api/flows/")
    state = await over_http(alice, f"/api/runs/{run.pk}/")
    assert ISO_8601.match(flows[0]["updated_at"]), flows[0]["updated_at"]
    assert ISO_8601.match(state["created_at"]), state["created_at"]
