"""The embedded server (`manage.py serve`: Daphne, websockets, the run dispatcher) started
as a user starts it, for the tests that need the real thing."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TERMINAL = {"succeeded", "failed", "cancelled"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
        # The server's log goes to a file: a pipe nobody reads would stall it once full.
        self.log = open(var / "server.log", "ab")  # noqa: SIM115

    def setup(self):
        for command in (["migrate", "-v", "0"], ["ensure_local_account"], ["load_examples"]):
            subprocess.run(
                self.manage + command, env=self.env, check=True, capture_output=True, timeout=120
            )
        self.password = (self.var / "local-account.txt").read_text().split("password: ")[1].strip()
        self.start()
        self.token = self.call(
            "POST", "/api/auth/token/", {"username": "vivido", "password": self.password}
        )["token"]

    def start(self, port=None):
        port = port or free_port()
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(
            [*self.manage, "serve", "--port", str(port)],
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.base + "/accounts/login/", timeout=1)
                return
            except OSError:
                time.sleep(0.2)
        # Not left running behind a failed start: no fixture would ever stop it.
        self.process.kill()
        self.process.wait(timeout=10)
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
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
                raise AssertionError("the server did not stop within 10 s of SIGTERM") from None
        self.log.close()
