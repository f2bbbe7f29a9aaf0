"""Every wizard step at 1280 and 768 px: no sideways scrolling, no serious accessibility
violation, and a screenshot of each in /tmp/shots-wizard/ for a person to look at."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from designer import services
from designer.assessments.services import assessment_step_save
from tests.browser.conftest import axe_violations, sign_in
from tests.browser.test_wizard import at_step
from tests.browser.test_wizard_defects import ALL_READY, STEP_NAMES
from tests.factories import content_document

SHOTS = Path("/tmp/shots-wizard")


@pytest.mark.parametrize("width", [1280, 768])
def test_every_step_fits_and_is_accessible(page, alice, width):
    SHOTS.mkdir(exist_ok=True)
    document = content_document()
    document["resources"] = [{"name": "Editor", "capacity": 1}]
    for task in document["tasks"]:
        if task["key"] in ("T3", "T4"):
            task["resources"] = {"Editor": 1}
    flow = services.flow_import(owner=alice, document=document)
    assessment_step_save(flow=flow, step=5, answers={"readiness": ALL_READY}, confirm=False)
    page.set_default_timeout(20_000)
    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, "alice", "alice-password-1")
    page.wait_for_url("**/")
    for step in range(1, 7):
        page.goto(f"/flows/{flow.pk}/wizard/?step={step}")
        at_step(page, step, STEP_NAMES[step])
        page.wait_for_function("document.querySelector('#wizard-graph').dataset.layout")
        if step == 6:
            page.wait_for_function(
                "[...document.querySelectorAll('.mini-gantt canvas')].every(c => c.width > 0)"
            )
        # Charts size themselves a frame or two after they appear: judge the settled page.
        try:
            page.wait_for_function(
                "() => document.documentElement.scrollWidth"
                " <= document.documentElement.clientWidth",
                timeout=5_000,
            )
        except PlaywrightTimeout:
            raise AssertionError(f"step {step} scrolls sideways at {width} px") from None
        page.screenshot(path=str(SHOTS / f"step{step}-{width}.png"), full_page=True)
        assert axe_violations(page) == [], f"step {step} at {width} px"

    # A row refused next to its fields, and the toast that undoes a removal.
    page.goto(f"/flows/{flow.pk}/wizard/?step=3")
    at_step(page, 3, STEP_NAMES[3])
    page.get_by_label("optimistic duration of T2").click()
    for value in ("7", "3", "4"):
        page.keyboard.type(value)
        page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")
    page.locator(".field-error").first.wait_for()
    page.screenshot(path=str(SHOTS / f"row-refused-{width}.png"))
    page.goto(f"/flows/{flow.pk}/wizard/?step=1")
    at_step(page, 1, STEP_NAMES[1])
    page.get_by_role("button", name="Remove T9").click()
    page.get_by_role("button", name="Undo").wait_for()
    page.screenshot(path=str(SHOTS / f"undo-toast-{width}.png"))
    assert axe_violations(page) == []
    assert page.js_errors == []
