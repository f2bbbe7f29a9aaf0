"""The constants the page scripts share with the server come from the server: the editor
offers a deployer's registered action as an executor, and saving keeps the choice."""

import json
import re

from django.test import override_settings

from designer import selectors, services
from designer.models import Flow
from tests.factories import content_document

ACTIONS = {"notify": "tests.runs.actions.record"}
READY = "window.vividoEditor?.state.analysis && !window.vividoEditor.state.loading"


def page_constants(html):
    found = re.search(r'<script id="vivido-constants" type="application/json">(.*?)</script>', html)
    return json.loads(found.group(1))


@override_settings(VIVIDO_ACTIONS=ACTIONS)
def test_every_page_carries_the_servers_constants(client, alice):
    flow = services.flow_import(owner=alice, document=content_document())
    client.force_login(alice)
    for url in ("/", f"/flows/{flow.pk}/", f"/flows/{flow.pk}/wizard/", f"/flows/{flow.pk}/runs/"):
        assert page_constants(client.get(url).content.decode()) == {
            "key_pattern": "^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$",
            "time_units": [
                {"name": "minutes", "abbreviation": "min"},
                {"name": "hours", "abbreviation": "h"},
                {"name": "days", "abbreviation": "d"},
                {"name": "weeks", "abbreviation": "wk"},
            ],
            "blueprints": [
                {"name": "sequential", "label": "Sequential"},
                {"name": "hybrid", "label": "Hybrid"},
                {"name": "parallel", "label": "Parallel"},
            ],
            "failure_policies": [
                {"name": "fail_fast", "label": "fail fast"},
                {"name": "continue_with_compensation", "label": "continue with compensation"},
                {"name": "retry_and_proceed", "label": "retry and proceed"},
            ],
            "executors": ["simulated", "manual", "notify"],
        }, url


@override_settings(VIVIDO_ACTIONS=ACTIONS)
def test_the_editor_offers_a_registered_action_and_saves_it(signed_in, alice):
    page = signed_in
    document = content_document()
    for n, task in enumerate(document["tasks"]):
        task["x"], task["y"] = n * 200, (n % 2) * 90
    flow = services.flow_import(owner=alice, document=document)
    page.goto(f"/flows/{flow.pk}/")
    page.wait_for_function(READY)
    page.evaluate("window.vividoEditor.cy.fit(undefined, 30)")
    page.evaluate(
        "window.vividoEditor.cy.nodes('.task').filter(n => n.data('key') === 'T3').select()"
    )
    executor = page.get_by_label("Executor")
    assert executor.locator("option").all_inner_texts() == [
        "Simulated",
        "Manual (a person completes it)",
        "notify",
    ]
    executor.select_option("notify")
    page.get_by_role("button", name="Save").click()
    page.locator("#save-state").filter(has_text="Saved").wait_for()
    saved = selectors.flow_document(Flow.objects.get(pk=flow.pk))
    assert [t["executor"] for t in saved["tasks"] if t["key"] == "T3"] == ["notify"]
    page.reload()
    page.wait_for_function(READY)
    page.evaluate(
        "window.vividoEditor.cy.nodes('.task').filter(n => n.data('key') === 'T3').select()"
    )
    assert page.get_by_label("Executor").input_value() == "notify"
    assert page.js_errors == []
