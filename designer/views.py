"""Pages. The flow editor, wizard, simulator and run views join these."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from designer import selectors
from designer.analysis.schedule import analyse


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The signed-in user's flows with their three cycle times."""
    flows = [
        (flow, analyse(selectors.flow_spec(flow))["cycle_time"])
        for flow in selectors.flows_of(request.user)
    ]
    return render(request, "designer/home.html", {"flows": flows})
