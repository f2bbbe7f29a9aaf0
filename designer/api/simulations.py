"""/api/flows/{id}/simulations/: preview, keep, list and compare simulations of a flow."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from designer import selectors
from designer.analysis.model import Flow as FlowSpec
from designer.analysis.plans import BLUEPRINTS
from designer.analysis.simulation import check_simulation
from designer.api.support import one_of
from designer.models import Flow, Simulation, SimulationJob
from designer.simulations.jobs import simulation_job_cancel, simulation_job_start
from designer.simulations.selectors import (
    job_state,
    simulation_cost,
    simulation_jobs_of,
    simulations_of,
)
from designer.simulations.services import simulation_create, simulation_preview, what_if_of
from designer.throttling import ExpensiveThrottle


class OverridesSerializer(serializers.Serializer):
    capacities = serializers.DictField(
        child=serializers.IntegerField(min_value=1, max_value=100_000), required=False
    )
    handoff_delay = serializers.FloatField(min_value=0, max_value=1_000_000, required=False)
    sync_overhead = serializers.FloatField(min_value=0, max_value=1_000_000, required=False)


class SimulationRequestSerializer(serializers.Serializer):
    iterations = serializers.IntegerField(min_value=1, default=1000)
    seed = serializers.IntegerField(min_value=0, max_value=2**63 - 1, allow_null=True, default=None)
    blueprints = serializers.ListField(
        child=serializers.ChoiceField(choices=BLUEPRINTS), min_length=1, default=list(BLUEPRINTS)
    )
    max_retries = serializers.IntegerField(min_value=0, max_value=20, default=2)
    overrides = OverridesSerializer(required=False, default=dict)

    def validate_iterations(self, value: int) -> int:
        limit = settings.VIVIDO_MAX_SIMULATION_ITERATIONS
        if value > limit:
            raise serializers.ValidationError(f"at most {limit} iterations per simulation")
        return value

    def validate_blueprints(self, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))


class SimulationSummarySerializer(serializers.ModelSerializer):
    """One line of the list: enough to pick two results to compare."""

    p50 = serializers.SerializerMethodField()
    p95 = serializers.SerializerMethodField()

    class Meta:
        model = Simulation
        fields = [
            "id",
            "created_at",
            "flow_version",
            "iterations",
            "seed",
            "max_retries",
            "blueprints",
            "overrides",
            "elapsed_seconds",
            "p50",
            "p95",
        ]

    def get_p50(self, simulation: Simulation) -> dict[str, float | None]:
        return {b: r["p50"] for b, r in simulation.result["results"].items()}

    def get_p95(self, simulation: Simulation) -> dict[str, float | None]:
        return {b: r["p95"] for b, r in simulation.result["results"].items()}


class StatisticsSerializer(serializers.Serializer):
    """One blueprint's simulated cycle times (null when no iteration completed)."""

    p50 = serializers.FloatField(allow_null=True)
    p80 = serializers.FloatField(allow_null=True)
    p95 = serializers.FloatField(allow_null=True)
    mean = serializers.FloatField(allow_null=True)
    std = serializers.FloatField(allow_null=True)
    min = serializers.FloatField(allow_null=True)
    max = serializers.FloatField(allow_null=True)
    histogram = inline_serializer(
        "Histogram",
        fields={
            "edges": serializers.ListField(child=serializers.FloatField()),
            "counts": serializers.ListField(child=serializers.IntegerField()),
        },
    )
    deterministic = serializers.FloatField(help_text="The cycle time on likely durations.")
    utilisation = serializers.DictField(
        child=serializers.FloatField(), help_text="Each pool's mean share of use, by name."
    )


class ComparisonSerializer(serializers.Serializer):
    faster_share = serializers.FloatField()
    mean_saving = serializers.FloatField()
    p50_saving = serializers.FloatField()


class ConstrainedScheduleSerializer(serializers.Serializer):
    """A blueprint's Gantt with pool capacities respected, on likely durations."""

    cycle_time = serializers.FloatField()
    tasks = serializers.DictField(
        child=serializers.ListField(child=serializers.FloatField(), min_length=2, max_length=2),
        help_text="Each task's [start, finish], by key.",
    )
    usage = serializers.DictField(
        child=serializers.ListField(child=serializers.ListField(child=serializers.FloatField())),
        help_text="Each pool's units in use over time: [time, units] steps, by name.",
    )
    utilisation = serializers.DictField(child=serializers.FloatField())


class SimulationResultSerializer(serializers.Serializer):
    """The figures of a simulation, previewed or kept."""

    iterations = serializers.IntegerField()
    seed = serializers.IntegerField()
    max_retries = serializers.IntegerField()
    blueprints = serializers.ListField(child=serializers.ChoiceField(choices=BLUEPRINTS))
    results = serializers.DictField(child=StatisticsSerializer(), help_text="By blueprint.")
    failed_share = serializers.FloatField()
    criticality = serializers.DictField(
        child=serializers.FloatField(), help_text="Each task's share of critical iterations."
    )
    utilisation = serializers.DictField(child=serializers.FloatField())
    utilisation_blueprint = serializers.ChoiceField(choices=BLUEPRINTS)
    comparison = serializers.DictField(
        child=ComparisonSerializer(), help_text="Each blueprint against sequential."
    )
    schedules = serializers.DictField(child=ConstrainedScheduleSerializer())
    overrides = serializers.DictField()
    flow_version = serializers.IntegerField()
    elapsed_seconds = serializers.FloatField()

    def to_representation(self, instance: Any) -> Any:
        return instance  # the core's figures as computed: the fields document them


class KeptSimulationSerializer(SimulationResultSerializer):
    """A kept simulation: its id and when it was kept, then its figures."""

    id = serializers.IntegerField()
    created_at = serializers.DateTimeField()

    def to_representation(self, instance: Simulation) -> Any:
        return {"id": instance.pk, "created_at": instance.created_at, **instance.result}


class JobStateSerializer(serializers.Serializer):
    """A background simulation: where it stands, and the kept result once it succeeded."""

    job = serializers.IntegerField()
    state = one_of(SimulationJob.State.values)
    progress = serializers.FloatField(help_text="The share done, 0 to 1.")
    cost = serializers.IntegerField()
    simulation = serializers.IntegerField(allow_null=True, help_text="The kept result's id.")
    error = serializers.CharField(allow_blank=True)

    def to_representation(self, instance: SimulationJob) -> Any:
        return job_state(instance)


class SimulationViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """Simulations of one of the user's flows; another user's flow answers 404."""

    serializer_class = SimulationSummarySerializer
    throttle_classes = [ExpensiveThrottle]  # per user, on the requests that simulate
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> Any:
        return simulations_of(selectors.flow_of(self.request.user, self.kwargs["flow_pk"]))

    @extend_schema(
        request=SimulationRequestSerializer,
        responses={201: KeptSimulationSerializer, 202: JobStateSerializer},
        description="Keep a simulation: the figures of the preview shown for the same "
        "parameters on this version of the flow, else computed now. 201 with the result when "
        "its cost estimate is at most VIVIDO_SIMULATION_BACKGROUND_COST, else 202 with a job "
        "to follow (`jobs/{job}/`, or the websocket `/ws/simulations/{job}/`) whose result is "
        "kept.",
    )
    def create(self, request: Request, flow_pk: str) -> Response:
        flow, spec, parameters, background = _asked(request, flow_pk)
        if background is not None:
            return background
        simulation = simulation_create(flow=flow, user=request.user, flow_spec=spec, **parameters)
        return Response(KeptSimulationSerializer(simulation).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: KeptSimulationSerializer})
    def retrieve(self, request: Request, flow_pk: str, pk: str) -> Response:
        return Response(KeptSimulationSerializer(self.get_object()).data)

    @extend_schema(
        request=SimulationRequestSerializer,
        responses={200: SimulationResultSerializer, 202: JobStateSerializer},
        description="Run a what-if without keeping it: the same figures, nothing stored (the "
        "server holds them a while so that keeping them does not simulate again). One too "
        "costly for a request answers 202 with a job, whose result is kept.",
    )
    @action(detail=False, methods=["post"])
    def preview(self, request: Request, flow_pk: str) -> Response:
        flow, spec, parameters, background = _asked(request, flow_pk)
        if background is not None:
            return background
        result = simulation_preview(flow=flow, flow_spec=spec, **parameters)
        return Response(SimulationResultSerializer(result).data)


class SimulationJobViewSet(
    mixins.RetrieveModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    """A background simulation of one of the user's flows: its state, or cancel it."""

    serializer_class = JobStateSerializer
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> Any:
        return simulation_jobs_of(selectors.flow_of(self.request.user, self.kwargs["flow_pk"]))

    @extend_schema(
        responses={200: JobStateSerializer},
        description="Cancel: a queued job never starts, a running one stops at its next "
        "chunk of iterations (its state turns `cancelled`); an ended job stays as it is.",
    )
    def destroy(self, request: Request, flow_pk: str, pk: str) -> Response:
        return Response(JobStateSerializer(simulation_job_cancel(self.get_object())).data)


def _asked(
    request: Request, flow_pk: str
) -> tuple[Flow, FlowSpec, dict[str, Any], Response | None]:
    """The flow, as read once, the parameters asked for, and the 202 with a job when the
    simulation costs too much for a request (else None)."""
    flow = selectors.flow_of(request.user, int(flow_pk))
    parameters = _parameters(request)
    spec = selectors.flow_spec(flow)
    return flow, spec, parameters, _background_job(request, flow, spec, parameters)


def _background_job(
    request: Request, flow: Flow, spec: FlowSpec, parameters: dict[str, Any]
) -> Response | None:
    """A 202 with the job when the simulation costs too much for a request, else None."""
    cost = simulation_cost(
        spec,
        iterations=parameters["iterations"],
        blueprints=parameters["blueprints"],
        overrides=parameters["overrides"],
    )
    if cost <= settings.VIVIDO_SIMULATION_BACKGROUND_COST:
        return None
    check_simulation(
        spec, what_if=what_if_of(parameters["overrides"]), blueprints=parameters["blueprints"]
    )
    job = simulation_job_start(flow=flow, user=request.user, cost=cost, **parameters)
    location = f"/api/flows/{flow.pk}/simulations/jobs/{job.pk}/"
    return Response(
        JobStateSerializer(job).data,
        status=status.HTTP_202_ACCEPTED,
        headers={"Location": location},
    )


def _parameters(request: Request) -> dict[str, Any]:
    serializer = SimulationRequestSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    parameters = dict(serializer.validated_data)
    parameters["overrides"] = dict(parameters.get("overrides") or {})
    return parameters
