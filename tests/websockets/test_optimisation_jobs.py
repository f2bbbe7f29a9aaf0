"""An optimisation given more than a few seconds runs as a background job: its progress (the
best schedule and bound so far) arrives over the job's websocket, and Cancel stops it."""

import asyncio
import time

import pytest
from asgiref.sync import sync_to_async
from django.test import override_settings

from bench.optimise import random_pooled_document
from designer import services
from designer.models import SimulationJob
from designer.simulations import jobs as simulations
from tests.analysis.test_optimise import crossing
from tests.websockets.test_simulation_jobs import SAME_ORIGIN, connect, session_cookie

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


@sync_to_async
def optimisation_job(user, document, time_limit):
    flow = services.flow_import(owner=user, document=document)
    return SimulationJob.objects.create(
        flow=flow,
        created_by=user,
        cost=time_limit,
        kind="optimisation",
        parameters={"blueprint": "parallel", "time_limit": time_limit, "overrides": {}},
    )


async def follow(communicator):
    seen = []
    while not seen or seen[-1]["state"] not in ("succeeded", "failed", "cancelled"):
        seen.append(await communicator.receive_json_from(timeout=20))
    return seen


@override_settings(ALLOWED_HOSTS=["localhost"])
async def test_the_owner_follows_an_optimisation_to_its_result(alice):
    job = await optimisation_job(alice, {**crossing(), "name": "Crossing"}, 10)
    cookie = await session_cookie(alice)
    communicator, connected, _ = await connect(job.pk, [*SAME_ORIGIN, (b"cookie", cookie)])
    assert connected
    first = await communicator.receive_json_from(timeout=5)
    assert (first["state"], first["kind"], first["result"]) == ("queued", "optimisation", None)
    await sync_to_async(simulations.run_simulation_job, thread_sensitive=False)(job.pk)
    seen = await follow(communicator)
    last = seen[-1]
    assert (last["state"], last["progress"]) == ("succeeded", 1.0)
    assert (last["result"]["cycle_time"], last["result"]["greedy_cycle_time"]) == (5.5, 6.5)
    assert last["result"]["status"] == "optimal"


@override_settings(ALLOWED_HOSTS=["localhost"])
async def test_progress_shows_best_and_bound_and_cancel_stops_the_search(alice):
    # A 120-task flow whose optimum the solver does not prove within a minute here.
    job = await optimisation_job(alice, random_pooled_document(120, 0), 60)
    cookie = await session_cookie(alice)
    communicator, connected, _ = await connect(job.pk, [*SAME_ORIGIN, (b"cookie", cookie)])
    assert connected
    await communicator.receive_json_from(timeout=5)
    simulations.PROGRESS_SECONDS, before = 0.0, simulations.PROGRESS_SECONDS
    started = time.monotonic()
    try:
        running = sync_to_async(simulations.run_simulation_job, thread_sensitive=False)(job.pk)
        task = asyncio.ensure_future(running)
        # Running, the job reports the best cycle time and the bound so far, until a
        # schedule better than greedy's 203 turns up.
        best = 203.0
        while best >= 203:
            message = await communicator.receive_json_from(timeout=20)
            assert message["state"] == "running"
            if message["result"]:
                best, bound = message["result"]["best"], message["result"]["bound"]
                assert bound <= best
        stored = await sync_to_async(SimulationJob.objects.get)(pk=job.pk)
        await sync_to_async(simulations.simulation_job_cancel)(stored)
        seen = await follow(communicator)
        await task
    finally:
        simulations.PROGRESS_SECONDS = before
    assert seen[-1]["state"] == "cancelled"
    assert time.monotonic() - started < 15
