"""/ws/runs/{id}/ and /ws/flows/{id}/runs/ with Channels' communicator: snapshot, then every
event exactly once and in order whatever the burst, heartbeats that reveal and fill a lost
tail, resyncs paged and rate-limited, strangers refused, origins checked to the port, hostile
messages answered."""

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


SAME_ORIGIN = [(b"origin", b"http://localhost:8000"), (b"host", b"localhost:8000")]


async def connect(run_id, headers, path=None):
    communicator = WebsocketCommunicator(
        application(), path or f"/ws/runs/{run_id}/", headers=headers
    )
    connected, code = await communicator.connect()
    return communicator, connected, code


async def watch(user, run_id, path=None):
    cookie = await session_cookie(user)
    feed, connected, _ = await connect(run_id, [*SAME_ORIGIN, (b"cookie", cookie)], path)
    assert connected
    return feed


async def events_until(feed, last_seq, timeout=3):
    """Every event the feed sends until it holds `last_seq`, in arrival order."""
    seqs = []
    while not seqs or seqs[-1] < last_seq:
        message = await feed.receive_json_from(timeout=timeout)
        if message["type"] == "events":
            seqs.extend(e["seq"] for e in message["events"])
    return seqs


@sync_to_async
def wide_run(user, width):
    """A run of `width` independent tasks, all running: one failure under fail fast writes
    `width + 1` events in one step."""
    document = flow_document({f"W{n}": 1 for n in range(width)})
    flow = services.flow_import(owner=user, document=document)
    run, _ = engine.run_start(
        flow=flow, user=user, blueprint="parallel", failure_policy="fail_fast", time_scale=1
    )
    return run


async def test_snapshot_then_every_event_in_order(alice):
    run, _ = await started_run(alice)
    feed = await watch(alice, run.pk)
    snapshot = await feed.receive_json_from()
    assert snapshot["type"] == "snapshot"
    assert snapshot["last_seq"] == 2
    assert snapshot["heartbeat"] == 5
    assert snapshot["run"]["tasks"]["A"]["state"] == "running"
    assert snapshot["run"]["tasks"]["A"]["history"][0]["outcome"] is None
    await finish(run.pk, "A", 1)
    frame = await feed.receive_json_from()
    assert frame["type"] == "events"
    assert frame["last_seq"] == 4
    assert [(e["seq"], e["kind"], e["task"], e["state"]) for e in frame["events"]] == [
        (3, "task", "A", "succeeded"),
        (4, "task", "B", "running"),
    ]
    assert frame["events"][0]["data"]["from"] == "running"
    assert await feed.receive_nothing()
    await feed.disconnect()


async def test_a_step_writing_a_thousand_events_reaches_the_client_whole(alice):
    run = await wide_run(alice, 1000)
    feed = await watch(alice, run.pk)
    assert (await feed.receive_json_from())["last_seq"] == 1001
    await sync_to_async(engine.task_finish)(run.pk, "W0", 1, succeeded=False, error="boom")
    seqs = await events_until(feed, 2002)
    assert seqs == list(range(1002, 2003))
    assert await feed.receive_nothing()
    await feed.disconnect()


async def test_a_burst_of_steps_beyond_the_layers_capacity_arrives_whole(alice, settings):
    # What the layer drops is read from the database at the next step or heartbeat.
    settings.VIVIDO_HEARTBEAT_SECONDS = 0.5
    run = await wide_run(alice, 300)
    feed = await watch(alice, run.pk)
    assert (await feed.receive_json_from())["last_seq"] == 301

    @sync_to_async
    def end_all():
        # 300 steps in a row, each its own broadcast: three times what the in-memory layer
        # keeps for one connection.
        for n in range(1, 300):
            engine.task_finish(run.pk, f"W{n}", 1, succeeded=True)
        engine.task_finish(run.pk, "W0", 1, succeeded=True)

    await end_all()
    seqs = await events_until(feed, 602)
    assert seqs == list(range(302, 603))
    await feed.disconnect()


async def test_a_heartbeat_reveals_and_fills_a_lost_tail(alice, settings, monkeypatch):
    settings.VIVIDO_HEARTBEAT_SECONDS = 0.3
    run, _ = await started_run(alice)
    feed = await watch(alice, run.pk)
    assert (await feed.receive_json_from())["last_seq"] == 2
    # The layer loses the step's message: nothing is broadcast at all.
    monkeypatch.setattr("runs.engine.publish_after_commit", lambda run_id, events: None)
    await finish(run.pk, "A", 1)
    beat = await feed.receive_json_from(timeout=2)
    assert beat == {"type": "heartbeat", "last_seq": 4, "status": "running"}
    frame = await feed.receive_json_from(timeout=2)
    assert frame["type"] == "events"
    assert [e["seq"] for e in frame["events"]] == [3, 4]
    beat = await feed.receive_json_from(timeout=2)
    assert beat == {"type": "heartbeat", "last_seq": 4, "status": "running"}
    await feed.disconnect()


async def test_resync_sends_the_missed_events_from_the_database(alice):
    run, _ = await started_run(alice)
    await finish(run.pk, "A", 1)
    await finish(run.pk, "B", 1)
    feed = await watch(alice, run.pk)
    snapshot = await feed.receive_json_from()
    assert snapshot["last_seq"] == 6
    await feed.send_json_to({"type": "resync", "after": 2})
    frame = await feed.receive_json_from()
    assert frame["last_seq"] == 6
    assert [(e["seq"], e["task"], e["state"]) for e in frame["events"]] == [
        (3, "A", "succeeded"),
        (4, "B", "running"),
        (5, "B", "succeeded"),
        (6, "C", "running"),
    ]
    await feed.disconnect()


async def test_resyncs_are_paged_and_rate_limited(alice):
    run = await wide_run(alice, 1500)
    feed = await watch(alice, run.pk)
    await feed.receive_json_from(timeout=10)
    await feed.send_json_to({"type": "resync", "after": 0})
    first = await feed.receive_json_from(timeout=10)
    assert [first["events"][0]["seq"], first["events"][-1]["seq"]] == [1, 1000]
    assert first["last_seq"] == 1501
    await feed.send_json_to({"type": "resync", "after": 1000})
    second = await feed.receive_json_from(timeout=10)
    assert [e["seq"] for e in second["events"]] == list(range(1001, 1502))
    for _ in range(18):
        await feed.send_json_to({"type": "resync", "after": 1500})
        assert len((await feed.receive_json_from(timeout=10))["events"]) == 1
    await feed.send_json_to({"type": "resync", "after": 1500})
    refused = await feed.receive_json_from(timeout=10)
    assert refused["type"] == "error"
    assert refused["message"].startswith("too many resyncs: at most 20 in 10 s; ask again in")
    assert 0 < refused["retry_after"] <= 10
    await feed.disconnect()


async def test_hostile_messages_are_answered_and_the_connection_stays(alice):
    run, _ = await started_run(alice)
    feed = await watch(alice, run.pk)
    await feed.receive_json_from()
    for text, message in (
        ("not json", "messages must be JSON objects"),
        ("[" * 5000 + "]" * 5000, "messages must be JSON objects of at most 4096 bytes"),
        ("[" * 2000 + "]" * 2000, "messages must be JSON objects"),
        ('"resync"', "messages must be JSON objects"),
        ('{"type": "resync", "after": -1}', "resync needs after: a whole number of 0 or more"),
        ('{"type": "resync", "after": true}', "resync needs after: a whole number of 0 or more"),
        (
            '{"type": "hello"}',
            'the only message understood is {"type": "resync", "after": N}',
        ),
    ):
        await feed.send_to(text_data=text)
        assert await feed.receive_json_from() == {"type": "error", "message": message}
    await feed.send_json_to({"type": "resync", "after": 1})
    assert [e["seq"] for e in (await feed.receive_json_from())["events"]] == [2]
    await feed.disconnect()


async def test_a_stranger_is_refused(alice, bob):
    run, _ = await started_run(alice)
    cookie = await session_cookie(bob)
    _, connected, code = await connect(run.pk, [*SAME_ORIGIN, (b"cookie", cookie)])
    assert not connected
    assert code == 4403


async def test_anonymous_and_foreign_origins_are_refused(alice):
    run, _ = await started_run(alice)
    _, connected, _ = await connect(run.pk, SAME_ORIGIN)
    assert not connected
    cookie = await session_cookie(alice)
    for origin in (
        b"https://evil.example",
        b"http://localhost:9999",  # same host, another port: another site
        b"https://localhost:8000",  # another scheme
        b"http://localhost",
    ):
        _, connected, _ = await connect(
            run.pk, [(b"origin", origin), (b"host", b"localhost:8000"), (b"cookie", cookie)]
        )
        assert not connected, origin
    # A Host header naming a host that is not ours is refused even when Origin matches it.
    _, connected, _ = await connect(
        run.pk,
        [(b"origin", b"http://evil.example"), (b"host", b"evil.example"), (b"cookie", cookie)],
    )
    assert not connected


async def test_a_trusted_origin_behind_a_proxy_is_accepted(alice, settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://vivido.example.org"]
    run, _ = await started_run(alice)
    cookie = await session_cookie(alice)
    feed, connected, _ = await connect(
        run.pk,
        [
            (b"origin", b"https://vivido.example.org"),
            (b"host", b"localhost:8000"),
            (b"cookie", cookie),
        ],
    )
    assert connected
    await feed.disconnect()


async def test_api_clients_use_a_token(alice):
    run, _ = await started_run(alice)
    token = await sync_to_async(lambda: Token.objects.create(user=alice).key)()
    feed, connected, _ = await connect(run.pk, [(b"authorization", f"Token {token}".encode())])
    assert connected
    assert (await feed.receive_json_from())["type"] == "snapshot"
    await feed.disconnect()
    _, connected, _ = await connect(run.pk, [(b"authorization", b"Token wrong")])
    assert not connected


async def test_the_run_list_hears_of_every_run_of_its_flow(alice, bob, settings):
    settings.VIVIDO_HEARTBEAT_SECONDS = 0.3
    run, _ = await started_run(alice)
    path = f"/ws/flows/{run.flow_id}/runs/"
    feed = await watch(alice, None, path)
    assert await feed.receive_json_from() == {"type": "hello", "heartbeat": 0.3}
    await finish(run.pk, "A", 1)
    assert await feed.receive_json_from() == {
        "type": "changed",
        "run": run.pk,
        "status": "running",
        "last_seq": 4,
    }
    assert await feed.receive_json_from(timeout=2) == {"type": "heartbeat"}
    await feed.disconnect()
    cookie = await session_cookie(bob)
    _, connected, code = await connect(None, [*SAME_ORIGIN, (b"cookie", cookie)], path)
    assert not connected
    assert code == 4403


async def test_cancel_of_a_wide_run_reaches_the_client_whole(alice):
    run = await wide_run(alice, 300)
    feed = await watch(alice, run.pk)
    assert (await feed.receive_json_from())["last_seq"] == 301
    await sync_to_async(engine.run_control)(run.pk, "cancel", by="alice")
    seqs = await events_until(feed, 602)  # 300 tasks cancelled, then the run
    assert seqs == list(range(302, 603))
    await feed.disconnect()
