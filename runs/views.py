"""Run pages: the run list of a flow, one run's live dashboard, and runs side by side."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from designer import drawing, selectors
from designer.analysis.document import flow_from_document
from designer.analysis.model import Flow as FlowSpec
from designer.analysis.simulation import constrained_schedules
from runs.models import BLUEPRINTS, POLICIES, Run
from runs.selectors import runs_of


@login_required
def run_list(request: HttpRequest, flow_id: int) -> HttpResponse:
    flow = selectors.flow_of(request.user, flow_id)
    runs = [
        (
            run,
            f"{(run.finished_at - run.created_at).total_seconds():.1f} s"
            if run.finished_at
            else "—",
        )
        for run in flow.runs.all()
    ]
    return render(
        request,
        "runs/list.html",
        {"flow": flow, "runs": runs, "blueprints": BLUEPRINTS, "policies": POLICIES},
    )


def _positioned(document: dict[str, Any], spec: FlowSpec) -> dict[str, Any]:
    """The document with every task at its own place: where tasks share one (a flow made
    through the API or a spreadsheet has none), Graphviz lays it out as the editor does."""
    places = {(task.get("x", 0), task.get("y", 0)) for task in document["tasks"]}
    if len(places) == len(document["tasks"]):
        return document
    positions = drawing.layout(spec)["positions"]
    tasks = [{**task, **positions.get(task["key"], {})} for task in document["tasks"]]
    return {**document, "tasks": tasks}


def _dashboard(run: Run) -> dict[str, object]:
    """What a run's page needs besides the live feed: its graph and the planned schedule."""
    spec = flow_from_document(run.document)
    if run.optimised_plan:
        planned = run.optimised_plan["tasks"]
    else:
        planned = constrained_schedules(spec, blueprints=[run.blueprint])[run.blueprint]["tasks"]  # type: ignore[list-item]
    return {
        "id": run.pk,
        "document": _positioned(run.document, spec),
        "failure_policy_label": run.get_failure_policy_display(),
        "rerun_of": run.rerun_of_id,
        "blueprint": run.blueprint,
        "policy": run.failure_policy,
        "time_scale": run.time_scale,
        "planned": planned,
        "api": f"/api/runs/{run.pk}/",
        "socket": f"/ws/runs/{run.pk}/",
    }


@login_required
def run_page(request: HttpRequest, run_id: int) -> HttpResponse:
    run = get_object_or_404(runs_of(request.user).select_related("flow"), pk=run_id)
    return render(
        request,
        "runs/run.html",
        {"flow": run.flow, "run": run, "page": {"runs": [_dashboard(run)]}},
    )


@login_required
def compare(request: HttpRequest, flow_id: int) -> HttpResponse:
    flow = selectors.flow_of(request.user, flow_id)
    wanted = [part for part in request.GET.get("runs", "").split(",") if part.isdigit()]
    runs = list(runs_of(request.user).filter(flow=flow, pk__in=wanted))
    if not 2 <= len(runs) <= 4:
        raise Http404("choose two to four runs of this flow to compare")
    return render(
        request,
        "runs/compare.html",
        {"flow": flow, "runs": runs, "page": {"runs": [_dashboard(run) for run in runs]}},
    )
