"""The runs API: start a run, read its state and events, control it, act on manual tasks."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from designer import selectors
from runs import engine
from runs.dispatch import dispatch
from runs.models import BLUEPRINTS, POLICIES, Run, RunEvent


class RunRequestSerializer(serializers.Serializer):
    blueprint = serializers.ChoiceField(choices=BLUEPRINTS, default="hybrid")
    failure_policy = serializers.ChoiceField(choices=POLICIES, default="retry_and_proceed")
    time_scale = serializers.FloatField(
        min_value=0.001, max_value=86_400, default=1.0, help_text="Seconds per time unit."
    )
    max_retries = serializers.IntegerField(min_value=0, max_value=20, default=2)
    seed = serializers.IntegerField(min_value=0, max_value=2**63 - 1, allow_null=True, default=None)


def runs_of(user: Any) -> QuerySet[Run]:
    """Runs of the user's flows; anyone else's answer 404."""
    return Run.objects.filter(flow__owner=user)


def run_state(run: Run) -> dict[str, Any]:
    return {
        "id": run.pk,
        "flow": run.flow_id,
        "name": run.document.get("name"),
        "status": run.status,
        "blueprint": run.blueprint,
        "failure_policy": run.failure_policy,
        "time_scale": run.time_scale,
        "max_retries": run.max_retries,
        "seed": run.seed,
        "last_seq": run.last_seq,
        "created_at": run.created_at,
        "finished_at": run.finished_at,
        "tasks": {
            t.key: {
                "state": t.state,
                "attempts": t.attempts,
                "executor": t.executor,
                "started_at": t.started_at,
                "finished_at": t.finished_at,
                "error": t.error,
            }
            for t in run.tasks.all()
        },
    }


def event_dict(event: RunEvent) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "kind": event.kind,
        "task": event.task,
        "state": event.data.get("to"),
        "at": event.at,
        "data": event.data,
    }


@extend_schema(methods=["POST"], request=RunRequestSerializer, responses={201: OpenApiTypes.OBJECT})
@extend_schema(methods=["GET"], responses={200: OpenApiTypes.OBJECT})
@api_view(["GET", "POST"])
def flow_runs(request: Request, flow_id: int) -> Response:
    flow = selectors.flow_of(request.user, flow_id)
    if request.method == "GET":
        return Response(
            [
                {
                    "id": run.pk,
                    "status": run.status,
                    "blueprint": run.blueprint,
                    "failure_policy": run.failure_policy,
                    "created_at": run.created_at,
                    "finished_at": run.finished_at,
                    "duration_seconds": (run.finished_at - run.created_at).total_seconds()
                    if run.finished_at
                    else None,
                }
                for run in flow.runs.all()
            ]
        )
    given = RunRequestSerializer(data=request.data)
    given.is_valid(raise_exception=True)
    run, step = engine.run_start(flow=flow, user=request.user, **given.validated_data)
    dispatch(step)
    return Response({"id": run.pk, "status": run.status}, status=status.HTTP_201_CREATED)


@extend_schema(responses={200: OpenApiTypes.OBJECT})
@api_view(["GET"])
def run_detail(request: Request, run_id: int) -> Response:
    return Response(run_state(get_object_or_404(runs_of(request.user), pk=run_id)))


@extend_schema(
    parameters=[OpenApiParameter("after", int, description="Events after this sequence number.")],
    responses={200: OpenApiTypes.OBJECT},
)
@api_view(["GET"])
def run_events(request: Request, run_id: int) -> Response:
    run = get_object_or_404(runs_of(request.user), pk=run_id)
    after = request.query_params.get("after", "0")
    if not after.isdigit():
        raise serializers.ValidationError({"after": ["must be a whole number of 0 or more"]})
    events = run.events.filter(seq__gt=int(after)).order_by("seq")[:5000]
    return Response([event_dict(e) for e in events])


@extend_schema(request=None, responses={200: OpenApiTypes.OBJECT})
@api_view(["POST"])
def run_action(request: Request, run_id: int, action: str) -> Response:
    run = get_object_or_404(runs_of(request.user), pk=run_id)
    dispatch(engine.run_control(run.pk, action, by=request.user.get_username()))
    run.refresh_from_db()
    return Response(run_state(run))


class TaskActionSerializer(serializers.Serializer):
    error = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


@extend_schema(request=TaskActionSerializer, responses={200: OpenApiTypes.OBJECT})
@api_view(["POST"])
def task_action(request: Request, run_id: int, key: str, action: str) -> Response:
    run = get_object_or_404(runs_of(request.user), pk=run_id)
    given = TaskActionSerializer(data=request.data)
    given.is_valid(raise_exception=True)
    step = engine.task_manual(
        run.pk, key, action, by=request.user.get_username(), error=given.validated_data["error"]
    )
    dispatch(step)
    run.refresh_from_db()
    return Response(run_state(run))
