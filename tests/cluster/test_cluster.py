"""Runs spread over processes (VIVIDO_RUN_DISPATCH=celery): Celery workers execute, web
processes only decide, record and broadcast, PostgreSQL locks, Redis carries the broker's
messages and the dashboards' events. Real processes, killed for real."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import Counter
from typing import Any

import pytest

from tests.cluster.conftest import BROKER_URL, Cluster
from tests.factories import flow_document

pytestmark = pytest.mark.cluster


def import_flow(cluster: Cluster, document: dict[str, Any]) -> int:
    return int(cluster.call("web1", "POST", "/api/flows/import/", document)["id"])


def assert_recorded_once(events: list[dict[str, Any]]) -> None:
    """Gap-free, and every transition of every attempt recorded once: no step doubled."""
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    moves = Counter(
        (e["task"], e["data"]["attempt"], e["state"], bool(e["data"].get("compensation")))
        for e in events
        if e["kind"] == "task"
    )
    doubled = {move: n for move, n in moves.items() if n > 1}
    assert doubled == {}
    assert events[-1]["kind"] == "run"
    assert events[-1]["state"] in ("succeeded", "failed", "cancelled")


def executions(cluster: Cluster, what: str = "end") -> Counter[tuple[int, str, int]]:
    return Counter(
        (run, task, attempt) for w, run, task, attempt, _ in cluster.actions() if w == what
    )


def feed_url(cluster: Cluster, web: str, run_id: int) -> str:
    return f"ws://127.0.0.1:{cluster.ports[web]}/ws/runs/{run_id}/"


async def connect(cluster: Cluster, web: str, run_id: int) -> Any:
    from websockets.asyncio.client import connect as ws_connect

    return await ws_connect(
        feed_url(cluster, web, run_id),
        additional_headers={"Authorization": f"Token {cluster.token}"},
        max_size=None,
    )


async def follow(cluster: Cluster, web: str, run_id: int, seconds: float = 60) -> list[Any]:
    """A dashboard: the snapshot, then every events frame until the run's last event; each
    frame as (arrival time, message)."""
    frames = []
    async with await connect(cluster, web, run_id) as socket:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            message = json.loads(await asyncio.wait_for(socket.recv(), seconds))
            frames.append((time.monotonic(), message))
            if message["type"] == "snapshot" and message["run"]["status"] not in (
                "running",
                "paused",
            ):
                return frames
            if message["type"] == "events" and any(
                e["kind"] == "run" and e["state"] != "running" for e in message["events"]
            ):
                return frames
    raise AssertionError(f"run {run_id} did not end on the feed within {seconds} s")


def streamed(frames: list[Any]) -> list[int]:
    """The sequence numbers a dashboard held: its snapshot's, then each event's in order."""
    snapshot = next(m for _, m in frames if m["type"] == "snapshot")
    seqs = list(range(1, snapshot["last_seq"] + 1))
    for _, message in frames:
        if message["type"] == "events":
            seqs.extend(e["seq"] for e in message["events"])
    return seqs


class IdleFeed:
    """A dashboard left alone on a web process that nothing else talks to: a run waiting
    for a person, so only heartbeats come, for as long as the module runs."""

    def __init__(self, cluster: Cluster, run_id: int):
        self.cluster, self.run_id = cluster, run_id
        self.frames: list[Any] = []
        self.closed: Any = None
        self.opened = 0.0
        self.ready = threading.Event()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=asyncio.run, args=(self.watch(),), daemon=True)
        self.thread.start()
        assert self.ready.wait(30)

    async def watch(self) -> None:
        from websockets.exceptions import ConnectionClosed

        socket = await connect(self.cluster, "lost", self.run_id)
        self.opened = time.monotonic()
        self.ready.set()
        try:
            while not self.stop.is_set():
                try:
                    message = await asyncio.wait_for(socket.recv(), 0.5)
                except TimeoutError:
                    continue
                self.frames.append((time.monotonic(), json.loads(message)))
        except ConnectionClosed as closed:
            self.closed = closed
        finally:
            await socket.close()


@pytest.fixture(scope="module", autouse=True)
def idle_feed(cluster: Cluster) -> Any:
    document = flow_document({"M": 1}, name="Waits for a person")
    document["tasks"][0]["executor"] = "manual"
    flow = import_flow(cluster, document)
    run_id = cluster.start_run("lost", flow, blueprint="parallel", time_scale=1)
    feed = IdleFeed(cluster, run_id)
    yield feed
    feed.stop.set()
    feed.thread.join(5)


def mixed_flow(cluster: Cluster) -> int:
    """Simulated tasks with failures to retry, actions, a handoff and a sync to wait for."""
    document = flow_document(
        {"A": 1, "B": 1, "C": (0.5, 1, 2), "D": 1, "E": 1},
        [("A", "C"), ("B", "C"), ("C", "D"), ("C", "E")],
        name="Mixed",
        handoff_delay=0.5,
        sync_overhead=0.25,
    )
    for task in document["tasks"]:
        if task["key"] in ("B", "E"):
            task["executor"] = "record"
        if task["key"] == "C":
            task["failure_rate"] = 0.5
    return import_flow(cluster, document)


def test_ten_runs_across_two_workers_complete_gap_free_and_once(cluster):
    flow = mixed_flow(cluster)
    blueprints = ("parallel", "hybrid", "sequential")
    runs = [
        cluster.start_run(
            ("web1", "web2")[n % 2],
            flow,
            blueprint=blueprints[n % 3],
            time_scale=0.2,
            seed=n,
            max_retries=3,
        )
        for n in range(10)
    ]

    async def watch_all() -> list[list[Any]]:
        return await asyncio.gather(*(follow(cluster, "web2", r) for r in runs))

    feeds = asyncio.run(watch_all())
    assert all(s in ("succeeded", "failed") for s in cluster.wait_over(runs, 60))
    for run_id, frames in zip(runs, feeds, strict=True):
        events = cluster.events(run_id)
        assert_recorded_once(events)
        # The dashboard got every event once, in order, whichever worker recorded it.
        assert streamed(frames) == [e["seq"] for e in events]
    # Every action attempt the runs recorded was executed to its end once.
    started = {
        (r, e["task"], e["data"]["attempt"])
        for r in runs
        for e in cluster.events(r)
        if e["task"] in ("B", "E") and e["state"] == "running"
    }
    ends = executions(cluster)
    assert {key: ends[key] for key in started} == dict.fromkeys(started, 1)
    assert len(started) >= 10
    workers = {pid for _, run, _, _, pid in cluster.actions() if run in runs}
    assert workers == {cluster.pid("w1"), cluster.pid("w2")}
    retried = [e for r in runs for e in cluster.events(r) if e["state"] == "retrying"]
    assert retried, "no retry was waited for"


def test_a_worker_killed_mid_run_loses_nothing_and_doubles_nothing(cluster):
    document = flow_document(
        {"S1": 1, "S2": 1, "A1": 1, "A2": 1, "T": 1},
        [("S1", "T"), ("A1", "T"), ("S2", "T"), ("A2", "T")],
        name="Slow actions",
    )
    for task in document["tasks"]:
        if task["key"] in ("A1", "A2"):
            task["executor"] = "slow"
    flow = import_flow(cluster, document)
    runs = [
        cluster.start_run("web1", flow, blueprint="parallel", time_scale=1.5, seed=n)
        for n in range(4)
    ]
    victim = cluster.pid("w1")

    def in_hand() -> set[tuple[int, str, int]]:
        """The actions w1 has begun and not ended."""
        mine = [(w, (r, t, a)) for w, r, t, a, pid in cluster.actions() if pid == victim]
        return {k for w, k in mine if w == "begin" and k[0] in runs} - {
            k for w, k in mine if w == "end"
        }

    deadline = time.monotonic() + 20
    while not in_hand():
        assert time.monotonic() < deadline, "worker w1 never began an action"
        time.sleep(0.02)
    cluster.kill("w1")  # in the middle of an action, with simulated ends held for later
    cut = in_hand()
    assert cut, "the kill came after w1's action had ended"
    cluster.start_worker("w1")
    assert cluster.wait_over(runs, 90) == ["succeeded"] * 4
    for run_id in runs:
        assert_recorded_once(cluster.events(run_id))
    ends = {k: n for k, n in executions(cluster).items() if k[0] in runs}
    begins = {k: n for k, n in executions(cluster, "begin").items() if k[0] in runs}
    assert ends == {(r, t, 1): 1 for r in runs for t in ("A1", "A2")}  # each ran to its end once
    assert {k: begins[k] for k in cut} == dict.fromkeys(cut, 2)  # what the kill cut short ran again
    cluster.wait_worker("w1", 90)


def test_two_workers_advancing_one_run_are_serialised_by_the_lock(cluster, postgres):
    from celery import Celery

    from tests.cluster.conftest import connect_postgres

    # Who waits for a lock is read from another connection: within its transaction a
    # connection sees pg_stat_activity as it was when it first looked.
    watcher = connect_postgres(cluster.database)
    flow = import_flow(
        cluster, flow_document({"A": 1, "B": 1, "C": 1}, [("A", "C"), ("B", "C")], name="Join")
    )
    # A and B end in a minute by their clocks: the test ends them itself, at one moment.
    run_id = cluster.start_run("web1", flow, blueprint="parallel", time_scale=60)
    before = cluster.state(run_id)["last_seq"]
    client = Celery(broker=BROKER_URL)
    with postgres.transaction():
        postgres.execute("SELECT id FROM runs_run WHERE id = %s FOR UPDATE", [run_id])
        for key, queue in (("A", "w1"), ("B", "w2")):
            client.send_task("runs.end_attempt", [run_id, key, 1, True, "", False], queue=queue)
        deadline = time.monotonic() + 20
        waiting: list[Any] = []
        while time.monotonic() < deadline and len(waiting) < 2:
            waiting = watcher.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND query ILIKE '%runs_run%'"
            ).fetchall()
            time.sleep(0.05)
        # Both workers are inside a step of the run at this moment, each waiting for it.
        assert len(waiting) == 2
        assert cluster.state(run_id)["last_seq"] == before
    deadline = time.monotonic() + 20
    while cluster.state(run_id)["tasks"]["C"]["state"] != "running":
        assert time.monotonic() < deadline, "C never started"
        time.sleep(0.05)
    events = cluster.events(run_id)
    tail = [(e["task"], e["state"]) for e in events[before:]]
    # One step after the other: the second saw the first's outcome, and C started once.
    assert sorted(tail[:2]) == [("A", "succeeded"), ("B", "succeeded")]
    assert tail[2:] == [("C", "running")]
    # Six deliveries of C's end at once, three to each worker: one is recorded.
    for n in range(6):
        client.send_task(
            "runs.end_attempt", [run_id, "C", 1, True, "", False], queue=("w1", "w2")[n % 2]
        )
    assert cluster.wait_over([run_id], 20) == ["succeeded"]
    assert_recorded_once(cluster.events(run_id))
    client.close()
    watcher.close()


def test_a_killed_web_process_costs_its_dashboards_nothing(cluster):
    flow = import_flow(
        cluster,
        flow_document(
            {f"T{n}": 1 for n in range(10)},
            [(f"T{n}", f"T{n + 1}") for n in range(9)],
            name="Chain",
        ),
    )
    run_id = cluster.start_run("web1", flow, blueprint="sequential", time_scale=0.5)

    async def scenario() -> tuple[list[Any], list[int], int]:
        other = asyncio.create_task(follow(cluster, "web2", run_id))
        socket = await connect(cluster, "web1", run_id)
        held: list[int] = []
        snapshot = json.loads(await socket.recv())
        held.extend(range(1, snapshot["last_seq"] + 1))
        while len(held) < 4:
            message = json.loads(await socket.recv())
            if message["type"] == "events":
                held.extend(e["seq"] for e in message["events"])
        await asyncio.to_thread(cluster.kill, "web1")
        from websockets.exceptions import ConnectionClosed

        with pytest.raises(ConnectionClosed):
            while True:
                await asyncio.wait_for(socket.recv(), 10)
        await asyncio.to_thread(cluster.start_web, "web1")
        # The killed one's dashboard reconnects (with backoff) once it is back, and asks for
        # what it missed.
        reconnects = 0
        while True:
            try:
                socket = await connect(cluster, "web1", run_id)
                break
            except Exception:
                reconnects += 1
                assert reconnects < 200, "web1 did not come back"
                await asyncio.sleep(0.2)
        async with socket:
            assert json.loads(await socket.recv())["type"] == "snapshot"
            await socket.send(json.dumps({"type": "resync", "after": held[-1]}))
            over = False
            while not over:
                message = json.loads(await asyncio.wait_for(socket.recv(), 20))
                if message["type"] == "events":
                    held.extend(e["seq"] for e in message["events"])
                    over = any(
                        e["kind"] == "run" and e["state"] != "running" for e in message["events"]
                    )
        return await other, held, reconnects

    frames, held, reconnects = asyncio.run(scenario())
    assert cluster.wait_over([run_id], 30) == ["succeeded"]
    events = cluster.events(run_id)
    assert_recorded_once(events)
    everything = [e["seq"] for e in events]
    # The dashboard on web2 carried on, live: every event once and in order, in frames that
    # kept arriving while web1 was down.
    assert streamed(frames) == everything
    assert len([m for _, m in frames if m["type"] == "events"]) >= 5
    assert reconnects > 0
    # The one on web1 caught up with everything.
    assert sorted(set(held)) == everything


def test_web_processes_started_while_runs_are_in_flight_execute_nothing(cluster):
    flow = import_flow(
        cluster, flow_document({"A": 1, "B": 1, "C": 1}, [("A", "C"), ("B", "C")], name="Wait")
    )
    cluster.consume(False)  # no worker takes a step for now
    runs = [
        cluster.start_run("web2", flow, blueprint="parallel", time_scale=0.3, seed=n)
        for n in range(3)
    ]
    recorded = [cluster.state(r)["last_seq"] for r in runs]
    for web in ("web3", "web4"):
        cluster.start_web(web)
    for web in ("web3", "web4"):
        cluster.wait_web(web)
    time.sleep(1.5)  # well past every attempt's end: nobody may have ended one
    assert [cluster.state(r, "web3")["last_seq"] for r in runs] == recorded
    for web in ("web3", "web4"):
        assert "Runs execute on Celery workers" in cluster.log(web)
        assert "Resuming" not in cluster.log(web)
    cluster.consume(True)
    assert cluster.wait_over(runs, 60, "web4") == ["succeeded"] * 3
    for run_id in runs:
        assert_recorded_once(cluster.events(run_id, "web3"))
    for web in ("web3", "web4"):
        cluster.stop(web)


def test_with_the_beat_stopped_only_recoveries_wait(cluster):
    flow = import_flow(cluster, flow_document({"A": 1, "B": 1}, [("A", "B")], name="Two steps"))
    cluster.stop("beat")
    # Started through a web process whose messages are lost: only the sweep can move it.
    lost = cluster.start_run("lost", flow, blueprint="sequential", time_scale=0.2)
    normal = cluster.start_run("web1", flow, blueprint="sequential", time_scale=0.2)
    assert cluster.wait_over([normal], 20) == ["succeeded"]
    assert_recorded_once(cluster.events(normal))
    time.sleep(1.0)
    stuck = cluster.state(lost)
    assert stuck["status"] == "running" and stuck["tasks"]["A"]["state"] == "running"
    cluster.start_beat()
    assert cluster.wait_over([lost], 30) == ["succeeded"]
    assert_recorded_once(cluster.events(lost))


def test_an_action_over_its_time_limit_fails_on_the_worker(cluster):
    document = flow_document({"H": 1}, name="Hangs")
    document["tasks"][0]["executor"] = "hang"
    flow = import_flow(cluster, document)
    run_id = cluster.start_run(
        "web1", flow, blueprint="parallel", time_scale=0.1, failure_policy="fail_fast"
    )
    assert cluster.wait_over([run_id], 30) == ["failed"]
    task = cluster.state(run_id)["tasks"]["H"]
    assert task["error"] == "went over its time limit of 1 s"
    assert executions(cluster)[(run_id, "H", 1)] == 0


def test_rabbitmq_as_the_broker(cluster):
    """The same steps through RabbitMQ: a web process and a worker that use it run a flow
    with a retry and an action to its end."""
    from tests.cluster.conftest import AMQP_BROKER_URL, RABBITMQ, reachable

    if not reachable(RABBITMQ):
        pytest.skip(f"RabbitMQ at {RABBITMQ[0]}:{RABBITMQ[1]} is not reachable")
    cluster.start_web("amqp-web", CELERY_BROKER_URL=AMQP_BROKER_URL)
    cluster.start_worker("w3", CELERY_BROKER_URL=AMQP_BROKER_URL)
    cluster.wait_web("amqp-web")
    cluster.wait_worker("w3")
    flow = mixed_flow(cluster)
    run_id = cluster.start_run("amqp-web", flow, blueprint="hybrid", time_scale=0.2, seed=4)
    assert cluster.wait_over([run_id], 30) in (["succeeded"], ["failed"])
    assert_recorded_once(cluster.events(run_id))
    ran = {pid for _, run, *_, pid in cluster.actions() if run == run_id}
    assert ran == {cluster.pid("w3")}
    cluster.stop("w3")
    cluster.stop("amqp-web")


def test_an_idle_dashboard_on_the_redis_layer_stays_open(cluster, idle_feed):
    """Last: by now the dashboard has waited through the whole module (30 s at least) with
    nothing but heartbeats; then the person's action reaches it live."""
    time.sleep(max(0.0, 30 - (time.monotonic() - idle_feed.opened)))
    assert idle_feed.closed is None
    kinds = Counter(m["type"] for _, m in idle_feed.frames)
    assert kinds["snapshot"] == 1 and kinds["heartbeat"] >= 10 and kinds["events"] == 0
    asked = time.monotonic()
    cluster.call("web1", "POST", f"/api/runs/{idle_feed.run_id}/tasks/M/start/")
    deadline = asked + 5
    while time.monotonic() < deadline:
        frames = [m for at, m in idle_feed.frames if m["type"] == "events"]
        if frames:
            break
        time.sleep(0.05)
    assert [(e["task"], e["state"]) for e in frames[0]["events"]] == [("M", "running")]
    assert idle_feed.closed is None
