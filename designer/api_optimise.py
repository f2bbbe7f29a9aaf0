"""The optimised levelled schedule over HTTP: of a stored flow, or of an unsaved document."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import api_view, throttle_classes
from rest_framework.request import Request
from rest_framework.response import Response

from designer import selectors, services
from designer.analysis.errors import FlowError
from designer.optimisations import optimisation_compute, read_choices, with_overrides
from designer.throttling import ExpensiveThrottle

DESCRIPTION = (
    "The shortest schedule of a blueprint that keeps every pool's capacity, found by a "
    "constraint solver within `time_limit` seconds (1 to 60, default 5), next to the greedy "
    "levelled one: `{cycle_time, lower_bound, status: optimal|feasible, gap, "
    "greedy_cycle_time, saving, tasks: {key: [start, finish]}, greedy_tasks, usage, order}`. "
    "`overrides` takes the simulator's what-if (capacities, handoff_delay, sync_overhead)."
)


@extend_schema(
    request=OpenApiTypes.OBJECT, responses={200: OpenApiTypes.OBJECT}, description=DESCRIPTION
)
@api_view(["POST"])
@throttle_classes([ExpensiveThrottle])
def optimise_flow(request: Request, flow_id: int) -> Response:
    flow = selectors.flow_of(request.user, flow_id)
    blueprint, time_limit = read_choices(request.data)
    spec = with_overrides(selectors.flow_spec(flow), request.data.get("overrides"))
    result = optimisation_compute(spec, blueprint=blueprint, time_limit=time_limit)
    return Response({**result, "flow_version": flow.version})


@extend_schema(
    request=OpenApiTypes.OBJECT,
    responses={200: OpenApiTypes.OBJECT},
    description="The same for an unsaved flow document, sent as `document` beside the "
    "choices. " + DESCRIPTION,
)
@api_view(["POST"])
@throttle_classes([ExpensiveThrottle])
def optimise_document(request: Request) -> Response:
    blueprint, time_limit = read_choices(request.data)
    if "document" not in request.data:
        raise FlowError("send the flow document as document", field="document")
    spec = with_overrides(
        services.flow_read(request.data["document"]), request.data.get("overrides")
    )
    return Response(optimisation_compute(spec, blueprint=blueprint, time_limit=time_limit))
