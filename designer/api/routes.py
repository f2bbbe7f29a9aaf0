"""The API's one router: every resource under /api/, nested where it belongs to a flow.

    /api/flows/                       FlowViewSet (import, graph, analysis, export, layout,
                                      routes, duplicate as actions)
    /api/flows/{id}/simulations/      SimulationViewSet (preview as an action)
    /api/flows/{id}/simulations/jobs/ SimulationJobViewSet
    /api/flows/{id}/assessment/       AssessmentViewSet (one a flow; report.md as an action)
    /api/flows/{id}/optimise/         FlowOptimiseViewSet
    /api/analyse/                     AnalyseViewSet
    /api/optimise/                    OptimiseDocumentViewSet

Runs have their routes in runs/urls.py.
"""

from __future__ import annotations

from rest_framework.routers import DefaultRouter, DynamicRoute, Route
from rest_framework_nested.routers import NestedSimpleRouter

from designer.api.analyse import AnalyseViewSet
from designer.api.assessment import AssessmentViewSet
from designer.api.flows import FlowViewSet
from designer.api.optimise import FlowOptimiseViewSet, OptimiseDocumentViewSet
from designer.api.simulations import SimulationJobViewSet, SimulationViewSet


class SingletonRouter(NestedSimpleRouter):  # type: ignore[misc]
    """Routes a resource a flow has exactly one of: no list and no id, GET and PATCH on the
    resource itself, and its actions under it as named (`report.md`, no trailing slash)."""

    routes = [
        Route(
            url=r"^{prefix}{trailing_slash}$",
            mapping={"get": "retrieve", "patch": "partial_update"},
            name="{basename}",
            detail=False,
            initkwargs={"suffix": "Instance"},
        ),
        DynamicRoute(
            url=r"^{prefix}/{url_path}$", name="{basename}-{url_name}", detail=False, initkwargs={}
        ),
    ]


router = DefaultRouter(trailing_slash=True)
router.register("flows", FlowViewSet, basename="flow")
router.register("analyse", AnalyseViewSet, basename="analyse-document")
router.register("optimise", OptimiseDocumentViewSet, basename="optimise-document")

flow_router = NestedSimpleRouter(router, "flows", lookup="flow")
flow_router.register("simulations/jobs", SimulationJobViewSet, basename="flow-simulation-job")
flow_router.register("simulations", SimulationViewSet, basename="flow-simulation")
flow_router.register("optimise", FlowOptimiseViewSet, basename="flow-optimise")

flow_singletons = SingletonRouter(router, "flows", lookup="flow")
flow_singletons.register("assessment", AssessmentViewSet, basename="flow-assessment")

urlpatterns = router.urls + flow_router.urls + flow_singletons.urls
