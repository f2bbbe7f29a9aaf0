"""What every benchmark shares: reports, best-of timing, a throwaway Django database and the
embedded server."""

from __future__ import annotations

import gc
import math
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent.parent / "bench-results"
REPEAT = 3


@dataclass
class Row:
    what: str
    seconds: float | None = None
    ratio: float | None = None  # against the report's peer, where one applies
    note: str = ""


@dataclass
class Report:
    name: str
    title: str
    rows: list[Row] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)


def best_of(run: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """The fastest of `repeat` runs, in seconds, and the last run's result."""
    best = math.inf
    result = None
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - start)
    return best, result


@contextmanager
def embedded_server(env: dict[str, str]) -> Iterator[tuple[str, int, int]]:
    """`manage.py serve` on a free port with `env`, until the block ends: its address, port
    and process id."""
    import socket
    import subprocess
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    root = Path(__file__).resolve().parent.parent
    RESULTS.mkdir(exist_ok=True)
    log = open(RESULTS / "server.log", "ab")  # noqa: SIM115 - closed when the server ends
    server = subprocess.Popen(
        [sys.executable, str(root / "manage.py"), "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(base + "/accounts/login/", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        yield base, port, server.pid
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


def django_env() -> dict[str, str]:
    """Django on a throwaway database, set up once for every benchmark that needs it; the
    environment an embedded server for the same database needs."""
    import tempfile

    if "VIVIDO_BENCH_VAR" not in os.environ:
        os.environ.update(
            {
                "DJANGO_SETTINGS_MODULE": "designer.settings",
                "DJANGO_SECRET_KEY": "bench",
                "VIVIDO_VAR_DIR": tempfile.mkdtemp(prefix="vivido-bench-"),
                "VIVIDO_BENCH_VAR": "1",
            }
        )
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
    return {**os.environ, "VIVIDO_RUN_DISPATCH": "embedded"}
