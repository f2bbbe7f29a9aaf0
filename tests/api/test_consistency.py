"""Every change is a new version with a new `updated_at`, and no GET writes."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from designer.models import Assessment, Flow, Task


@pytest.fixture
def admin_client(db: Any) -> Client:
    user = get_user_model().objects.create_superuser("root", password="root-password-1")
    client = Client()
    client.force_login(user)
    return client


def test_an_admin_edit_bumps_the_version_so_an_open_editor_gets_412(
    admin_client, api, content_flow
):
    before = content_flow.updated_at
    change = f"/admin/designer/flow/{content_flow.pk}/change/"
    form = {
        "owner": content_flow.owner_id,
        "name": "Renamed in the admin",
        "description": "",
        "time_unit": content_flow.time_unit,
        "handoff_delay": 0,
        "sync_overhead": 0,
        "value_per_time_unit": "",
        # the read-only inlines still send their management forms
        "tasks-TOTAL_FORMS": 0,
        "tasks-INITIAL_FORMS": 0,
        "dependencies-TOTAL_FORMS": 0,
        "dependencies-INITIAL_FORMS": 0,
    }
    response = admin_client.post(change, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    content_flow.refresh_from_db()
    assert (content_flow.name, content_flow.version) == ("Renamed in the admin", 2)
    assert content_flow.updated_at > before
    # Without the eight handoffs of 0.5 h the content example takes 30.5 h in sequence, not 34.5 h.
    assert content_flow.cycle_times["sequential"] == 30.5
    stale = api.put(
        f"/api/flows/{content_flow.pk}/graph/",
        api.get(f"/api/flows/{content_flow.pk}/graph/").json(),
        format="json",
        headers={"If-Match": '"v1"'},
    )
    assert stale.status_code == 412


def test_the_graph_is_read_only_in_the_admin(admin_client, content_flow):
    task = Task.objects.filter(flow=content_flow).first()
    response = admin_client.post(f"/admin/designer/task/{task.pk}/change/", {"name": "Sneaky"})
    assert response.status_code == 403
    assert admin_client.get(f"/admin/designer/task/{task.pk}/change/").status_code == 200
    assert admin_client.get("/admin/designer/task/add/").status_code == 403
    task.refresh_from_db()
    assert task.name == "Task T1"


def test_a_settings_patch_moves_updated_at(api, content_flow):
    before = content_flow.updated_at
    response = api.patch(f"/api/flows/{content_flow.pk}/", {"name": "New"}, format="json")
    assert response.status_code == 200
    content_flow.refresh_from_db()
    assert content_flow.updated_at > before
    assert response.json()["updated_at"] != before.isoformat()


def test_reading_the_assessment_writes_nothing(api, client, alice, content_flow):
    assert Assessment.objects.count() == 0
    assert api.get(f"/api/flows/{content_flow.pk}/assessment/").status_code == 200
    assert api.get(f"/api/flows/{content_flow.pk}/assessment/report.md").status_code == 200
    client.force_login(alice)
    assert client.get(f"/flows/{content_flow.pk}/wizard/report/").status_code == 200
    assert client.get(f"/flows/{content_flow.pk}/wizard/").status_code == 200
    assert Assessment.objects.count() == 0
    flow = Flow.objects.get(pk=content_flow.pk)
    assert (flow.version, flow.updated_at) == (content_flow.version, content_flow.updated_at)
    saved = api.patch(
        f"/api/flows/{content_flow.pk}/assessment/", {"step": 1, "confirm": False}, format="json"
    )
    assert saved.status_code == 200
    assert Assessment.objects.count() == 1
