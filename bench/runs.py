"""Runs: how fast the engine records transitions, how soon viewers see them, what viewers
cost the engine, and what idle dashboards cost the machine."""

from __future__ import annotations

import asyncio
import json
import os
import time
import urllib.request
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.support import Report, Row, best_of, django_env, embedded_server

VIEWERS = (1, 50, 200)


def wide(n: int, name: str) -> dict[str, Any]:
    """`n` independent tasks of one time unit: they all end at the same instant, a burst."""
    tasks = [{"key": f"T{k}", "name": f"Task {k}", "duration": {"likely": 1}} for k in range(n)]
    return {"format": "vivido.flow/1", "name": name, "tasks": tasks}


def layered(levels: int, width: int) -> dict[str, Any]:
    """A task a person completes (G), then `levels` × `width` tasks, each level needing the
    one before: a run that waits until its viewers are watching, then moves in waves."""
    document = wide(levels * width, f"Layers {levels}×{width}")
    document["tasks"].insert(
        0, {"key": "G", "name": "Go", "duration": {"likely": 1}, "executor": "manual"}
    )
    document["dependencies"] = [{"from": "G", "to": f"T{b}"} for b in range(width)] + [
        {"from": f"T{(level - 1) * width + a}", "to": f"T{level * width + b}"}
        for level in range(1, levels)
        for a, b in ((a, b) for a in range(width) for b in range(width) if (a - b) % width < 2)
    ]
    return document


def runs(repeat: int = 3) -> Report:
    env = django_env()
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    from designer import services
    from runs import engine

    user = get_user_model().objects.create_user("bench-runs", password="bench-password-1")
    burst = services.flow_import(owner=user, document=wide(200, "Wide"))
    waves = services.flow_import(owner=user, document=layered(10, 20))
    compensation = layered(10, 20)
    compensation["tasks"][190]["failure_rate"] = 1
    compensated = services.flow_import(owner=user, document=compensation)
    idle_document = wide(20, "Waiting for a person")
    idle_document["tasks"][0]["executor"] = "manual"
    idle = services.flow_import(owner=user, document=idle_document)

    def drive() -> int:
        run, step = engine.run_start(
            flow=burst,
            user=user,
            blueprint="parallel",
            failure_policy="fail_fast",
            time_scale=0.001,
            seed=1,
        )
        pending = list(step.starts)
        while pending:
            start = pending.pop()
            pending.extend(
                engine.task_finish(run.pk, start.key, start.attempt, succeeded=True).starts
            )
        run.refresh_from_db()
        return run.last_seq

    drive_s, transitions = best_of(drive, repeat)
    token = Token.objects.create(user=user).key

    with embedded_server(env) as (base, port, server_pid):
        api = _Api(base, token)
        delays = {n: asyncio.run(_delivery(api, port, burst.pk, n)) for n in VIEWERS}
        walls = {n: asyncio.run(_wall_time(api, port, waves.pk, n)) for n in (1, 200)}
        page = _dashboard(api, base, compensated.pk)
        cpu = _idle_dashboards(api, base, idle.pk, server_pid, dashboards=10, seconds=60)

    rows = [
        Row(
            f"{transitions} transitions of a 200-task run, engine steps + events",
            drive_s,
            note=f"{transitions / drive_s:,.0f} transitions per second",
        ),
        Row("200-task run in waves, 1 viewer", walls[1]),
        Row(
            "the same run with 200 viewers",
            walls[200],
            ratio=walls[200] / walls[1],
            note="ratio against 1 viewer (aim: at most 1.5)",
        ),
    ]
    facts: dict[str, Any] = {
        "transitions per second (SQLite, in-memory layer)": round(transitions / drive_s)
    }
    for viewers, values in delays.items():
        facts[f"{viewers} viewers: transition-to-client delay p50 / p99 (ms)"] = (
            f"{_pct(values, 0.5):.1f} / {_pct(values, 0.99):.1f} over {len(values)} deliveries"
        )
    for what, value in page.items():
        facts[f"run page, 200 tasks: {what}"] = round(value, 1)
    facts["10 idle dashboards for 60 s: CPU seconds (server / Chromium)"] = (
        f"{cpu['server']:.2f} / {cpu['chromium']:.2f}"
    )
    return Report(
        name="runs",
        title="runs: transitions recorded, delivered to viewers, and what viewers cost",
        rows=rows,
        facts=facts,
    )


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000


class _Api:
    """The API of an embedded or cluster server, with a token."""

    timeout = 30

    def __init__(self, base: str, token: str):
        self.base, self.token = base, token

    def call(self, method: str, path: str, body: Any = None) -> Any:
        request = urllib.request.Request(
            self.base + path,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "Authorization": f"Token {self.token}"},
            method=method,
        )
        with urllib.request.urlopen(request, timeout=self.timeout) as response:
            return json.load(response)

    def start(self, flow_id: int, time_scale: float) -> int:
        body = {
            "blueprint": "parallel",
            "failure_policy": "fail_fast",
            "time_scale": time_scale,
            "seed": 1,
        }
        return int(self.call("POST", f"/api/flows/{flow_id}/runs/", body)["id"])


async def _viewers(
    api: _Api,
    port: int,
    run_id: int,
    count: int,
    on_event: Any = None,
    when_watching: Any = None,
) -> None:
    """`count` websocket clients following a run to its end, as the dashboard's contract
    says: snapshot, then events frames. They connect 20 at a time, as people arriving do,
    not all in one instant; `when_watching()` is called once every one has its snapshot."""
    from websockets.asyncio.client import connect

    gate = asyncio.Semaphore(20)
    watching = 0
    everyone = asyncio.Event()

    async def follow() -> None:
        nonlocal watching
        async with gate:
            socket_ = await connect(
                f"ws://127.0.0.1:{port}/ws/runs/{run_id}/",
                additional_headers={"Authorization": f"Token {api.token}"},
                max_queue=None,
                max_size=None,
            )
            first = json.loads(await socket_.recv())
        watching += 1
        if watching == count:
            everyone.set()
        async with socket_:
            if first["run"]["status"] != "running":
                return
            while True:
                message = json.loads(await socket_.recv())
                if message["type"] != "events":
                    continue
                arrived = datetime.now().astimezone()
                for event in message["events"]:
                    if on_event is not None:
                        on_event(arrived, event)
                    if event["kind"] == "run" and event["state"] in ("succeeded", "failed"):
                        return

    async def release() -> None:
        await everyone.wait()
        if when_watching is not None:
            await asyncio.to_thread(when_watching)

    await asyncio.wait_for(
        asyncio.gather(release(), *(follow() for _ in range(count))), timeout=180
    )


async def _delivery(api: _Api, port: int, flow_id: int, count: int) -> list[float]:
    """The delay from the engine recording each transition to its arrival at every viewer;
    the 200 tasks all end at the same instant."""
    run_id = api.start(flow_id, time_scale=5.0)
    delays: list[float] = []

    def arrived(at: datetime, event: dict[str, Any]) -> None:
        delays.append((at - datetime.fromisoformat(event["at"])).total_seconds())

    await _viewers(api, port, run_id, count, arrived)
    return delays


async def _wall_time(api: _Api, port: int, flow_id: int, count: int) -> float:
    """A run's wall time (from G's completion to its end, as the engine recorded them) with
    `count` viewers watching from its first moment."""
    run_id = api.start(flow_id, time_scale=0.1)
    go = f"/api/runs/{run_id}/tasks/G/"
    await _viewers(
        api,
        port,
        run_id,
        count,
        when_watching=lambda: [api.call("POST", go + "start/"), api.call("POST", go + "complete/")],
    )
    state = api.call("GET", f"/api/runs/{run_id}/")
    began = state["tasks"]["G"]["finished_at"]
    return (
        datetime.fromisoformat(state["finished_at"]) - datetime.fromisoformat(began)
    ).total_seconds()


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _chromium_pids() -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if "chromium" in (entry / "comm").read_text():
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def _idle_dashboards(
    api: _Api, base: str, flow_id: int, server_pid: int, *, dashboards: int, seconds: int
) -> dict[str, float]:
    """CPU the server and Chromium spend while `dashboards` run pages watch a run that waits
    for a person (live, heartbeats only) for `seconds`."""
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

    run_id = api.start(flow_id, time_scale=0.01)
    deadline = time.monotonic() + 30
    # T0 waits for a person; the others end within a second, then nothing moves.
    while api.call("GET", f"/api/runs/{run_id}/")["tasks"]["T19"]["state"] != "succeeded":
        if time.monotonic() > deadline:
            break
        time.sleep(0.2)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context, page = _signed_in(browser, base)
        pages = [page, *(context.new_page() for _ in range(dashboards - 1))]
        for tab in pages:
            tab.goto(f"{base}/runs/{run_id}/")
        time.sleep(3)
        chromium = _chromium_pids()
        before = _cpu_seconds(server_pid), sum(_cpu_seconds(p) for p in chromium)
        time.sleep(seconds)
        after = _cpu_seconds(server_pid), sum(_cpu_seconds(p) for p in chromium)
        browser.close()
    api.call("POST", f"/api/runs/{run_id}/cancel/")
    return {"server": after[0] - before[0], "chromium": after[1] - before[1]}


def _signed_in(browser: Any, base: str) -> tuple[Any, Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(base + "/accounts/login/")
    page.fill("#id_username", "bench-runs")
    page.fill("#id_password", "bench-password-1")
    page.click("button[type=submit]")
    page.wait_for_url("**/")
    return context, page


def _dashboard(api: _Api, base: str, flow_id: int) -> dict[str, float]:
    """The run page of a 200-task run in Chromium: its first render, and how long it takes
    to apply the whole run's events (about 700: compensation) delivered in one burst."""
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

    body = {
        "blueprint": "parallel",
        "failure_policy": "continue_with_compensation",
        "time_scale": 0.01,
        "max_retries": 0,
        "seed": 1,
    }
    run_id = api.call("POST", f"/api/flows/{flow_id}/runs/", body)["id"]
    held: list[str] = []
    sockets: list[Any] = []
    seen: dict[str, int] = {}

    def hold(ws: Any) -> None:
        server = ws.connect_to_server()
        sockets.append(ws)

        def forward(message: str) -> None:
            data = json.loads(message)
            if data["type"] == "snapshot":
                seen["seq"] = data["last_seq"]
                ws.send(message)
            elif data["type"] == "heartbeat":
                ws.send(json.dumps({**data, "last_seq": seen["seq"], "status": "running"}))
            else:
                held.append(message)
                seen["held"] = max(seen.get("held", 0), data["last_seq"])

        server.on_message(forward)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context, page = _signed_in(browser, base)
        context.route_web_socket("**/ws/**", hold)
        page.goto(f"{base}/runs/{run_id}/")
        page.wait_for_function(
            "() => window.vividoRuns?.[0]?.stats?.firstRender > 0", timeout=30_000
        )
        first = page.evaluate("window.vividoRuns[0].stats")
        go = f"/api/runs/{run_id}/tasks/G/"
        api.call("POST", go + "start/")
        api.call("POST", go + "complete/")
        # Playwright hands over the socket's messages while the page is being waited on.
        deadline = time.monotonic() + 60
        while api.call("GET", f"/api/runs/{run_id}/")["status"] == "running":
            if time.monotonic() > deadline:
                break
            page.wait_for_timeout(300)
        last_seq = api.call("GET", f"/api/runs/{run_id}/")["last_seq"]
        while seen.get("held", 0) < last_seq and time.monotonic() < deadline:
            page.wait_for_timeout(100)
        for message in held:
            sockets[0].send(message)
        page.wait_for_function(
            f"() => window.vividoRuns[0].model.seq >= {last_seq}", timeout=30_000, polling="raf"
        )
        after = page.evaluate("window.vividoRuns[0].stats")
        browser.close()
    return {
        "first render (ms since navigation)": first["firstRender"],
        "snapshot render (ms)": first["renderMs"],
        "burst events": after["events"],
        "burst applied (ms, arrival to on screen)": after["maxLag"],
    }
