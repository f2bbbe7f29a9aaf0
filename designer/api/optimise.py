"""/api/flows/{id}/optimise/ and /api/optimise/: the optimal levelled schedule, next to the
greedy one, of a stored flow or of an unsaved flow document."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from designer import selectors, services
from designer.analysis.errors import FlowError
from designer.analysis.plans import BLUEPRINTS
from designer.analysis.simulation import check_simulation
from designer.api.schema import FLOW_DOCUMENT
from designer.api.simulations import JobStateSerializer, OverridesSerializer
from designer.api.support import one_of
from designer.optimisations import (
    DEFAULT_TIME_LIMIT,
    OPTIMISE_INLINE_SECONDS,
    optimisation_compute,
    read_choices,
    with_overrides,
)
from designer.simulations.jobs import simulation_job_start
from designer.throttling import ExpensiveThrottle


class OptimiseRequestSerializer(serializers.Serializer):
    """Documents the request; `read_choices` checks it, naming the field it refuses."""

    blueprint = one_of(BLUEPRINTS, default="parallel")
    time_limit = serializers.FloatField(
        min_value=1, max_value=60, default=DEFAULT_TIME_LIMIT, help_text="Seconds, 1 to 60."
    )
    overrides = OverridesSerializer(required=False, help_text="The simulator's what-if.")


class OptimiseDocumentRequestSerializer(OptimiseRequestSerializer):
    document = FLOW_DOCUMENT(help_text="The unsaved flow document.")


class OptimisedSerializer(serializers.Serializer):
    """Documents the answer."""

    cycle_time = serializers.FloatField(help_text="The best schedule's cycle time.")
    lower_bound = serializers.FloatField(help_text="No schedule can be shorter.")
    status = one_of(["optimal", "feasible"], help_text="optimal: proven; feasible: best found.")
    gap = serializers.FloatField(help_text="(cycle_time − lower_bound) / lower_bound.")
    greedy_cycle_time = serializers.FloatField(help_text="Longest remaining path first.")
    saving = serializers.FloatField()
    tasks = serializers.DictField(
        child=serializers.ListField(child=serializers.FloatField(), min_length=2, max_length=2),
        help_text="Every task's [start, finish] in the best schedule, by key.",
    )
    greedy_tasks = serializers.DictField(
        child=serializers.ListField(child=serializers.FloatField(), min_length=2, max_length=2)
    )
    usage = serializers.DictField(
        child=serializers.ListField(child=serializers.ListField(child=serializers.FloatField())),
        help_text="Units in use of each pool over time: [time, units from then on].",
    )
    order = serializers.ListField(child=serializers.CharField(), help_text="Keys by start.")


DESCRIPTION = (
    "The shortest schedule of a blueprint that keeps every pool's capacity, found by a "
    "constraint solver within `time_limit` seconds, beside the greedy levelled one "
    "(longest remaining path first). `overrides` takes the simulator's what-if."
)


class FlowOptimiseViewSet(viewsets.ViewSet):
    """Optimising one of the user's flows; another user's flow answers 404."""

    throttle_classes = [ExpensiveThrottle]

    @extend_schema(
        request=OptimiseRequestSerializer,
        responses={200: OptimisedSerializer, 202: JobStateSerializer},
        description=DESCRIPTION
        + f" Above {OPTIMISE_INLINE_SECONDS:g} s it answers 202 with a background job "
        "(`simulations/jobs/{job}/`, DELETE cancels; websocket `/ws/simulations/{job}/`): its "
        "progress is the share of the time limit used, `result` the best cycle time and bound "
        "so far, then the answer.",
    )
    def create(self, request: Request, flow_pk: str) -> Response:
        flow = selectors.flow_of(request.user, int(flow_pk))
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
            return Response(
                JobStateSerializer(job).data,
                status=status.HTTP_202_ACCEPTED,
                headers={"Location": f"/api/flows/{flow.pk}/simulations/jobs/{job.pk}/"},
            )
        result = optimisation_compute(spec, blueprint=blueprint, time_limit=time_limit)
        return Response({**result, "flow_version": flow.version})


class OptimiseDocumentViewSet(viewsets.ViewSet):
    """Optimising unsaved work: nothing is stored, and the solver runs inside the request."""

    throttle_classes = [ExpensiveThrottle]

    @extend_schema(
        request=OptimiseDocumentRequestSerializer,
        responses={200: OptimisedSerializer},
        description=DESCRIPTION + " For the unsaved flow document sent as `document`.",
    )
    def create(self, request: Request) -> Response:
        blueprint, time_limit = read_choices(request.data)
        if "document" not in request.data:
            raise FlowError("send the flow document as document", field="document")
        spec = with_overrides(
            services.flow_read(request.data["document"]), request.data.get("overrides")
        )
        return Response(optimisation_compute(spec, blueprint=blueprint, time_limit=time_limit))
