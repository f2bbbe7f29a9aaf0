"""What the browser tests against the embedded server (Daphne, websockets, the dispatcher)
share: the server with its settings, a signed-in tab, a flow imported and a run started
through the API, and the page checks several of them make."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tests.browser.conftest import AXE, serious_violations


def embedded_server(tmp_path_factory: Any, **env: str) -> Iterator[Any]:
    """For a module fixture: the embedded server on a fresh database, with `env` added to
    its settings, stopped when the module is done."""
    from tests.embedded import Server

    running = Server(tmp_path_factory.mktemp("server"))
    running.env.update(env)
    running.setup()
    yield running
    running.stop()


def open_tab(browser: Any, server: Any, width: int = 1280, height: int = 900) -> Any:
    """A tab signed in to `server` as its local account; `tab.js_errors` collects page
    errors and whatever the Content-Security-Policy refused."""
    context = browser.new_context(base_url=server.base, viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(20_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # What the Content-Security-Policy refused (an inline style, a script…) counts as an error.
    page.on("console", lambda m: errors.append(m.text) if "Refused to" in m.text else None)
    page.js_errors = errors
    page.goto("/accounts/login/")
    page.get_by_label("Name").fill("vivido")
    page.get_by_label("Password").fill(server.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")
    return page


def import_flow(server: Any, document: dict[str, Any]) -> int:
    return int(server.call("POST", "/api/flows/import/", document)["id"])


def start_run(server: Any, flow: int, **options: Any) -> int:
    body = {"blueprint": "parallel", "failure_policy": "fail_fast", "time_scale": 0.05, "seed": 1}
    return int(server.call("POST", f"/api/flows/{flow}/runs/", {**body, **options})["id"])


def axe_serious(page: Any) -> list[dict[str, Any]]:
    """Serious and critical axe-core violations. The page's Content-Security-Policy refuses
    inline scripts (so conftest's script tag); an evaluation through the DevTools protocol is
    not subject to it."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text())
    return serious_violations(page)


def counters_add_up(page: Any, view: int = 0) -> None:
    """The counters' numbers (remaining included) add up to the task count they name."""
    parts = page.evaluate(
        f"""() => [...document.querySelectorAll('.run-view')[{view}]
              .querySelectorAll('[data-field="counters"] [data-count]')]
              .map(s => [s.dataset.count, s.textContent])"""
    )
    numbers = {}
    total = None
    for state, text in parts:
        words = text.split()
        numbers[state] = int(next(w for w in words if w.isdigit()))
        if state == "remaining":
            total = int(words[-2])
    tasks = page.evaluate(f"Object.keys(window.vividoRuns[{view}].run.tasks).length")
    assert total == tasks
    assert sum(numbers.values()) == tasks, parts
