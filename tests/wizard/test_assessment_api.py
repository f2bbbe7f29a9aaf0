"""/api/flows/{id}/assessment/: answers saved step by step, refusals by field, progress."""

import io

from designer.models import Assessment
from tests.factories import content_document

READY = {
    "state_management": "yes",
    "monitoring": "full",
    "failure_policy": "retry_and_proceed",
    "team_maturity": 4,
    "tooling": 4,
}


def url(flow, rest=""):
    return f"/api/flows/{flow.pk}/assessment/{rest}"


def states(body):
    return [s["state"] for s in body["steps"]]


def test_a_new_assessment_starts_at_step_one(api, content_flow):
    body = api.get(url(content_flow)).json()
    assert states(body) == ["current", "todo", "todo", "todo", "todo", "todo"]
    assert body["outcome"]["figures"]["blueprints"]["hybrid"]["cycle_time"] == 31.75
    assert body["outcome"]["clusters"][0]["tasks"] == ["T3", "T4"]
    assert body["outcome"]["strengths"] == {"hard": 10, "soft": 1, "none": 0}


def test_confirming_steps_moves_the_current_step(api, content_flow):
    for step in (1, 2, 3, 4):
        response = api.patch(url(content_flow), {"step": step}, format="json")
        assert response.status_code == 200
    assert states(response.json()) == ["done", "done", "done", "done", "current", "todo"]


def test_an_unanswered_required_question_is_refused_by_name(api, content_flow):
    partial = {k: v for k, v in READY.items() if k != "tooling"}
    response = api.patch(
        url(content_flow), {"step": 5, "answers": {"readiness": partial}}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["message"] == "answers.readiness.tooling: this question needs an answer"
    assert response.json()["fields"] == {"answers.readiness.tooling": response.json()["message"]}
    assert api.get(url(content_flow)).json()["answers"] == {}
    saved = api.patch(
        url(content_flow),
        {"step": 5, "answers": {"readiness": partial}, "confirm": False},
        format="json",
    )
    assert saved.status_code == 200
    assert saved.json()["answers"]["readiness"] == partial
    assert saved.json()["outcome"]["readiness"]["missing"] == ["tooling"]


def test_bad_answers_are_refused_and_nothing_is_lost(api, content_flow):
    api.patch(url(content_flow), {"step": 5, "answers": {"readiness": READY}}, format="json")
    for body, message in (
        (
            {"step": 5, "answers": {"readiness": {"monitoring": "perfect"}}},
            "answers.readiness.monitoring must be one of none, basic, full (got 'perfect')",
        ),
        (
            {"step": 5, "answers": {"readiness": {"luck": "yes"}}},
            "answers.readiness.luck: not a question of the questionnaire",
        ),
        (
            {"step": 1, "answers": {"sheet": {"primary_objective": 3}}},
            "answers.sheet.primary_objective must be a whole number from -2 to 2 (got 3)",
        ),
        (
            {"step": 1, "answers": {"sheet": {"vibes": 1}}},
            "answers.sheet.vibes: not a row of the decision sheet",
        ),
        ({"step": 7}, "step: Ensure this value is less than or equal to 6."),
        ({"step": 1, "answers": {"mood": {}}}, "answers: unknown part(s) mood"),
    ):
        response = api.patch(url(content_flow), body, format="json")
        assert response.status_code == 400, body
        assert response.json()["message"] == message
    assert Assessment.objects.get().answers == {"readiness": READY}


def test_step_one_needs_a_task(api):
    flow_id = api.post("/api/flows/", {"name": "Empty"}, format="json").json()["id"]
    response = api.patch(f"/api/flows/{flow_id}/assessment/", {"step": 1}, format="json")
    assert response.status_code == 400
    assert response.json()["message"] == "step 1: list at least one task before going on"


def test_changing_an_earlier_step_marks_later_steps(api, content_flow):
    for step in range(1, 7):
        answers = {"readiness": READY} if step == 5 else {}
        api.patch(url(content_flow), {"step": step, "answers": answers}, format="json")
    assert states(api.get(url(content_flow)).json()) == ["done"] * 6
    # Step 2 again: a dependency becomes soft, through the graph like the wizard does.
    document = content_document()
    document["dependencies"][2]["strength"] = "soft"  # T2 → T4
    api.put(
        f"/api/flows/{content_flow.pk}/graph/",
        document,
        format="json",
        headers={"If-Match": '"v1"'},
    )
    body = api.patch(url(content_flow), {"step": 2}, format="json").json()
    # T4 no longer waits for T2: the clusters and the figures change, the task list of
    # step 3 and the questions of step 5 do not.
    assert states(body) == ["done", "done", "done", "attention", "done", "attention"]
    assert body["outcome"]["strengths"] == {"hard": 9, "soft": 2, "none": 0}


def test_an_edit_outside_the_wizard_marks_the_computed_steps(api, content_flow):
    for step in range(1, 7):
        answers = {"readiness": READY} if step == 5 else {}
        api.patch(url(content_flow), {"step": step, "answers": answers}, format="json")
    document = content_document()
    document["tasks"][3]["duration"] = {"optimistic": 1, "likely": 9, "pessimistic": 12}
    api.put(
        f"/api/flows/{content_flow.pk}/graph/",
        document,
        format="json",
        headers={"If-Match": '"v1"'},
    )
    body = api.get(url(content_flow)).json()
    assert states(body) == ["done", "done", "done", "attention", "done", "attention"]


def test_step_six_changes_when_step_two_does(api, content_flow):
    before = api.get(url(content_flow)).json()["outcome"]["figures"]["blueprints"]["parallel"]
    document = content_document()
    document["dependencies"][4]["strength"] = "soft"  # T4 → T5: T5 waits on T3 only
    api.put(
        f"/api/flows/{content_flow.pk}/graph/",
        document,
        format="json",
        headers={"If-Match": '"v1"'},
    )
    after = api.get(url(content_flow)).json()["outcome"]["figures"]["blueprints"]["parallel"]
    assert (before["cycle_time"], after["cycle_time"]) == (30.5, 30.25)


def test_report_downloads_as_markdown(api, content_flow):
    api.patch(
        url(content_flow),
        {"step": 5, "answers": {"readiness": READY, "sheet": {"primary_objective": 1}}},
        format="json",
    )
    response = api.get(url(content_flow, "report.md"))
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert (
        response["Content-Disposition"] == 'attachment; filename="content-production-assessment.md"'
    )
    text = response.content.decode()
    assert text.startswith("# Assessment: Content production\n")
    assert "| T3 | Task T3 | T2 (hard) |" in text
    assert "| Hybrid | 31.75 h | 34.41 h | 36.41 h | 2.75 h (8%) | 5.25 h |" in text
    assert "| Primary objective | parallel |" in text


def test_markdown_escapes_user_text(api, alice):
    from designer import services

    document = content_document()
    document["tasks"][0]["name"] = "<script>alert(1)</script> | *bold*"
    flow = services.flow_import(owner=alice, document=document)
    text = api.get(url(flow, "report.md")).content.decode()
    assert r"| T1 | \<script\>alert(1)\</script\> \| \*bold\* |" in text


def test_another_users_assessment_is_not_found(bob_api, content_flow):
    assert bob_api.get(url(content_flow)).status_code == 404
    assert bob_api.patch(url(content_flow), {"step": 1}, format="json").status_code == 404
    assert bob_api.get(url(content_flow, "report.md")).status_code == 404
    assert not Assessment.objects.exists()


def test_examples_come_with_finished_assessments(api, alice):
    from django.core.management import call_command

    call_command("load_examples", owner="alice", stdout=io.StringIO())
    labels = {}
    for flow in api.get("/api/flows/").json():
        body = api.get(f"/api/flows/{flow['id']}/assessment/").json()
        assert states(body) == ["done"] * 6
        labels[flow["name"]] = body["outcome"]["recommendation"]["label"]
    assert labels == {
        "Content production": "Hybrid",
        "Regulatory submission": "Primarily sequential",
        "Marketing campaign launch": "Parallel-oriented",
    }


def test_step_three_values_out_of_range_are_refused_by_field(api, content_flow):
    """Steps 1-3 save through the graph: a bad estimate or a pool of capacity 0 is a 400
    naming the field, and the flow stays as it was."""
    graph = f"/api/flows/{content_flow.pk}/graph/"
    out_of_order = content_document()
    out_of_order["tasks"][2]["duration"] = {"optimistic": 6, "likely": 5, "pessimistic": 10}
    response = api.put(graph, out_of_order, format="json", headers={"If-Match": '"v1"'})
    assert response.status_code == 400
    message = "task T3: durations must keep optimistic ≤ likely ≤ pessimistic (got 6, 5, 10)"
    assert response.json()["fields"] == {"tasks[2].duration": message}
    no_capacity = content_document()
    no_capacity["resources"] = [{"name": "Writer", "capacity": 0}]
    response = api.put(graph, no_capacity, format="json", headers={"If-Match": '"v1"'})
    assert response.status_code == 400
    assert response.json()["message"] == "resources[0].capacity must be at least 1 (got 0)"
    assert (
        api.get(url(content_flow)).json()["outcome"]["figures"]["blueprints"]["hybrid"][
            "cycle_time"
        ]
        == 31.75
    )
