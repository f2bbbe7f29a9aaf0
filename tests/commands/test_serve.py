"""`manage.py serve`: the embedded server (Daphne + whitenoise), started as `make run` does."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")},
        "DJANGO_SETTINGS_MODULE": "designer.settings",
        "DJANGO_SECRET_KEY": "serve-test",
        "DJANGO_DEBUG": "false",
        "VIVIDO_VAR_DIR": str(tmp_path),
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    for command in (["migrate", "-v", "0"], ["ensure_local_account"], ["load_examples"]):
        subprocess.run(manage + command, env=env, check=True, capture_output=True, timeout=120)
    port = free_port()
    server = subprocess.Popen(
        [*manage, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/accounts/login/", timeout=1)
            break
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    else:
        server.kill()
        pytest.fail("the server did not start: " + server.stdout.read().decode())
    password = (tmp_path / "local-account.txt").read_text().split("password: ")[1].strip()
    yield base, password
    server.terminate()
    server.wait(timeout=10)


def test_serves_pages_static_files_and_the_api(served):
    base, password = served
    with urllib.request.urlopen(base + "/static/css/vivido.css") as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/css")
    request = urllib.request.Request(
        base + "/api/auth/token/",
        data=json.dumps({"username": "vivido", "password": password}).encode(),
        headers={"Content-Type": "application/json"},
    )
    token = json.load(urllib.request.urlopen(request))["token"]
    request = urllib.request.Request(
        base + "/api/flows/", headers={"Authorization": f"Token {token}"}
    )
    names = sorted(f["name"] for f in json.load(urllib.request.urlopen(request)))
    assert names == ["Content production", "Marketing campaign launch", "Regulatory submission"]
