"""Runs across processes: how many transitions a second are recorded and reach a dashboard,
and how late an attempt's end is recorded after its due moment, for the embedded default
(one process, SQLite) and for Celery on PostgreSQL and Redis with one and with two workers.

Two workloads on each: a burst (runs of independent tasks that all end at one moment: the
engine's steps queue behind each run's lock) and a chain (one task after another: each end
is alone at its moment). Each run is watched by a websocket client on a web process; a
transition counts once that client has it.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bench.runs import _Api
from bench.support import Report, Row, django_env, embedded_server

BURST_RUNS, BURST_WIDTH = 4, 50
CHAIN_LENGTH, CHAIN_SCALE = 20, 0.1
BURST_SCALE = 2.0  # the burst's tasks are due two seconds after their run starts


def wide(width: int) -> dict[str, Any]:
    tasks = [{"key": f"T{k}", "name": f"Task {k}", "duration": {"likely": 1}} for k in range(width)]
    return {"format": "vivido.flow/1", "name": f"Burst of {width}", "tasks": tasks}


def chain(length: int) -> dict[str, Any]:
    document = wide(length)
    document["name"] = f"Chain of {length}"
    document["dependencies"] = [{"from": f"T{k}", "to": f"T{k + 1}"} for k in range(length - 1)]
    return document


class _Target(_Api):
    """A web process to start runs on and watch them from."""

    timeout = 60

    def __init__(self, base: str, token: str):
        super().__init__(base, token)
        self.port = int(base.rsplit(":", 1)[1])


async def _watch(target: _Target, run_id: int, arrivals: list[tuple[float, int]]) -> None:
    """Follow a run's feed to its end; each event's arrival (wall clock) and seq."""
    from websockets.asyncio.client import connect

    async with connect(
        f"ws://127.0.0.1:{target.port}/ws/runs/{run_id}/",
        additional_headers={"Authorization": f"Token {target.token}"},
        max_size=None,
    ) as socket:
        while True:
            message = json.loads(await asyncio.wait_for(socket.recv(), 120))
            if message["type"] == "snapshot" and message["run"]["status"] != "running":
                return
            if message["type"] != "events":
                continue
            now = time.time()
            for event in message["events"]:
                arrivals.append((now, event["seq"]))
                if event["kind"] == "run" and event["state"] != "running":
                    return


def _workload(target: _Target, document: dict[str, Any], runs: int, scale: float) -> dict[str, Any]:
    """Start `runs` runs of `document` watched from their first moment; the transitions a
    second from the first due moment to the last arrival, and each end's delay."""
    flow = target.call("POST", "/api/flows/import/", document)["id"]
    body = {"blueprint": "parallel", "failure_policy": "fail_fast", "time_scale": scale}

    async def go() -> tuple[list[int], list[list[tuple[float, int]]]]:
        ids = [
            target.call("POST", f"/api/flows/{flow}/runs/", {**body, "seed": n})["id"]
            for n in range(runs)
        ]
        arrivals: list[list[tuple[float, int]]] = [[] for _ in ids]
        await asyncio.gather(*(_watch(target, i, a) for i, a in zip(ids, arrivals, strict=True)))
        return ids, arrivals

    ids, arrivals = asyncio.run(go())
    delays: list[float] = []
    firsts: list[datetime] = []
    counted = 0
    for run_id in ids:
        state = target.call("GET", f"/api/runs/{run_id}/")
        dues = []
        for task in state["tasks"].values():
            due = datetime.fromisoformat(task["started_at"]) + timedelta(seconds=scale)
            dues.append(due)
            delays.append((datetime.fromisoformat(task["finished_at"]) - due).total_seconds())
        events = target.call("GET", f"/api/runs/{run_id}/events/?after=0&limit=5000")
        # The run's transitions from its first due moment on: its ends and what they caused.
        counted += sum(1 for e in events if datetime.fromisoformat(e["at"]) >= min(dues))
        firsts.append(min(dues))
    last_arrival = max(at for seen in arrivals for at, _ in seen)
    return {
        "transitions": counted,
        "seconds": last_arrival - min(firsts).timestamp(),
        "delays": delays,
    }


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000


@contextmanager
def _embedded() -> Iterator[_Target]:
    env = django_env()
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    user, _ = get_user_model().objects.get_or_create(username="bench-cluster")
    token, _ = Token.objects.get_or_create(user=user)
    with embedded_server(env) as (base, _port, _pid):
        yield _Target(base, token.key)


@contextmanager
def _celery(workers: int) -> Iterator[_Target]:
    from tests.cluster.conftest import Cluster, connect_postgres, flush_redis

    database = f"vivido_cluster_bench_{os.getpid()}"
    with connect_postgres() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{database}"')
    flush_redis()
    cluster = Cluster(Path(tempfile.mkdtemp(prefix="vivido-bench-cluster-")), database)
    cluster.env["VIVIDO_SWEEP_SECONDS"] = "5"
    cluster.env["VIVIDO_SWEEP_GRACE_SECONDS"] = "2"
    try:
        cluster.start_web("web1")
        names = [f"w{n + 1}" for n in range(workers)]
        for name in names:
            cluster.start_worker(name)
        token = cluster.setup()
        cluster.start_beat()
        cluster.wait_web("web1")
        for name in names:
            cluster.wait_worker(name)
        yield _Target(cluster.base("web1"), token)
    finally:
        cluster.close()
        with connect_postgres() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


CONFIGURATIONS: list[tuple[str, Callable[[], Any]]] = [
    ("embedded, SQLite", _embedded),
    ("Celery, 1 worker, PostgreSQL", lambda: _celery(1)),
    ("Celery, 2 workers, PostgreSQL", lambda: _celery(2)),
]


def cluster(repeat: int = 3) -> Report:
    rows: list[Row] = []
    facts: dict[str, Any] = {
        "workloads": f"burst: {BURST_RUNS} runs × {BURST_WIDTH} tasks due at one moment; "
        f"chain: {CHAIN_LENGTH} tasks one after another, {CHAIN_SCALE} s each",
        "workers": "prefork, concurrency 2 each; broker and channel layer on Redis",
    }
    from tests.cluster.conftest import POSTGRES, REDIS, reachable

    missing = [
        f"{what} at {host}:{port}"
        for what, (host, port) in (("PostgreSQL", POSTGRES), ("Redis", REDIS))
        if not reachable((host, port))
    ]
    for name, start in CONFIGURATIONS:
        if missing and name.startswith("Celery"):
            facts[f"{name}: not measured"] = f"{', '.join(missing)} not reachable"
            continue
        with start() as target:
            burst = _workload(target, wide(BURST_WIDTH), BURST_RUNS, BURST_SCALE)
            line = _workload(target, chain(CHAIN_LENGTH), 1, CHAIN_SCALE)
        rate = burst["transitions"] / burst["seconds"]
        rows.append(
            Row(
                f"{name}: burst, {burst['transitions']} transitions to the viewers",
                burst["seconds"],
                note=f"{rate:,.0f} transitions per second",
            )
        )
        facts[f"{name}: transitions per second (burst)"] = round(rate)
        for label, result in (("burst", burst), ("chain", line)):
            delays = result["delays"]
            facts[f"{name}: due moment → recorded end, {label}, p50 / p99 (ms)"] = (
                f"{_pct(delays, 0.5):.1f} / {_pct(delays, 0.99):.1f} "
                f"(mean {statistics.fmean(delays) * 1000:.1f}, {len(delays)} ends)"
            )
    return Report(
        name="cluster",
        title="runs across processes: transitions recorded and broadcast, lateness of ends",
        rows=rows,
        facts=facts,
    )
