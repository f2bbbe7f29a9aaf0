"""Routes of runs: the API and the pages (websockets are in routing.py)."""

from django.urls import path, re_path

from designer.analysis.model import KEY_CHARACTERS
from runs import api, views

TASK_KEY = rf"(?P<key>{KEY_CHARACTERS})"

urlpatterns = [
    path("api/flows/<int:flow_id>/runs/", api.flow_runs, name="flow-runs"),
    path("api/runs/<int:run_id>/", api.run_detail, name="run-detail"),
    path("api/runs/<int:run_id>/events/", api.run_events, name="run-events"),
    path("api/runs/<int:run_id>/rerun/", api.run_rerun, name="run-rerun"),
    re_path(
        r"^api/runs/(?P<run_id>\d+)/(?P<action>cancel|pause|resume)/$",
        api.run_action,
        name="run-action",
    ),
    re_path(rf"^api/runs/(?P<run_id>\d+)/tasks/{TASK_KEY}/$", api.run_task, name="run-task"),
    re_path(
        rf"^api/runs/(?P<run_id>\d+)/tasks/{TASK_KEY}/(?P<action>start|complete|fail)/$",
        api.task_action,
        name="run-task-action",
    ),
    path("flows/<int:flow_id>/runs/", views.run_list, name="flow-runs-page"),
    path("flows/<int:flow_id>/runs/compare/", views.compare, name="flow-runs-compare"),
    path("runs/<int:run_id>/", views.run_page, name="run-page"),
]
