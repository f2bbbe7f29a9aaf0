"""Issue 12's core-side defects through the API, each reproduced with the issue's figures,
and the wizard's new inputs: coordination costs, the cost of speed, the stepper."""

from __future__ import annotations

import re

import pytest

from designer import services
from designer.models import Flow
from tests.analysis.test_wizard_measure import THREE, across_levels, chain_and_x, risk_analyst
from tests.factories import content_document, flow_document

READY = {
    "state_management": "yes",
    "monitoring": "full",
    "failure_policy": "retry_and_proceed",
    "team_maturity": 4,
    "tooling": 4,
}


def url(flow, rest=""):
    return f"/api/flows/{flow.pk}/assessment/"


def states(body):
    return [s["state"] for s in body["steps"]]


def imported(api, document):
    response = api.post("/api/flows/import/", document, format="json")
    assert response.status_code == 201, response.json()
    return Flow.objects.get(pk=response.json()["id"])


def walk(api, flow, *, until=6):
    for step in range(1, until + 1):
        answers = {"readiness": READY} if step == 5 else {}
        response = api.patch(url(flow), {"step": step, "answers": answers}, format="json")
        assert response.status_code == 200, response.json()
    return response.json()


def test_defect_1_hybrid_slower_than_sequential_is_not_recommended(api):
    flow = imported(api, chain_and_x())
    body = api.patch(url(flow), {"step": 5, "answers": {"readiness": THREE}}, format="json").json()
    rec = body["outcome"]["recommendation"]
    assert body["outcome"]["readiness"]["score"] == 3.0
    assert body["outcome"]["figures"]["blueprints"]["hybrid"]["cycle_time"] == 12.0
    assert rec["blueprint"] == "parallel"
    assert "hybrid takes 12 d, 3 d more than sequential's 9 d" in rec["reasons"][1]
    assert not any(re.search(r"sav\w+ -", r) for r in rec["reasons"])


def test_defect_2_the_risk_analyst_pool_is_respected(api):
    flow = imported(api, risk_analyst())
    outcome = api.get(url(flow)).json()["outcome"]
    par = outcome["figures"]["blueprints"]["parallel"]
    assert (par["cycle_time"], par["gain"], round(par["gain_share"] * 100)) == (16.5, 3.0, 15)
    # The simulator says the same with likely durations.
    simulated = api.post(
        f"/api/flows/{flow.pk}/simulations/", {"iterations": 50, "seed": 3}, format="json"
    ).json()
    assert simulated["results"]["parallel"]["deterministic"] == 16.5
    cluster = next(c for c in outcome["clusters"] if c["tasks"] == ["T2", "T3"])
    assert (cluster["saving"], cluster["balanced"]) == (0.0, False)


def test_defect_3_contention_across_levels_and_its_resource_limited_time(api):
    flow = imported(api, across_levels())
    body = api.patch(url(flow), {"step": 5, "answers": {"readiness": READY}}, format="json").json()
    outcome = body["outcome"]
    assert outcome["contention"] == [
        {"pool": "P", "capacity": 1, "demand": 2, "tasks": ["B", "X"], "start": 2.0, "end": 6.0}
    ]
    par = outcome["figures"]["blueprints"]["parallel"]
    assert (par["unconstrained"], par["cycle_time"]) == (6.0, 10.0)
    assert outcome["recommendation"]["reasons"][0].startswith("parallel takes 10 h, saving 2 h")


def test_defect_6_coordination_costs_are_set_through_the_flow_settings(api):
    flow = imported(api, content_document(handoff_delay=0, sync_overhead=0))
    before = api.get(url(flow)).json()["outcome"]["figures"]["blueprints"]
    assert before["parallel"]["overhead"] == 0.0
    response = api.patch(
        f"/api/flows/{flow.pk}/",
        {"time_unit": "hours", "handoff_delay": 0.5, "sync_overhead": 0.25},
        format="json",
    )
    assert response.status_code == 200
    after = api.get(url(flow)).json()["outcome"]["figures"]["blueprints"]
    assert (after["parallel"]["overhead"], after["hybrid"]["overhead"]) == (4.0, 5.25)
    refused = api.patch(f"/api/flows/{flow.pk}/", {"sync_overhead": -1}, format="json")
    assert refused.status_code == 400
    assert list(refused.json()["fields"]) == ["sync_overhead"]


def test_defect_8_back_then_next_without_a_change_flags_nothing(api, content_flow):
    walk(api, content_flow)
    api.patch(url(content_flow), {"step": 5, "confirm": False}, format="json")  # Back
    body = api.patch(
        url(content_flow), {"step": 5, "answers": {"readiness": READY}}, format="json"
    ).json()  # Next, nothing changed
    assert states(body) == ["done"] * 6
    body = api.patch(url(content_flow), {"step": 6}, format="json").json()
    assert states(body) == ["done"] * 6


def test_defect_8_confirming_a_skipped_step_flags_nothing_and_it_is_not_current(api, content_flow):
    for step in (1, 2):
        api.patch(url(content_flow), {"step": step}, format="json")
    body = api.patch(url(content_flow), {"step": 4, "confirm": False}, format="json").json()
    assert states(body) == ["done", "done", "skipped", "current", "todo", "todo"]
    assert body["current_step"] == 4
    api.patch(url(content_flow), {"step": 4}, format="json")
    api.patch(url(content_flow), {"step": 5, "answers": {"readiness": READY}}, format="json")
    body = api.patch(url(content_flow), {"step": 6}, format="json").json()
    assert states(body) == ["done", "done", "skipped", "done", "done", "done"]
    body = api.patch(url(content_flow), {"step": 3}, format="json").json()
    assert states(body) == ["done"] * 6


def test_defect_8_a_real_change_flags_only_the_steps_it_reaches(api, content_flow):
    walk(api, content_flow)
    changed = {**READY, "tooling": 1, "team_maturity": 1, "monitoring": "none"}
    body = api.patch(
        url(content_flow), {"step": 5, "answers": {"readiness": changed}}, format="json"
    ).json()
    assert states(body) == ["done", "done", "done", "done", "done", "attention"]
    # A new task changes step 3's rows, the clusters? no; the figures, yes.
    document = content_document()
    document["tasks"].append(
        {
            "key": "T10",
            "name": "Extra",
            "duration": {"optimistic": 1, "likely": 1, "pessimistic": 1},
        }
    )
    api.put(
        f"/api/flows/{content_flow.pk}/graph/",
        document,
        format="json",
        headers={"If-Match": '"v1"'},
    )
    body = api.get(url(content_flow)).json()
    assert states(body) == ["done", "done", "attention", "attention", "done", "attention"]


def test_defect_9_a_need_larger_than_its_pool_is_refused_by_field(api, content_flow):
    document = content_document()
    document["resources"] = [{"name": "Risk analyst", "capacity": 1}]
    document["tasks"][1]["resources"] = {"Risk analyst": 2}
    response = api.put(
        f"/api/flows/{content_flow.pk}/graph/",
        document,
        format="json",
        headers={"If-Match": '"v1"'},
    )
    assert response.status_code == 400
    message = "task T2 needs 2 units of pool 'Risk analyst', which has a capacity of 1"
    assert response.json()["fields"] == {"tasks[1].resources.Risk analyst": message}
    assert api.post("/api/flows/import/", document, format="json").status_code == 400
    assert api.get(f"/api/flows/{content_flow.pk}/graph/").json()["resources"] == []


def test_defect_4_an_estimate_is_taken_as_a_whole_row(api):
    flow = imported(api, flow_document({"A": 1}))
    graph = f"/api/flows/{flow.pk}/graph/"
    half_typed = flow_document({"A": (2, 1, 1)})
    response = api.put(graph, half_typed, format="json", headers={"If-Match": '"v1"'})
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["tasks[0].duration"]
    whole = flow_document({"A": (2, 4, 8)})
    assert api.put(graph, whole, format="json", headers={"If-Match": '"v1"'}).status_code == 200
    stored = api.get(graph).json()["tasks"][0]["duration"]
    assert stored == {"optimistic": 2, "likely": 4, "pessimistic": 8}


def test_defect_9_readiness_has_no_score_before_an_answer(api, content_flow):
    ready = api.get(url(content_flow)).json()["outcome"]["readiness"]
    assert (ready["score"], ready["answered"]) == (None, 0)


def test_the_cost_of_speed_through_the_api(api):
    document = flow_document(
        {"A": 2, "B": 2},
        resources=[{"name": "Crew", "capacity": 2, "cost_per_unit": 10}],
        value_per_time_unit=100,
    )
    for task in document["tasks"]:
        task["resources"] = {"Crew": 1}
    flow = imported(api, document)
    outcome = api.get(url(flow)).json()["outcome"]
    assert outcome["cost_enabled"] is True
    cost = outcome["figures"]["blueprints"]["parallel"]["cost"]
    assert (cost["resource_cost"], cost["value"], cost["net"]) == (40.0, 200.0, 200.0)
    settings = api.patch(f"/api/flows/{flow.pk}/", {"value_per_time_unit": 50}, format="json")
    assert settings.json()["value_per_time_unit"] == 50.0
    cost = api.get(url(flow)).json()["outcome"]["figures"]["blueprints"]["parallel"]["cost"]
    assert cost["net"] == 100.0


@pytest.mark.parametrize("value", [-1, "lots"])
def test_a_bad_value_of_time_is_refused_by_name(api, content_flow, value):
    response = api.patch(
        f"/api/flows/{content_flow.pk}/", {"value_per_time_unit": value}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["value_per_time_unit"]


def test_a_negative_pool_cost_is_refused_by_name(api, content_flow):
    document = content_document()
    document["resources"] = [{"name": "Writer", "capacity": 1, "cost_per_unit": -5}]
    response = api.put(
        f"/api/flows/{content_flow.pk}/graph/",
        document,
        format="json",
        headers={"If-Match": '"v1"'},
    )
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["resources[0].cost_per_unit"]


def test_reports_say_the_same_sentences(api, client, alice):
    document = content_document()
    document["dependencies"][0]["note"] = "the topic brief"
    flow = services.flow_import(owner=alice, document=document)
    api.patch(url(flow), {"step": 5, "answers": {"readiness": READY}}, format="json")
    markdown = api.get(f"/api/flows/{flow.pk}/assessment/report.md").content.decode()
    client.force_login(alice)
    html = client.get(f"/flows/{flow.pk}/wizard/report/").content.decode()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&gt;", ">")
    text = text.replace("&#x27;", "'").replace("&amp;", "&").replace("&quot;", '"')
    sentences = []
    for line in markdown.splitlines():
        line = line.strip()
        if not line or set(line) <= set("|-: "):
            continue
        line = re.sub(r"^(#+ |- )", "", line).replace("\\", "")
        sentences += [cell.strip() for cell in line.strip("|").split(" | ")]
    missing = [s for s in sentences if re.sub(r"\s+", " ", s) not in text]
    assert missing == []
    assert "Retry and proceed" in markdown and "retry_and_proceed" not in markdown
    assert "the topic brief" in markdown
    assert '<figure class="report-gantt" data-blueprint="parallel">' in html
