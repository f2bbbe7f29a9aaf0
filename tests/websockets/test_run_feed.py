"""/ws/runs/{id}/ with Channels' communicator: snapshot, then events in order, resync,
strangers refused, origins checked, bad messages answered."""

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client
from rest_framework.authtoken.models import Token

from designer import services
from runs import engine
from tests.factories import flow_document

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


def application():
    from designer.asgi import application

    return application


def chain():
    return flow_document({"A": 1, "B": 1, "C": 1}, [("A", "B"), ("B", "C")])


@sync_to_async
def started_run(user):
    flow = services.flow_import(owner=user, document=chain())
    run, step = engine.run_start(
        flow=flow,
        user=user,
        blueprint="parallel",
        failure_policy="fail_fast",
        time_scale=0.01,
        seed=1,
    )
    return run, step


@sync_to_async
def session_cookie(user):
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


@sync_to_async
def finish(run_id, key, attempt):
    return engine.task_finish(run_id, key, attempt, succeeded=True)


async def connect(run_id, headers):
    communicator = WebsocketCommunicator(application(), f"/ws/runs/{run_id}/", headers=headers)
    connected, code = await communicator.connect()
    return communicator, connected, code


async def test_snapshot_then_every_event_in_order(alice):
    run, _ = await started_run(alice)
    cookie = await session_cookie(alice)
    feed, connected, _ = await connect(
        run.pk, [(b"origin", b"http://localhost"), (b"cookie", cookie)]
    )
    assert connected
    snapshot = await feed.receive_json_from()
    assert snapshot["type"] == "snapshot"
    assert snapshot["last_seq"] == 2
    assert snapshot["run"]["tasks"]["A"]["state"] == "running"
    await finish(run.pk, "A", 1)
    received = [await feed.receive_json_from() for _ in range(2)]
    assert [(m["type"], m["seq"], m["kind"], m["task"], m["state"]) for m in received] == [
        ("event", 3, "task", "A", "succeeded"),
        ("event", 4, "task", "B", "running"),
    ]
    assert received[0]["data"]["from"] == "running"
    assert await feed.receive_nothing()
    await feed.disconnect()


async def test_resync_sends_the_missed_events_from_the_database(alice):
    run, _ = await started_run(alice)
    await finish(run.pk, "A", 1)
    await finish(run.pk, "B", 1)
    cookie = await session_cookie(alice)
    feed, _, _ = await connect(run.pk, [(b"origin", b"http://localhost"), (b"cookie", cookie)])
    snapshot = await feed.receive_json_from()
    assert snapshot["last_seq"] == 6
    await feed.send_json_to({"type": "resync", "after": 2})
    missed = [await feed.receive_json_from() for _ in range(4)]
    assert [m["seq"] for m in missed] == [3, 4, 5, 6]
    assert [(m["task"], m["state"]) for m in missed] == [
        ("A", "succeeded"),
        ("B", "running"),
        ("B", "succeeded"),
        ("C", "running"),
    ]
    await feed.disconnect()


async def test_bad_messages_are_answered_and_the_connection_stays(alice):
    run, _ = await started_run(alice)
    cookie = await session_cookie(alice)
    feed, _, _ = await connect(run.pk, [(b"origin", b"http://localhost"), (b"cookie", cookie)])
    await feed.receive_json_from()
    await feed.send_to(text_data="not json")
    assert await feed.receive_json_from() == {
        "type": "error",
        "message": "messages must be JSON objects",
    }
    await feed.send_json_to({"type": "resync", "after": -1})
    assert (await feed.receive_json_from())[
        "message"
    ] == "resync needs after: a whole number of 0 or more"
    await feed.send_json_to({"type": "hello"})
    assert (await feed.receive_json_from())["type"] == "error"
    await feed.send_json_to({"type": "resync", "after": 1})
    assert (await feed.receive_json_from())["seq"] == 2
    await feed.disconnect()


async def test_a_stranger_is_refused(alice, bob):
    run, _ = await started_run(alice)
    cookie = await session_cookie(bob)
    _, connected, code = await connect(
        run.pk, [(b"origin", b"http://localhost"), (b"cookie", cookie)]
    )
    assert not connected
    assert code == 4403


async def test_anonymous_and_foreign_origins_are_refused(alice):
    run, _ = await started_run(alice)
    _, connected, _ = await connect(run.pk, [(b"origin", b"http://localhost")])
    assert not connected
    cookie = await session_cookie(alice)
    _, connected, _ = await connect(
        run.pk, [(b"origin", b"https://evil.example"), (b"cookie", cookie)]
    )
    assert not connected


async def test_api_clients_use_a_token(alice):
    run, _ = await started_run(alice)
    token = await sync_to_async(lambda: Token.objects.create(user=alice).key)()
    feed, connected, _ = await connect(run.pk, [(b"authorization", f"Token {token}".encode())])
    assert connected
    assert (await feed.receive_json_from())["type"] == "snapshot"
    await feed.disconnect()
    _, connected, _ = await connect(run.pk, [(b"authorization", b"Token wrong")])
    assert not connected
