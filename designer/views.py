"""Pages. The flow editor, wizard, simulator and run views join these."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from drf_spectacular.views import SpectacularSwaggerSplitView

from designer import selectors
from designer.analysis.assessment import DIMENSIONS, READINESS_QUESTIONS, STEPS
from designer.analysis.cpm import analyse
from designer.analysis.report import report_blocks
from designer.assessments.selectors import assessment_state
from designer.optimisations import OPTIMISE_PAGE_SECONDS

_swagger = SpectacularSwaggerSplitView.as_view(url_name="api-schema")


def api_docs(request: HttpRequest) -> HttpResponse:
    """Swagger UI with its script served as a file, not inline (the CSP allows no inline
    script); signed-in users only unless VIVIDO_PUBLIC_API_DOCS."""
    if not (settings.VIVIDO_PUBLIC_API_DOCS or request.user.is_authenticated):
        return redirect_to_login(request.get_full_path())
    response: HttpResponse = _swagger(request)
    return response


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The signed-in user's flows with their three cycle times, and what to do with them."""
    flows = selectors.flows_with_cycle_times(request.user)
    return render(request, "designer/home.html", {"flows": flows})


@login_required
def editor(request: HttpRequest, flow_id: int) -> HttpResponse:
    """The flow editor; it loads the flow document through the API and saves it there."""
    flow = selectors.flow_of(request.user, flow_id)
    page = {
        "flow": {"id": flow.pk, "name": flow.name},
        "api": {
            "graph": f"/api/flows/{flow.pk}/graph/",
            "flow": f"/api/flows/{flow.pk}/",
            "analyse": "/api/analyse/",
            "layout": f"/api/flows/{flow.pk}/layout/",
            "export": f"/api/flows/{flow.pk}/export/",
            "import": "/api/flows/import/",
        },
    }
    return render(request, "designer/editor.html", {"flow": flow, "page": page})


@login_required
def simulate(request: HttpRequest, flow_id: int) -> HttpResponse:
    """The simulation page: what-if controls left, the three blueprints compared right."""
    flow = selectors.flow_of(request.user, flow_id)
    flow_spec = selectors.flow_spec(flow)
    page = {
        "flow": {
            "id": flow.pk,
            "name": flow.name,
            "time_unit": flow.time_unit,
            "handoff_delay": flow.handoff_delay,
            "sync_overhead": flow.sync_overhead,
            "pools": [{"name": p.name, "capacity": p.capacity} for p in flow_spec.resources],
            "tasks": {t.key: t.name for t in flow_spec.tasks},
            "needs": {t.key: list(t.resources) for t in flow_spec.tasks},
            "critical_path": analyse(flow_spec)["critical_path"],
        },
        "api": {
            "preview": f"/api/flows/{flow.pk}/simulations/preview/",
            "simulations": f"/api/flows/{flow.pk}/simulations/",
            "optimise": f"/api/flows/{flow.pk}/optimise/",
        },
        "optimise_time_limit": OPTIMISE_PAGE_SECONDS,
    }
    return render(
        request,
        "designer/simulate.html",
        {"flow": flow, "pools": flow_spec.resources, "page": page},
    )


@login_required
def wizard(request: HttpRequest, flow_id: int) -> HttpResponse:
    """The six-step assessment; it reads and writes through the flow and assessment APIs."""
    flow = selectors.flow_of(request.user, flow_id)
    page = {
        "flow": {"id": flow.pk, "name": flow.name},
        "steps": [{"number": n, "name": name} for n, name in STEPS],
        "dimensions": list(DIMENSIONS),
        "questions": [
            {"key": q["key"], "text": q["text"], "choices": list(q["choices"])}
            for q in READINESS_QUESTIONS
        ],
        "api": {
            "graph": f"/api/flows/{flow.pk}/graph/",
            "assessment": f"/api/flows/{flow.pk}/assessment/",
            "report": f"/flows/{flow.pk}/wizard/report/",
            "markdown": f"/api/flows/{flow.pk}/assessment/report.md",
        },
    }
    return render(request, "designer/wizard.html", {"flow": flow, "page": page})


@login_required
def report(request: HttpRequest, flow_id: int) -> HttpResponse:
    """The assessment as a page that prints cleanly (print to PDF from the browser); its
    words come from the same blocks as the Markdown report."""
    flow = selectors.flow_of(request.user, flow_id)
    state = assessment_state(flow)
    blocks = report_blocks(
        selectors.flow_spec(flow), state["answers"], state["outcome"], state["steps"]
    )
    return render(request, "designer/report.html", {"flow": flow, "report": blocks})
