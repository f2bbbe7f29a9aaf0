"""Run the benchmarks and print their figures: `python -m bench [--only NAME] [--repeat N]`.

Each benchmark is a function in `BENCHMARKS` that returns a `Report`: rows of timings (best of
a few runs, `time.perf_counter`) and facts that let a reader check the contenders computed
the same thing. Nothing here asserts; a report is printed and written as JSON to
`bench-results/<name>.json`. All timings in one report come from the same process run, so
their ratios compare like with like.
"""

from __future__ import annotations

import argparse
import functools
import itertools
import json
import os
import platform
import random
import sys
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from bench.cluster import cluster
from bench.optimise import optimiser
from bench.runs import runs
from bench.support import REPEAT, RESULTS, Report, Row, best_of, django_env, embedded_server


def random_dag_document(tasks: int, dependencies: int, seed: int) -> dict[str, Any]:
    """A `vivido.flow/1` document: keys T1..Tn, unique hard edges from lower to higher index,
    three-point durations in quarter hours (exact in binary, so sums compare exactly)."""
    rng = random.Random(seed)
    docs_tasks = []
    for i in range(tasks):
        likely = rng.randint(1, 80) / 4
        optimistic = rng.randint(0, int(likely * 4)) / 4
        pessimistic = likely + rng.randint(0, 80) / 4
        docs_tasks.append(
            {
                "key": f"T{i + 1}",
                "name": f"Task {i + 1}",
                "duration": {
                    "optimistic": optimistic,
                    "likely": likely,
                    "pessimistic": pessimistic,
                },
            }
        )
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < dependencies:
        a, b = rng.randrange(tasks), rng.randrange(tasks)
        if a != b:
            pairs.add((min(a, b), max(a, b)))
    return {
        "format": "vivido.flow/1",
        "name": f"Random DAG {tasks}/{dependencies} (seed {seed})",
        "handoff_delay": 0,
        "sync_overhead": 0,
        "tasks": docs_tasks,
        "dependencies": [
            {"from": f"T{a + 1}", "to": f"T{b + 1}", "strength": "hard"} for a, b in sorted(pairs)
        ],
    }


def analysis(repeat: int = REPEAT) -> Report:
    """Reading and analysing a 10,000-task flow, against networkx's longest path on it."""
    import networkx as nx

    from designer.analysis.cpm import analyse
    from designer.analysis.document import flow_from_document

    tasks, dependencies, seed = 10_000, 50_000, 20_240_601
    doc = random_dag_document(tasks, dependencies, seed)

    # The peer's graph, built outside the timed region. Each task is an edge
    # (k, in) → (k, out) weighted by its likely duration; each hard dependency an edge
    # (a, out) → (b, in) of weight 0 (h = s = 0), so the longest path is the parallel cycle time.
    graph = nx.DiGraph()
    for t in doc["tasks"]:
        graph.add_edge((t["key"], "in"), (t["key"], "out"), weight=t["duration"]["likely"])
    for d in doc["dependencies"]:
        graph.add_edge((d["from"], "out"), (d["to"], "in"), weight=0)

    read_s, flow = best_of(lambda: flow_from_document(doc), repeat)
    analyse_s, result = best_of(lambda: analyse(flow), repeat)
    both_s, _ = best_of(lambda: analyse(flow_from_document(doc)), repeat)
    peer_s, path = best_of(lambda: nx.dag_longest_path(graph, weight="weight"), repeat)

    peer_length = sum(graph[u][v]["weight"] for u, v in itertools.pairwise(path))
    ours = result["cycle_time"]["parallel"]
    agree = abs(ours - peer_length) <= 1e-9 * max(1.0, abs(peer_length))

    return Report(
        name="analysis",
        title=f"analysis of a random DAG: {tasks:,} tasks, {dependencies:,} hard dependencies",
        rows=[
            Row("flow_from_document (read + validate)", read_s, read_s / peer_s),
            Row("analyse (3 cycle times, CPM, phases, clusters)", analyse_s, analyse_s / peer_s),
            Row("read + analyse, one call after the other", both_s, both_s / peer_s),
            Row("peer: networkx dag_longest_path", peer_s, 1.0, "graph built outside the timing"),
        ],
        facts={
            "tasks": tasks,
            "dependencies": dependencies,
            "seed": seed,
            "repeat": repeat,
            "parallel cycle time (analyse)": ours,
            "longest path length (networkx)": peer_length,
            "agree": "yes" if agree else "no",
            "analyse / networkx (same run)": round(analyse_s / peer_s, 2),
            "read+analyse / networkx (same run)": round(both_s / peer_s, 2),
            "sequential cycle time": result["cycle_time"]["sequential"],
            "hybrid cycle time": result["cycle_time"]["hybrid"],
            "critical path tasks": len(result["critical_path"]),
            "derived phases": len(result["phases"]),
            "clusters": len(result["clusters"]),
        },
    )


def monte_carlo(repeat: int = REPEAT) -> Report:
    """Monte Carlo of the parallel cycle time, against a per-iteration networkx loop."""
    import networkx as nx
    import numpy as np

    from designer.analysis.document import flow_from_document
    from designer.analysis.graph import FlowGraph
    from designer.analysis.plans import plan_for
    from designer.analysis.simulation import forward_many, pert_samples, simulate

    tasks, dependencies, seed, iterations = 1_000, 3_000, 20_240_602, 10_000
    peer_iterations = int(os.environ.get("VIVIDO_BENCH_PEER_ITERATIONS", "1000"))
    flow = flow_from_document(random_dag_document(tasks, dependencies, seed))
    plan = plan_for(FlowGraph(flow), "parallel")
    estimates = [
        np.array([getattr(t.duration, f) for t in flow.tasks])
        for f in ("optimistic", "likely", "pessimistic")
    ]

    def sample() -> Any:
        return pert_samples(*estimates, iterations, np.random.SeedSequence(seed))

    sample_s, samples = best_of(sample, repeat)
    forward_s, cycles = best_of(lambda: forward_many(plan, samples).max(axis=0), repeat)
    whole_s, result = best_of(
        lambda: simulate(flow, iterations=iterations, seed=seed, blueprints=["parallel"]), repeat
    )
    all_s, _ = best_of(lambda: simulate(flow, iterations=iterations, seed=seed), 1)

    # The peer: the same samples, one networkx longest path per iteration.
    graph = nx.DiGraph()
    for t in flow.tasks:
        graph.add_edge((t.key, "in"), (t.key, "out"))
    for d in flow.dependencies:
        graph.add_edge((d.source, "out"), (d.target, "in"), weight=0.0)
    task_edges = [((t.key, "in"), (t.key, "out")) for t in flow.tasks]

    def peer() -> list[float]:
        lengths = []
        for k in range(peer_iterations):
            column = samples[:, k].tolist()
            for (u, v), value in zip(task_edges, column, strict=True):
                graph[u][v]["weight"] = value
            lengths.append(nx.dag_longest_path_length(graph, weight="weight"))
        return lengths

    peer_s, lengths = best_of(peer, 1)
    per_iteration = peer_s / peer_iterations
    peer_full = per_iteration * iterations
    agree = bool(np.allclose(cycles[:peer_iterations], lengths, rtol=1e-12, atol=1e-9))
    api = _monte_carlo_through_the_api(tasks, dependencies, seed, iterations, repeat)
    api_agree = api["p50"] == result["results"]["parallel"]["p50"]
    return Report(
        name="monte_carlo",
        title=f"Monte Carlo, {iterations:,} iterations of a {tasks:,}-task / "
        f"{dependencies:,}-dependency DAG",
        rows=[
            Row("PERT-Beta sampling (two streams)", sample_s, sample_s / peer_full),
            Row("parallel forward pass, all iterations", forward_s, forward_s / peer_full),
            Row("simulate(), parallel only: samples to figures", whole_s, whole_s / peer_full),
            Row("simulate(), three blueprints + criticality", all_s, all_s / peer_full),
            Row(
                "through the API, first call (cold server process)",
                api["cold"],
                api["cold"] / peer_full,
                "POST /api/flows/{id}/simulations/ on the embedded server, parallel",
            ),
            Row(
                "through the API, end to end (best of the calls after)",
                api["warm"],
                api["warm"] / peer_full,
                f"HTTP, flow read, sampling, passes, result stored: {api['bytes']:,} bytes",
            ),
            Row(
                f"peer: networkx longest path × {iterations:,}",
                peer_full,
                1.0,
                f"measured on {peer_iterations:,} iterations, {per_iteration * 1000:.2f} ms each",
            ),
        ],
        facts={
            "agree on the peer's iterations": "yes" if agree else "no",
            "speed-up of simulate() (parallel) over the peer": round(peer_full / whole_s, 1),
            "Monte Carlo through the API vs the networkx loop (same run)": (
                f"{peer_full / api['warm']:.0f}× faster ({api['warm']:.3f} s vs {peer_full:.1f} s)"
            ),
            "API result agrees with simulate() (parallel P50)": "yes" if api_agree else "no",
            "API timings, every call (s)": [round(t, 3) for t in api["all"]],
            "speed-up of the forward pass over the peer": round(peer_full / forward_s, 1),
            "parallel P50 / P95": f"{result['results']['parallel']['p50']} / "
            f"{result['results']['parallel']['p95']}",
        },
    )


def _monte_carlo_through_the_api(
    tasks: int, dependencies: int, seed: int, iterations: int, repeat: int
) -> dict[str, Any]:
    """The same flow imported into a fresh embedded server, simulated over HTTP with a token:
    the first call of the server process, then `repeat` more."""
    import time
    import urllib.request

    env = django_env()
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    from designer import services

    user, _ = get_user_model().objects.get_or_create(username="bench-monte-carlo")
    token = Token.objects.get_or_create(user=user)[0].key
    flow = services.flow_import(owner=user, document=random_dag_document(tasks, dependencies, seed))
    body = json.dumps({"iterations": iterations, "seed": seed, "blueprints": ["parallel"]})
    timings, size, p50 = [], 0, None
    with embedded_server(env) as (base, _port, _pid):
        for _ in range(1 + max(1, repeat)):
            request = urllib.request.Request(
                f"{base}/api/flows/{flow.pk}/simulations/",
                data=body.encode(),
                method="POST",
                headers={"Content-Type": "application/json", "Authorization": f"Token {token}"},
            )
            started = time.perf_counter()
            with urllib.request.urlopen(request, timeout=120) as response:
                payload = response.read()
                status = response.status
            timings.append(time.perf_counter() - started)
            if status != 201:
                raise RuntimeError(f"the simulation answered {status}, not 201")
            size = len(payload)
            p50 = json.loads(payload)["results"]["parallel"]["p50"]
    return {"cold": timings[0], "warm": min(timings[1:]), "all": timings, "bytes": size, "p50": p50}


def constrained(repeat: int = REPEAT) -> Report:
    """Resource-constrained Monte Carlo: every iteration list-scheduled."""
    from designer.analysis.document import flow_from_document
    from designer.analysis.simulation import simulate

    tasks, dependencies, seed, iterations = 200, 600, 20_240_603, 1_000
    doc = random_dag_document(tasks, dependencies, seed)
    doc["resources"] = [
        {"name": "Analysts", "capacity": 3},
        {"name": "Builders", "capacity": 2},
        {"name": "Reviewers", "capacity": 1},
    ]
    rng = random.Random(seed)
    for task in doc["tasks"]:
        task["resources"] = {rng.choice(["Analysts", "Builders", "Reviewers"]): 1}
    flow = flow_from_document(doc)
    unconstrained = flow_from_document(
        {
            **doc,
            "resources": [],
            "tasks": [{k: v for k, v in t.items() if k != "resources"} for t in doc["tasks"]],
        }
    )
    run_s, result = best_of(
        lambda: simulate(flow, iterations=iterations, seed=seed, blueprints=["hybrid", "parallel"]),
        repeat,
    )
    free_s, free = best_of(
        lambda: simulate(
            unconstrained, iterations=iterations, seed=seed, blueprints=["hybrid", "parallel"]
        ),
        repeat,
    )
    growth = _list_scheduler_growth(repeat)
    server = _server_during_a_background_job()
    base = growth[0][1]
    return Report(
        name="constrained",
        title=f"resource-constrained Monte Carlo, {iterations:,} iterations of a {tasks}-task "
        f"flow with 3 pools; the list scheduler's growth; the server during a background job",
        rows=[
            Row("hybrid + parallel, list-scheduled per iteration", run_s, run_s / free_s),
            Row("peer: the same flow without pools (vectorised)", free_s, 1.0),
            *[
                Row(
                    f"list_schedule, {n:,} tasks on a binding pool (event-driven)",
                    new_s,
                    None,
                    f"×{new_s / base:.1f} the 250-task time; the old loop: {old_s:.4f} s "
                    f"(×{old_s / growth[0][2]:.0f})",
                )
                for n, new_s, old_s in growth
            ],
            Row("GET /api/flows/ with no job running (median)", server["idle"]),
            Row(
                "GET /api/flows/ during a 1,000-task binding-pool job (median)",
                server["busy"],
                None,
                f"slowest of {server['asked']}: {server['busy_max']:.3f} s",
            ),
            Row("that job's POST: answered 202 in", server["accepted"]),
            Row("cancel (DELETE) to the job's state 'cancelled'", server["cancel"]),
        ],
        facts={
            "background job": f"{server['iterations']:,} iterations, cost estimate "
            f"{server['cost']:,}, {server['final']} at {server['progress']:.0%}",
            "per iteration and blueprint (ms)": round(run_s / iterations / 2 * 1000, 3),
            "parallel P50 with pools / without": f"{result['results']['parallel']['p50']} / "
            f"{free['results']['parallel']['p50']}",
            "hybrid P50 with pools / without": f"{result['results']['hybrid']['p50']} / "
            f"{free['results']['hybrid']['p50']}",
        },
    )


def _binding_pool_document(tasks: int, seed: int, capacity: int = 2) -> dict[str, Any]:
    doc = random_dag_document(tasks, 2 * tasks, seed)
    doc["resources"] = [{"name": "Crew", "capacity": capacity}]
    for task in doc["tasks"]:
        task["resources"] = {"Crew": 1}
    return doc


def _list_scheduler_growth(repeat: int) -> list[tuple[int, float, float]]:
    """One list schedule (likely durations, parallel) of flows with every task on one pool of
    two units, at 250 to 2,000 tasks: the event-driven scheduler, and the loop it replaced
    (kept in the tests as its oracle)."""
    from designer.analysis.document import flow_from_document
    from designer.analysis.graph import FlowGraph
    from designer.analysis.plans import list_schedule, plan_for
    from tests.analysis.list_schedule_oracle import oracle_list_schedule

    rows = []
    for n in (250, 500, 1_000, 2_000):
        flow = flow_from_document(_binding_pool_document(n, 20_240_610 + n))
        g = FlowGraph(flow)
        plan = plan_for(g, "parallel")
        args = (plan, g.duration, [dict(t.resources) for t in flow.tasks], {"Crew": 2})
        new_s, ours = best_of(functools.partial(list_schedule, *args), repeat)
        old_s, theirs = best_of(functools.partial(oracle_list_schedule, *args), 1)
        if ours != theirs:
            raise RuntimeError(f"the schedulers disagree at {n} tasks")
        rows.append((n, new_s, old_s))
    return rows


def _server_during_a_background_job() -> dict[str, Any]:
    """The embedded server while a 1,000-task binding-pool simulation runs in its worker
    thread: how fast it answers a flow list, then how fast a cancel takes."""
    import statistics
    import time
    import urllib.request

    env = django_env()
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    from designer import services

    user, _ = get_user_model().objects.get_or_create(username="bench-background")
    token = Token.objects.get_or_create(user=user)[0].key
    flow = services.flow_import(owner=user, document=_binding_pool_document(1_000, 20_240_611))
    iterations = 10_000

    with embedded_server(env) as (base, _port, _pid):

        def call(method: str, path: str, body: Any = None) -> tuple[float, Any]:
            request = urllib.request.Request(
                base + path,
                data=None if body is None else json.dumps(body).encode(),
                method=method,
                headers={"Content-Type": "application/json", "Authorization": f"Token {token}"},
            )
            started = time.perf_counter()
            with urllib.request.urlopen(request, timeout=60) as response:
                payload = json.loads(response.read())
            return time.perf_counter() - started, payload

        idle = [call("GET", "/api/flows/")[0] for _ in range(10)]
        accepted, job = call(
            "POST", f"/api/flows/{flow.pk}/simulations/", {"iterations": iterations, "seed": 1}
        )
        jobs = f"/api/flows/{flow.pk}/simulations/jobs/{job['job']}/"
        while call("GET", jobs)[1]["state"] == "queued":
            time.sleep(0.05)
        busy = []
        for _ in range(20):
            busy.append(call("GET", "/api/flows/")[0])
            time.sleep(0.05)
        state = call("GET", jobs)[1]
        asked = time.perf_counter()
        call("DELETE", jobs)
        while (state := call("GET", jobs)[1])["state"] in ("queued", "running"):
            time.sleep(0.02)
        cancel = time.perf_counter() - asked
    return {
        "idle": statistics.median(idle),
        "busy": statistics.median(busy),
        "busy_max": max(busy),
        "asked": len(busy),
        "accepted": accepted,
        "cancel": cancel,
        "iterations": iterations,
        "cost": job["cost"],
        "progress": state["progress"],
        "final": state["state"],
    }


# In the editor: press L on the canvas, wait until the layout has been applied and the view
# fitted, then for the frame that shows it; milliseconds.
PRESS_L = """async () => {
    const {ed} = window.vividoEditor;
    ed.lastLayout = null;
    const canvas = document.getElementById('cy');
    canvas.focus();
    const started = performance.now();
    canvas.dispatchEvent(new KeyboardEvent('keydown', {key: 'l', bubbles: true}));
    while (!ed.lastLayout) await new Promise((resolve) => setTimeout(resolve, 2));
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    return performance.now() - started;
}"""


def editor(repeat: int = REPEAT) -> Report:
    """A 1,000-task / 2,000-dependency flow in the editor: navigation to interactive, in
    headless Chromium against the embedded server, and Graphviz's layout of it."""
    import base64

    env = django_env()
    from django.contrib.auth import get_user_model

    from designer import drawing, selectors, services

    user = get_user_model().objects.create_user("bench-editor", password="bench-password-1")
    doc = random_dag_document(1_000, 2_000, 20_240_604)
    flow = services.flow_import(owner=user, document=doc)
    spec = selectors.flow_spec(flow)
    layout_s, placed = best_of(lambda: drawing.layout(spec), repeat)
    for task in doc["tasks"]:
        position = placed["positions"][task["key"]]
        task["x"], task["y"] = position["x"], position["y"]
    flow = services.flow_import(owner=user, document={**doc, "name": "Laid out"})
    # Pressing L: flows whose tasks stand where the random generator left them (all at 0, 0).
    relayout = {
        n: services.flow_import(
            owner=user, document={**random_dag_document(n, 2 * n, 20_240_604 + n), "name": f"L {n}"}
        )
        for n in (300, 1_000)
    }

    with embedded_server(env) as (base, _port, _pid):
        from playwright.sync_api import sync_playwright

        from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 800}, bypass_csp=True)
            page.goto(base + "/accounts/login/")
            page.fill("#id_username", "bench-editor")
            page.fill("#id_password", "bench-password-1")
            page.click("button[type=submit]")
            page.wait_for_url("**/")
            ready = "window.vividoEditor?.state.analysis && !window.vividoEditor.state.loading"
            timings = []
            for _ in range(repeat):
                page.goto(f"{base}/flows/{flow.pk}/")
                page.wait_for_function(ready, polling="raf", timeout=60_000)
                timings.append(page.evaluate("performance.now()") / 1000)
            drawn = page.evaluate("window.vividoEditor.cy.nodes('.task').length")
            shot = page.locator("#cy").screenshot()
            press_l: dict[int, list[float]] = {}
            for n, target in relayout.items():
                page.goto(f"{base}/flows/{target.pk}/")
                page.wait_for_function(ready, polling="raf", timeout=60_000)
                # A flow without positions is laid out on open: wait for that, then press L.
                page.wait_for_function("window.vividoEditor.ed.lastLayout", timeout=120_000)
                press_l[n] = [page.evaluate(PRESS_L) / 1000 for _ in range(max(1, min(repeat, 2)))]
                # The layout is an edit: let its autosave finish before the server stops.
                page.wait_for_function(
                    "document.querySelector('#save-state').textContent === 'Saved'",
                    timeout=120_000,
                )
            RESULTS.mkdir(exist_ok=True)
            (RESULTS / "editor-1000.png").write_bytes(shot)
            inked = page.evaluate(
                """async (data) => {
                    const image = new Image();
                    image.src = 'data:image/png;base64,' + data;
                    await image.decode();
                    const canvas = document.createElement('canvas');
                    canvas.width = image.width;
                    canvas.height = image.height;
                    const context = canvas.getContext('2d');
                    context.drawImage(image, 0, 0);
                    const pixels = context.getImageData(0, 0, image.width, image.height).data;
                    let ink = 0;
                    for (let i = 0; i < pixels.length; i += 4) {
                        if (pixels[i] < 200 || pixels[i + 1] < 200 || pixels[i + 2] < 200) ink += 1;
                    }
                    return ink / (pixels.length / 4);
                }""",
                base64.b64encode(shot).decode(),
            )
            browser.close()
    interactive = min(timings)
    return Report(
        name="editor",
        title="the editor with a 1,000-task / 2,000-dependency flow (embedded server, Chromium)",
        rows=[
            Row("navigation to interactive editor (drawn + analysed)", interactive),
            Row("Graphviz dot layout of the flow (server side)", layout_s),
            Row("pressing L to a fitted, laid-out view, 300 tasks", min(press_l[300])),
            Row("pressing L to a fitted, laid-out view, 1,000 tasks", min(press_l[1_000])),
        ],
        facts={
            "tasks drawn": drawn,
            "share of canvas pixels inked (screenshot)": round(inked, 3),
            "rendered": "yes" if drawn == 1000 and inked > 0.02 else "no",
            "screenshot": str(RESULTS / "editor-1000.png"),
            "all navigation timings (s)": [round(t, 3) for t in timings],
            "pressing L, every timing (s)": {
                n: [round(t, 3) for t in ts] for n, ts in press_l.items()
            },
        },
    )


BENCHMARKS: list[Callable[..., Report]] = [
    analysis,
    monte_carlo,
    constrained,
    editor,
    runs,
    cluster,
    optimiser,
]


def print_report(report: Report) -> None:
    print(f"\n== {report.name}: {report.title}")
    width = max(len(r.what) for r in report.rows) if report.rows else 10
    print(f"{'':2}{'step':<{width}}  {'seconds':>10}  {'× peer':>8}  note")
    for r in report.rows:
        seconds = f"{r.seconds:10.4f}" if r.seconds is not None else f"{'':10}"
        ratio = f"{r.ratio:8.2f}" if r.ratio is not None else f"{'':8}"
        print(f"  {r.what:<{width}}  {seconds}  {ratio}  {r.note}".rstrip())
    for key, value in report.facts.items():
        print(f"  {key}: {value}")


def environment() -> dict[str, Any]:
    versions: dict[str, str] = {}
    for package in ("networkx", "numpy", "jsonschema", "ortools"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            continue
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "versions": versions,
    }


def main(argv: list[str] | None = None) -> int:
    names = [b.__name__ for b in BENCHMARKS]
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=names, action="append", help="run only this benchmark")
    parser.add_argument("--repeat", type=int, default=REPEAT, help="runs per timing (best kept)")
    args = parser.parse_args(argv)

    env = environment()
    print(f"Python {env['python']} on {env['platform']}, {env['cpus']} CPUs; best of {args.repeat}")
    RESULTS.mkdir(exist_ok=True)
    for benchmark in BENCHMARKS:
        if args.only and benchmark.__name__ not in args.only:
            continue
        report = benchmark(repeat=args.repeat)
        print_report(report)
        out = RESULTS / f"{report.name}.json"
        payload = {
            **asdict(report),
            "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "environment": env,
        }
        out.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
        shown = out.relative_to(Path.cwd()) if out.is_relative_to(Path.cwd()) else out
        print(f"  written: {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
