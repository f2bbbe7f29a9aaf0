"""The Content-Security-Policy in Chromium: every page loads and works with no violation.

A listener added before any page script records each `securitypolicyviolation` event; a
page that needed an inline script, an inline style or a foreign origin would report one.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.browser.conftest import sign_in
from tests.factories import content_document

LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push({
    directive: event.effectiveDirective, blocked: event.blockedURI,
    source: event.sourceFile, line: event.lineNumber, sample: event.sample,
  });
});
"""
MARKUP = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: Any) -> Any:
    """The embedded server (Daphne, the real settings, live run feeds), with a flow whose
    first task is named with markup and two runs of it."""
    from tests.embedded import Server

    server = Server(tmp_path_factory.mktemp("csp"))
    server.setup()
    document = content_document()
    document["tasks"][0]["name"] = MARKUP
    flow = server.call("POST", "/api/flows/import/", document)["id"]
    body = {"failure_policy": "retry_and_proceed", "time_scale": 0.01, "seed": 1}
    server.runs = [
        server.call("POST", f"/api/flows/{flow}/runs/", {**body, "blueprint": blueprint})["id"]
        for blueprint in ("hybrid", "parallel")
    ]
    server.flow = flow
    yield server
    server.stop()


def _context(browser: Any, server: Any, script: str = "") -> Any:
    context = browser.new_context(
        base_url=server.base, viewport={"width": 1280, "height": 800}, bypass_csp=False
    )
    context.add_init_script(LISTEN + script)
    return context


def _sign_in(page: Any, server: Any) -> None:
    sign_in(page, "vivido", server.password)
    page.wait_for_url("**/")


def _pages(flow: int, runs: list[int]) -> list[tuple[str, str]]:
    """(page, a text that shows it rendered and its script ran)."""
    return [
        ("/", "Content production"),
        (f"/flows/{flow}/", "Task T2"),
        (f"/flows/{flow}/wizard/", "Content production"),
        (f"/flows/{flow}/wizard/report/", "Print or save as PDF"),
        (f"/flows/{flow}/simulate/", "Content production"),
        (f"/flows/{flow}/runs/", "Content production"),
        (f"/runs/{runs[0]}/", "Content production"),
        (f"/flows/{flow}/runs/compare/?runs={runs[0]},{runs[1]}", "Content production"),
        ("/api/docs/", "Vivido API"),
    ]


def test_every_page_loads_without_a_policy_violation(browser, embedded):
    context = _context(browser, embedded)
    errors: list[str] = []
    dialogs: list[str] = []

    def open_page() -> Any:
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        return page

    try:
        page = open_page()
        page.goto("/accounts/login/")
        seen = {"/accounts/login/": _violations(page)}
        _sign_in(page, embedded)
        page.close()
        for path, text in _pages(embedded.flow, embedded.runs):
            page = open_page()  # one tab each: a page's own leaving does not disturb the next
            response = page.goto(path)
            assert response is not None and response.status == 200, path
            assert "script-src 'self'" in response.headers["content-security-policy"]
            page.get_by_text(text).first.wait_for(state="attached")
            page.wait_for_load_state("networkidle")
            seen[path] = _violations(page)
            page.close()
        violations = {path: found for path, found in seen.items() if found}
        assert violations == {}, json.dumps(violations, indent=1)
        assert errors == []
        assert dialogs == []
    finally:
        context.close()


def test_the_report_print_button_works_without_an_inline_handler(browser, embedded):
    context = _context(browser, embedded, "window.print = () => { window.__printed = true; };")
    page = context.new_page()
    try:
        _sign_in(page, embedded)
        page.goto(f"/flows/{embedded.flow}/wizard/report/")
        page.get_by_role("button", name="Print or save as PDF").click()
        page.wait_for_function("window.__printed === true")
        assert _violations(page) == []
    finally:
        context.close()


def test_an_inline_script_would_be_blocked_and_reported(browser, embedded):
    """The listener works: a script injected into the page is refused by the policy."""
    context = _context(browser, embedded)
    page = context.new_page()
    try:
        page.goto("/accounts/login/")
        page.evaluate(
            """() => { const s = document.createElement("script");
                       s.textContent = "window.__ran = true"; document.body.append(s); }"""
        )
        page.wait_for_function("window.__violations.length > 0")
        assert page.evaluate("window.__ran") is None
        assert _violations(page)[0]["directive"] == "script-src-elem"
    finally:
        context.close()


def _violations(page: Any) -> list[dict[str, Any]]:
    return page.evaluate("window.__violations")
