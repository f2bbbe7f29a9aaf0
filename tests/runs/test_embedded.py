"""The embedded server runs flows by itself, and a hard kill loses no run: after a restart
every run reaches its end and its events have no gap."""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.commands.test_serve import free_port
from tests.factories import content_document

ROOT = Path(__file__).resolve().parents[2]
TERMINAL = {"succeeded", "failed", "cancelled"}


class Server:
    def __init__(self, var: Path):
        self.var = var
        self.env = {
            **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")},
            "DJANGO_SETTINGS_MODULE": "designer.settings",
            "DJANGO_SECRET_KEY": "embedded-test",
            "VIVIDO_VAR_DIR": str(var),
            "VIVIDO_RUN_DISPATCH": "embedded",
        }
        self.manage = [sys.executable, str(ROOT / "manage.py")]
        self.process = None
        self.base = ""

    def setup(self):
        for command in (["migrate", "-v", "0"], ["ensure_local_account"], ["load_examples"]):
            subprocess.run(
                self.manage + command, env=self.env, check=True, capture_output=True, timeout=120
            )
        password = (self.var / "local-account.txt").read_text().split("password: ")[1].strip()
        self.start()
        self.token = self.call(
            "POST", "/api/auth/token/", {"username": "vivido", "password": password}
        )["token"]

    def start(self, port=None):
        port = port or free_port()
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(
            [*self.manage, "serve", "--port", str(port)],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.base + "/accounts/login/", timeout=1)
                return
            except OSError:
                time.sleep(0.2)
        raise AssertionError("the server did not start")

    def call(self, method, path, body=None):
        headers = {"Content-Type": "application/json"}
        if getattr(self, "token", None):
            headers["Authorization"] = f"Token {self.token}"
        request = urllib.request.Request(
            self.base + path,
            data=None if body is None else json.dumps(body).encode(),
            method=method,
            headers=headers,
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)

    def wait_all_over(self, run_ids, seconds):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            states = [self.call("GET", f"/api/runs/{i}/")["status"] for i in run_ids]
            if all(s in TERMINAL for s in states):
                return states
            time.sleep(0.3)
        raise AssertionError(f"runs still going: {states}")

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture
def server(tmp_path):
    running = Server(tmp_path)
    running.setup()
    yield running
    running.stop()


def automatic_flow(server, **changes):
    """The content flow with every task simulated (the example's last task is manual)."""
    document = {**content_document(), **changes}
    for task in document["tasks"]:
        task["failure_rate"] = 0.2
    return server.call("POST", "/api/flows/import/", document)["id"]


def test_runs_execute_by_themselves(server):
    content = automatic_flow(server)
    run = server.call(
        "POST",
        f"/api/flows/{content}/runs/",
        {
            "blueprint": "hybrid",
            "failure_policy": "retry_and_proceed",
            "time_scale": 0.02,
            "seed": 1,
        },
    )
    [status] = server.wait_all_over([run["id"]], 30)
    assert status in TERMINAL
    state = server.call("GET", f"/api/runs/{run['id']}/")
    assert {t["state"] for t in state["tasks"].values()} <= {"succeeded", "failed", "skipped"}
    events = server.call("GET", f"/api/runs/{run['id']}/events/?after=0")
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))


def test_a_hard_kill_loses_no_run(server):
    flow = automatic_flow(server)
    started = []
    for blueprint in ("sequential", "parallel", "hybrid"):
        run = server.call(
            "POST",
            f"/api/flows/{flow}/runs/",
            {
                "blueprint": blueprint,
                "failure_policy": "continue_with_compensation",
                "time_scale": 0.1,
                "seed": 5,
            },
        )
        started.append(run["id"])
    time.sleep(1.0)
    before = [server.call("GET", f"/api/runs/{i}/")["status"] for i in started]
    assert "running" in before
    server.kill()
    server.start()
    states = server.wait_all_over(started, 60)
    assert all(s in TERMINAL for s in states)
    for run_id in started:
        events = server.call("GET", f"/api/runs/{run_id}/events/?after=0")
        assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
        assert events[-1]["kind"] == "run"
