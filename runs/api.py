"""The runs API: start a run, read its state and events, control it, act on manual tasks."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import api_view, throttle_classes
from rest_framework.request import Request
from rest_framework.response import Response

from designer import selectors
from designer.throttling import ExpensiveThrottle
from runs import engine
from runs.dispatch import dispatch
from runs.models import BLUEPRINTS, POLICIES
from runs.selectors import (
    EVENTS_PAGE,
    EVENTS_PAGE_MAX,
    events_after,
    events_before,
    flow_runs_summary,
    run_state,
    runs_of,
    task_detail,
)


class RunRequestSerializer(serializers.Serializer):
    blueprint = serializers.ChoiceField(choices=BLUEPRINTS, default="hybrid")
    failure_policy = serializers.ChoiceField(choices=POLICIES, default="retry_and_proceed")
    time_scale = serializers.FloatField(
        min_value=0.001, max_value=86_400, default=1.0, help_text="Seconds per time unit."
    )
    max_retries = serializers.IntegerField(min_value=0, max_value=20, default=2)
    seed = serializers.IntegerField(min_value=0, max_value=2**63 - 1, allow_null=True, default=None)
    follow_optimised_plan = serializers.BooleanField(
        default=False,
        help_text="Plan the run with the constraint solver first and start tasks in the "
        "optimised plan's order instead of longest remaining path first.",
    )


@extend_schema(methods=["POST"], request=RunRequestSerializer, responses={201: OpenApiTypes.OBJECT})
@extend_schema(methods=["GET"], responses={200: OpenApiTypes.OBJECT})
@api_view(["GET", "POST"])
@throttle_classes([ExpensiveThrottle])  # starting a run counts; reading the list does not
def flow_runs(request: Request, flow_id: int) -> Response:
    flow = selectors.flow_of(request.user, flow_id)
    if request.method == "GET":
        limit = _whole_number(request, "limit", 50, minimum=1, maximum=500)
        return Response(flow_runs_summary(flow.pk, limit=limit))
    given = RunRequestSerializer(data=request.data)
    given.is_valid(raise_exception=True)
    run, step = engine.run_start(flow=flow, user=request.user, **given.validated_data)
    dispatch(step)
    return Response({"id": run.pk, "status": run.status}, status=status.HTTP_201_CREATED)


@extend_schema(responses={200: OpenApiTypes.OBJECT})
@api_view(["GET"])
def run_detail(request: Request, run_id: int) -> Response:
    return Response(run_state(get_object_or_404(runs_of(request.user), pk=run_id)))


def _whole_number(request: Request, name: str, default: int, *, minimum: int, maximum: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or not minimum <= int(raw) <= maximum:
        raise serializers.ValidationError(
            {name: [f"must be a whole number from {minimum} to {maximum}"]}
        )
    return int(raw)


@extend_schema(
    parameters=[
        OpenApiParameter("after", int, description="Events after this sequence number."),
        OpenApiParameter("before", int, description="Instead: the events just before this one."),
        OpenApiParameter("limit", int, description=f"At most this many (default {EVENTS_PAGE})."),
    ],
    responses={200: OpenApiTypes.OBJECT},
)
@api_view(["GET"])
def run_events(request: Request, run_id: int) -> Response:
    """A run's events in ascending order, a page at a time."""
    run = get_object_or_404(runs_of(request.user), pk=run_id)
    limit = _whole_number(request, "limit", EVENTS_PAGE, minimum=1, maximum=EVENTS_PAGE_MAX)
    if "before" in request.query_params:
        before = _whole_number(request, "before", 0, minimum=0, maximum=2**31)
        return Response(events_before(run.pk, before, limit))
    after = _whole_number(request, "after", 0, minimum=0, maximum=2**31)
    return Response(events_after(run.pk, after, limit))


@extend_schema(responses={200: OpenApiTypes.OBJECT})
@api_view(["GET"])
def run_task(request: Request, run_id: int, key: str) -> Response:
    """One task of a run: every attempt, and its events."""
    run = get_object_or_404(runs_of(request.user), pk=run_id)
    detail = task_detail(run, key)
    if detail is None:
        raise Http404(f"run {run.pk} has no task {key}")
    return Response(detail)


@extend_schema(request=None, responses={201: OpenApiTypes.OBJECT})
@api_view(["POST"])
def run_rerun(request: Request, run_id: int) -> Response:
    """Re-run from failure: what succeeded is carried over, the rest runs again."""
    run = get_object_or_404(runs_of(request.user), pk=run_id)
    new, step = engine.run_rerun(run=run, user=request.user)
    dispatch(step)
    return Response({"id": new.pk, "status": new.status}, status=status.HTTP_201_CREATED)


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
    if not run.tasks.filter(key=key).exists():
        raise Http404(f"run {run.pk} has no task {key}")
    given = TaskActionSerializer(data=request.data)
    given.is_valid(raise_exception=True)
    step = engine.task_manual(
        run.pk, key, action, by=request.user.get_username(), error=given.validated_data["error"]
    )
    dispatch(step)
    run.refresh_from_db()
    return Response(run_state(run))
