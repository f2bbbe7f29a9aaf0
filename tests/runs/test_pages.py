"""The run page's own data: a flow drawn without positions is laid out for it."""

import json
import re

from designer import services
from runs import engine
from tests.factories import flow_document


def page_data(client, run_id):
    html = client.get(f"/runs/{run_id}/").content.decode()
    block = re.search(r'<script id="run-page" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(block.group(1))


def test_a_flow_without_positions_is_laid_out_for_the_run_page(client, alice):
    document = flow_document({"A": 1, "B": 1, "C": 1, "D": 1}, [("A", "B"), ("A", "C")])
    flow = services.flow_import(owner=alice, document=document)
    run, _ = engine.run_start(
        flow=flow, user=alice, blueprint="parallel", failure_policy="fail_fast", time_scale=1
    )
    client.force_login(alice)
    [info] = page_data(client, run.pk)["runs"]
    places = {(task["x"], task["y"]) for task in info["document"]["tasks"]}
    assert len(places) == 4  # one place each, not one pile
    by_key = {task["key"]: task for task in info["document"]["tasks"]}
    assert by_key["A"]["x"] < by_key["B"]["x"]  # left to right, as the editor lays it out
    run.refresh_from_db()
    assert {(t["x"], t["y"]) for t in run.document["tasks"]} == {(0, 0)}  # frozen as it was


def test_a_stranger_cannot_open_the_run_page(client, alice, bob):
    flow = services.flow_import(owner=alice, document=flow_document({"A": 1}))
    run, _ = engine.run_start(
        flow=flow, user=alice, blueprint="parallel", failure_policy="fail_fast", time_scale=1
    )
    client.force_login(bob)
    assert client.get(f"/runs/{run.pk}/").status_code == 404
