"""/api/flows/{id}/simulations/: run, keep, list and compare simulations of a flow."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from designer import selectors
from designer.analysis.plans import BLUEPRINTS
from designer.analysis.simulation import WhatIf, check_simulation
from designer.models import Simulation
from designer.simulations import (
    job_state,
    simulation_compute,
    simulation_cost,
    simulation_create,
    simulation_job_cancel,
    simulation_job_start,
    simulation_jobs_of,
    simulations_of,
)
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


def _full(simulation: Simulation) -> dict[str, Any]:
    return {"id": simulation.pk, "created_at": simulation.created_at, **simulation.result}


class SimulationViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """Simulations of one of the user's flows; another user's flow answers 404."""

    serializer_class = SimulationSummarySerializer
    throttle_classes = [ExpensiveThrottle]  # per user, on the requests that simulate

    def get_queryset(self) -> Any:
        return simulations_of(selectors.flow_of(self.request.user, self.kwargs["flow_pk"]))

    @extend_schema(
        request=SimulationRequestSerializer,
        responses={201: OpenApiTypes.OBJECT, 202: OpenApiTypes.OBJECT},
        description="Run a simulation and keep its result: 201 with the result when its cost "
        "estimate is at most VIVIDO_SIMULATION_BACKGROUND_COST, else 202 with a job to follow "
        "(`jobs/{job}/`, or the websocket `/ws/simulations/{job}/`) whose result is kept.",
    )
    def create(self, request: Request, flow_pk: int) -> Response:
        flow = selectors.flow_of(request.user, flow_pk)
        parameters = _parameters(request)
        spec = selectors.flow_spec(flow)
        background = _background_job(request, flow, spec, parameters)
        if background is not None:
            return background
        simulation = simulation_create(flow=flow, user=request.user, flow_spec=spec, **parameters)
        return Response(_full(simulation), status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def retrieve(self, request: Request, flow_pk: int, pk: int) -> Response:
        return Response(_full(self.get_object()))

    @extend_schema(
        request=SimulationRequestSerializer,
        responses={200: OpenApiTypes.OBJECT, 202: OpenApiTypes.OBJECT},
        description="Run a what-if without keeping it: the same figures, nothing stored. "
        "One too costly for a request answers 202 with a job, whose result is kept.",
    )
    @action(detail=False, methods=["post"])
    def preview(self, request: Request, flow_pk: int) -> Response:
        flow = selectors.flow_of(request.user, flow_pk)
        parameters = _parameters(request)
        spec = selectors.flow_spec(flow)
        background = _background_job(request, flow, spec, parameters)
        if background is not None:
            return background
        return Response(simulation_compute(flow=flow, flow_spec=spec, **parameters))


class SimulationJobViewSet(viewsets.GenericViewSet):
    """A background simulation of one of the user's flows: its state, or cancel it."""

    def get_queryset(self) -> Any:
        return simulation_jobs_of(selectors.flow_of(self.request.user, self.kwargs["flow_pk"]))

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def retrieve(self, request: Request, flow_pk: int, pk: int) -> Response:
        return Response(job_state(self.get_object()))

    @extend_schema(
        responses={200: OpenApiTypes.OBJECT},
        description="Cancel: a queued job never starts, a running one stops at its next "
        "chunk of iterations (its state turns `cancelled`); an ended job stays as it is.",
    )
    def destroy(self, request: Request, flow_pk: int, pk: int) -> Response:
        return Response(job_state(simulation_job_cancel(self.get_object())))


def _background_job(
    request: Request, flow: Any, spec: Any, parameters: dict[str, Any]
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
    overrides = parameters["overrides"]
    check_simulation(
        spec,
        what_if=WhatIf(
            capacities=overrides.get("capacities", {}),
            handoff_delay=overrides.get("handoff_delay"),
            sync_overhead=overrides.get("sync_overhead"),
        ),
        blueprints=parameters["blueprints"],
    )
    job = simulation_job_start(flow=flow, user=request.user, cost=cost, **parameters)
    location = f"/api/flows/{flow.pk}/simulations/jobs/{job.pk}/"
    return Response(job_state(job), status=status.HTTP_202_ACCEPTED, headers={"Location": location})


def _parameters(request: Request) -> dict[str, Any]:
    serializer = SimulationRequestSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    parameters = dict(serializer.validated_data)
    parameters["overrides"] = dict(parameters.get("overrides") or {})
    return parameters
