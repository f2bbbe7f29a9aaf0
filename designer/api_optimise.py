"""The optimised levelled schedule over HTTP: of a stored flow, or of an unsaved document."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import api_view, throttle_classes
from rest_framework.request import Request
from rest_framework.response import Response

from designer import selectors, services
from designer.analysis.errors import FlowError
from designer.analysis.simulation import check_simulation
from designer.optimisations import (
    OPTIMISE_INLINE_SECONDS,
    optimisation_compute,
    read_choices,
    with_overrides,
)
from designer.simulations import job_state, simulation_job_start
from designer.throttling import ExpensiveThrottle

DESCRIPTION = (
    "The shortest schedule of a blueprint that keeps every pool's capacity, found by a "
    "constraint solver within `time_limit` seconds (1 to 60, default 5), next to the greedy "
    "levelled one: `{cycle_time, lower_bound, status: optimal|feasible, gap, "
    "greedy_cycle_time, saving, tasks: {key: [start, finish]}, greedy_tasks, usage, order}`. "
    "`overrides` takes the simulator's what-if (capacities, handoff_delay, sync_overhead)."
)
JOB = (
    " A stored flow's optimisation with a time limit above 3 s answers 202 with a background "
    "job instead (`/api/flows/{id}/simulations/jobs/{job}/`, DELETE cancels; websocket "
    "`/ws/simulations/{job}/`): its progress is the share of the time limit used, `result` "
    "holds the best cycle time and bound so far, then the answer above."
)


@extend_schema(
    request=OpenApiTypes.OBJECT,
    responses={200: OpenApiTypes.OBJECT, 202: OpenApiTypes.OBJECT},
    description=DESCRIPTION + JOB,
)
@api_view(["POST"])
@throttle_classes([ExpensiveThrottle])
def optimise_flow(request: Request, flow_id: int) -> Response:
    flow = selectors.flow_of(request.user, flow_id)
    blueprint, time_limit = read_choices(request.data)
    overrides = request.data.get("overrides")
    spec = with_overrides(selectors.flow_spec(flow), overrides)
    if time_limit > OPTIMISE_INLINE_SECONDS:
        check_simulation(spec)  # a pool too small is refused now, not by the job
        job = simulation_job_start(
            flow=flow,
            user=request.user,
            cost=round(time_limit),
            kind="optimisation",
            blueprint=blueprint,
            time_limit=time_limit,
            overrides=overrides or {},
        )
        location = f"/api/flows/{flow.pk}/simulations/jobs/{job.pk}/"
        return Response(
            job_state(job), status=status.HTTP_202_ACCEPTED, headers={"Location": location}
        )
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
