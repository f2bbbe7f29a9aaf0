"""/ws/simulations/{job}/: the owner sees the job's state at once and then every change up
to its end; strangers, anonymous visitors and foreign origins are refused."""

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client, override_settings

from designer import services
from designer.models import SimulationJob
from designer.simulations import jobs as simulations
from tests.factories import flow_document

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]
SAME_ORIGIN = [(b"origin", b"http://localhost:8000"), (b"host", b"localhost:8000")]


def application():
    from designer.asgi import application

    return application


@sync_to_async
def queued_job(user, iterations=20_000):
    document = flow_document(
        {f"T{n}": (1, 2, 4) for n in range(1, 41)}, resources=[{"name": "Crew", "capacity": 2}]
    )
    for task in document["tasks"]:
        task["resources"] = {"Crew": 1}
    flow = services.flow_import(owner=user, document=document)
    return SimulationJob.objects.create(
        flow=flow,
        created_by=user,
        cost=1,
        parameters={
            "iterations": iterations,
            "seed": 1,
            "blueprints": ["parallel", "hybrid"],
            "max_retries": 2,
            "overrides": {},
        },
    )


@sync_to_async
def session_cookie(user):
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


async def connect(job_id, headers):
    communicator = WebsocketCommunicator(
        application(), f"/ws/simulations/{job_id}/", headers=headers
    )
    connected, code = await communicator.connect(timeout=5)
    return communicator, connected, code


@override_settings(ALLOWED_HOSTS=["localhost"])
async def test_the_owner_follows_progress_to_the_kept_result(alice):
    job = await queued_job(alice)
    cookie = await session_cookie(alice)
    communicator, connected, _ = await connect(job.pk, [*SAME_ORIGIN, (b"cookie", cookie)])
    assert connected
    first = await communicator.receive_json_from(timeout=5)
    assert (first["job"], first["state"], first["progress"]) == (job.pk, "queued", 0.0)
    simulations.PROGRESS_SECONDS, before = 0.0, simulations.PROGRESS_SECONDS
    try:
        await sync_to_async(simulations.run_simulation_job, thread_sensitive=False)(job.pk)
    finally:
        simulations.PROGRESS_SECONDS = before
    seen = []
    while not seen or seen[-1]["state"] not in ("succeeded", "failed", "cancelled"):
        seen.append(await communicator.receive_json_from(timeout=10))
    assert seen[0]["state"] == "running"
    shares = [m["progress"] for m in seen if m["state"] == "running"]
    assert shares == sorted(shares) and len(shares) > 2
    assert seen[-1]["state"] == "succeeded" and seen[-1]["progress"] == 1.0
    assert seen[-1]["simulation"] is not None
    assert (await communicator.receive_output(timeout=5))["type"] == "websocket.close"


@override_settings(ALLOWED_HOSTS=["localhost"])
async def test_strangers_anonymous_and_other_origins_are_refused(alice, bob):
    job = await queued_job(alice, iterations=10)
    bob_cookie = await session_cookie(bob)
    _, connected, code = await connect(job.pk, [*SAME_ORIGIN, (b"cookie", bob_cookie)])
    assert not connected and code == 4404
    _, connected, code = await connect(job.pk, SAME_ORIGIN)
    assert not connected
    alice_cookie = await session_cookie(alice)
    foreign = [(b"origin", b"http://evil.example"), (b"host", b"localhost:8000")]
    _, connected, _ = await connect(job.pk, [*foreign, (b"cookie", alice_cookie)])
    assert not connected


async def test_an_api_client_follows_a_job_with_its_token(alice, bob):
    from rest_framework.authtoken.models import Token

    job = await queued_job(alice, iterations=10)
    token = await sync_to_async(lambda: Token.objects.get_or_create(user=alice)[0].key)()
    communicator, connected, _ = await connect(
        job.pk, [(b"authorization", f"Token {token}".encode())]
    )
    assert connected
    assert (await communicator.receive_json_from(timeout=5))["state"] == "queued"
    await communicator.disconnect()
    stranger = await sync_to_async(lambda: Token.objects.get_or_create(user=bob)[0].key)()
    _, connected, code = await connect(job.pk, [(b"authorization", f"Token {stranger}".encode())])
    assert not connected and code == 4404
