"""Headless Chromium (Debian's) driven by Playwright, against the live test server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
# around it are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            if not CHROMIUM.exists():
                item.add_marker(pytest.mark.skip(reason=f"{CHROMIUM} is not installed"))


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    # Per module: Playwright's sync API keeps an event loop running in this thread while it
    # is open, which the asyncio tests that follow could not run beside.
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        _bypass_csp_by_default(browser)
        yield browser
        browser.close()


def _bypass_csp_by_default(browser: Any) -> None:
    """Contexts skip the Content-Security-Policy unless a test asks for it: the suites' own
    tooling (axe injected as an inline script, string predicates that Playwright evaluates)
    is refused by it. tests/browser/test_csp.py opens every page with it enforced."""
    new_context = browser.new_context

    def with_bypass(**options: Any) -> Any:
        options.setdefault("bypass_csp", True)
        return new_context(**options)

    browser.new_context = with_bypass


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.js_errors = errors
    yield page
    context.close()


def sign_in(page: Any, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Name").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Serious and critical accessibility violations axe-core finds on the page."""
    page.add_script_tag(path=str(AXE))
    return serious_violations(page)


def serious_violations(page: Any) -> list[dict[str, Any]]:
    """Serious and critical violations an axe-core run finds, axe being on the page."""
    result = page.evaluate("async () => await axe.run(document)")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.fixture
def tab(browser: Any, server: Any) -> Iterator[Any]:
    """A tab signed in to the module's embedded server (tests/browser/support.py)."""
    from tests.browser.support import open_tab

    page = open_tab(browser, server)
    yield page
    page.context.close()


@pytest.fixture
def signed_in(page: Any, alice: Any) -> Any:
    """The live test server's tab, signed in as alice."""
    sign_in(page, "alice", "alice-password-1")
    page.wait_for_url("**/")
    return page
