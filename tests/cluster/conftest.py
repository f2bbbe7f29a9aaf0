"""Vivido spread over processes, as a deployer starts it: web processes (`manage.py serve`)
and Celery workers and beat, on PostgreSQL (a database of their own, vivido_cluster_*) and
Redis (channel layer on db 5, broker on db 6). Started once for the module: starting a
Django process costs seconds on this machine."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
TERMINAL = {"succeeded", "failed", "cancelled"}
POSTGRES = ("127.0.0.1", 5432)
REDIS = ("127.0.0.1", 6379)
LAYER_URL = "redis://127.0.0.1:6379/5"
BROKER_URL = "redis://127.0.0.1:6379/6"
# A broker no worker listens to: what a web process sends there is lost.
LOST_BROKER_URL = "redis://127.0.0.1:6379/7"
RABBITMQ = ("127.0.0.1", 5672)
AMQP_BROKER_URL = "amqp://guest:guest@127.0.0.1:5672//"


def reachable(address: tuple[str, int]) -> bool:
    try:
        socket.create_connection(address, timeout=2).close()
    except OSError:
        return False
    return True


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    def __init__(self, var: Path, database: str):
        self.var = var
        self.database = database
        self.database_url = f"postgresql://postgres@127.0.0.1:5432/{database}"
        self.actions_log = var / "actions.log"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "VIVIDO_"))},
            "DJANGO_SETTINGS_MODULE": "tests.cluster.settings",
            "DJANGO_SECRET_KEY": "cluster-test",
            "DATABASE_URL": self.database_url,
            "REDIS_URL": LAYER_URL,
            "CELERY_BROKER_URL": BROKER_URL,
            "VIVIDO_RUN_DISPATCH": "celery",
            "VIVIDO_VAR_DIR": str(var),
            "VIVIDO_SWEEP_SECONDS": "1",
            "VIVIDO_SWEEP_GRACE_SECONDS": "1",
            "VIVIDO_HEARTBEAT_SECONDS": "2",
            "VIVIDO_CLUSTER_LOG": str(self.actions_log),
            "VIVIDO_THROTTLE_EXPENSIVE": "100000/min",
            "VIVIDO_THROTTLE_TOKEN": "100000/min",
        }
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.ports: dict[str, int] = {}
        self.token = ""

    def setup(self) -> str:
        """Migrate, and make a user with an API token (one Django start); the token."""
        script = (
            "from django.core.management import call_command; "
            "call_command('migrate', verbosity=0); "
            "from django.contrib.auth import get_user_model; "
            "from rest_framework.authtoken.models import Token; "
            "user = get_user_model().objects.create_user('cluster', password='cluster-pw-1'); "
            "print(Token.objects.create(user=user).key)"
        )
        done = subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), "shell", "-c", script],
            env=self.env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
            timeout=120,
        )
        return done.stdout.strip().splitlines()[-1]

    def _spawn(self, name: str, command: list[str], **env: str) -> subprocess.Popen[bytes]:
        log = open(self.var / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(
            command,
            env={**self.env, **env},
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: a kill reaches its children
        )
        log.close()
        self.processes[name] = process
        return process

    def start_web(self, name: str, port: int | None = None, **env: str) -> None:
        port = port or self.ports.get(name) or free_port()
        self.ports[name] = port
        self._spawn(
            name,
            [sys.executable, "manage.py", "serve", "--port", str(port), "--no-collectstatic"],
            **env,
        )

    def wait_web(self, name: str, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.base(name) + "/accounts/login/", timeout=1)
                return
            except OSError:
                time.sleep(0.1)
        raise AssertionError(f"web process {name} did not start: {self.log(name)[-2000:]}")

    def start_worker(self, name: str, **env: str) -> None:
        # Each worker also listens to a queue of its own name, so a test can hand a step to
        # one worker in particular.
        self._spawn(
            name,
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "designer",
                "worker",
                "-n",
                f"{name}@%h",
                "-Q",
                f"celery,{name}",
                "--concurrency",
                "2",
                "--without-gossip",
                "--without-mingle",
                "-l",
                "info",
            ],
            **env,
        )

    def wait_worker(self, name: str, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if f"{name}@" in self.log(name) and " ready." in self.log(name):
                return
            time.sleep(0.1)
        raise AssertionError(f"worker {name} did not start: {self.log(name)[-2000:]}")

    def consume(self, on: bool) -> None:
        """Have both workers take steps from the shared queue, or stop taking any (what they
        already hold they still run): the quick way to have no worker for a while."""
        from celery import Celery

        client = Celery(broker=BROKER_URL)
        names = [f"{worker}@{socket.gethostname()}" for worker in ("w1", "w2")]
        control = client.control.add_consumer if on else client.control.cancel_consumer
        replies = control("celery", destination=names, reply=True, timeout=10)
        client.close()
        assert len(replies) == 2, replies

    def start_beat(self) -> None:
        self._spawn(
            "beat",
            [sys.executable, "-m", "celery", "-A", "designer", "beat", "-l", "info"],
        )

    def log(self, name: str) -> str:
        path = self.var / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def pid(self, name: str) -> int:
        return self.processes[name].pid

    def kill(self, name: str) -> None:
        """SIGKILL the process and its children, as a crash or the OOM killer would."""
        process = self.processes.pop(name)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def stop(self, name: str) -> None:
        process = self.processes.pop(name)
        if process.poll() is None:
            process.terminate()  # a warm shutdown: the worker hands back what it held
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)

    def base(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def call(self, name: str, method: str, path: str, body: Any = None) -> Any:
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Token {self.token}"
        request = urllib.request.Request(
            self.base(name) + path,
            data=None if body is None else json.dumps(body).encode(),
            method=method,
            headers=headers,
        )
        with urllib.request.urlopen(request, timeout=15) as response:
            return json.load(response)

    def start_run(self, web: str, flow: int, **settings: Any) -> int:
        body = {"failure_policy": "retry_and_proceed", "seed": 1, **settings}
        return int(self.call(web, "POST", f"/api/flows/{flow}/runs/", body)["id"])

    def state(self, run_id: int, web: str = "web2") -> dict[str, Any]:
        return self.call(web, "GET", f"/api/runs/{run_id}/")

    def events(self, run_id: int, web: str = "web2") -> list[dict[str, Any]]:
        return self.call(web, "GET", f"/api/runs/{run_id}/events/?after=0&limit=5000")

    def wait_over(self, run_ids: list[int], seconds: float, web: str = "web2") -> list[str]:
        deadline = time.monotonic() + seconds
        states: list[str] = []
        while time.monotonic() < deadline:
            states = [self.state(i, web)["status"] for i in run_ids]
            if all(s in TERMINAL for s in states):
                return states
            time.sleep(0.2)
        raise AssertionError(f"runs still going after {seconds} s: {states}")

    def actions(self) -> list[tuple[str, int, str, int, int]]:
        """The actions' log: (begin|end, run, task, attempt, worker process id)."""
        if not self.actions_log.exists():
            return []
        rows = []
        for line in self.actions_log.read_text().splitlines():
            what, run, task, attempt, pid = line.split()
            rows.append((what, int(run), task, int(attempt), int(pid)))
        return rows

    def close(self) -> None:
        """Kill every process at once: nothing in them needs keeping now."""
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
        for process in self.processes.values():
            process.wait(timeout=10)
        self.processes.clear()


def connect_postgres(database: str = "postgres") -> Any:
    import psycopg

    return psycopg.connect(
        host=POSTGRES[0], port=POSTGRES[1], user="postgres", dbname=database, autocommit=True
    )


def flush_redis() -> None:
    import redis

    for url in (LAYER_URL, BROKER_URL, LOST_BROKER_URL):
        client = redis.Redis.from_url(url)
        client.flushdb()
        client.close()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: Any) -> Any:
    """Two web processes, two workers and the beat, on a fresh database."""
    for what, address in (("PostgreSQL", POSTGRES), ("Redis", REDIS)):
        if not reachable(address):
            pytest.skip(f"{what} at {address[0]}:{address[1]} is not reachable")
    database = f"vivido_cluster_{os.getpid()}"
    with connect_postgres() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{database}"')
    flush_redis()
    running = Cluster(tmp_path_factory.mktemp("cluster"), database)
    try:
        # Processes start while the database is migrated: starting one costs seconds here.
        for web in ("web1", "web2"):
            running.start_web(web)
        # A web process whose broker no worker reads: what it sends is lost, for the sweep.
        running.start_web("lost", CELERY_BROKER_URL=LOST_BROKER_URL)
        for worker in ("w1", "w2"):
            running.start_worker(worker)
        running.token = running.setup()
        running.start_beat()
        for web in ("web1", "web2", "lost"):
            running.wait_web(web)
        for worker in ("w1", "w2"):
            running.wait_worker(worker)
        yield running
    finally:
        running.close()
        with connect_postgres() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


@pytest.fixture
def postgres(cluster: Cluster) -> Any:
    """A connection of the test's own to the cluster's database."""
    with connect_postgres(cluster.database) as connection:
        yield connection
