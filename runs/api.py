"""The runs API: start a run, read its state and events, control it, act on manual tasks.

Thin on purpose: reads come from `runs.selectors`, writes go through `runs.services`, and
`runs.serializers` says what each answer holds.
"""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import api_view, throttle_classes
from rest_framework.request import Request
from rest_framework.response import Response

from designer import selectors
from designer.throttling import ExpensiveThrottle
from runs import services
from runs.selectors import (
    EVENTS_PAGE,
    EVENTS_PAGE_MAX,
    events_after,
    events_before,
    flow_runs_summary,
    run_of,
    run_state,
    task_detail,
)
from runs.serializers import (
    EventSerializer,
    RunCreatedSerializer,
    RunRequestSerializer,
    RunStateSerializer,
    RunSummarySerializer,
    TaskActionSerializer,
    TaskDetailSerializer,
)


@extend_schema(
    methods=["POST"], request=RunRequestSerializer, responses={201: RunCreatedSerializer}
)
@extend_schema(
    methods=["GET"],
    parameters=[OpenApiParameter("limit", int, description="At most this many (default 50).")],
    responses={200: RunSummarySerializer(many=True)},
)
@api_view(["GET", "POST"])
@throttle_classes([ExpensiveThrottle])  # starting a run counts; reading the list does not
def flow_runs(request: Request, flow_id: int) -> Response:
    flow = selectors.flow_of(request.user, flow_id)
    if request.method == "GET":
        limit = _whole_number(request, "limit", 50, minimum=1, maximum=500)
        return Response(
            RunSummarySerializer(flow_runs_summary(flow.pk, limit=limit), many=True).data
        )
    given = RunRequestSerializer(data=request.data)
    given.is_valid(raise_exception=True)
    run = services.run_start(flow=flow, user=request.user, **given.validated_data)
    return Response(_created(run.pk, run.status), status=status.HTTP_201_CREATED)


@extend_schema(responses={200: RunStateSerializer})
@api_view(["GET"])
def run_detail(request: Request, run_id: int) -> Response:
    return Response(RunStateSerializer(run_state(run_of(request.user, run_id))).data)


@extend_schema(
    parameters=[
        OpenApiParameter("after", int, description="Events after this sequence number."),
        OpenApiParameter("before", int, description="Instead: the events just before this one."),
        OpenApiParameter("limit", int, description=f"At most this many (default {EVENTS_PAGE})."),
    ],
    responses={200: EventSerializer(many=True)},
)
@api_view(["GET"])
def run_events(request: Request, run_id: int) -> Response:
    """A run's events in ascending order, a page at a time."""
    run = run_of(request.user, run_id)
    limit = _whole_number(request, "limit", EVENTS_PAGE, minimum=1, maximum=EVENTS_PAGE_MAX)
    if "before" in request.query_params:
        before = _whole_number(request, "before", 0, minimum=0, maximum=2**31)
        events = events_before(run.pk, before, limit)
    else:
        after = _whole_number(request, "after", 0, minimum=0, maximum=2**31)
        events = events_after(run.pk, after, limit)
    return Response(EventSerializer(events, many=True).data)


@extend_schema(responses={200: TaskDetailSerializer})
@api_view(["GET"])
def run_task(request: Request, run_id: int, key: str) -> Response:
    """One task of a run: every attempt, and its events."""
    run = run_of(request.user, run_id)
    detail = task_detail(run, key)
    if detail is None:
        raise Http404(f"run {run.pk} has no task {key}")
    return Response(TaskDetailSerializer(detail).data)


@extend_schema(request=None, responses={201: RunCreatedSerializer})
@api_view(["POST"])
def run_rerun(request: Request, run_id: int) -> Response:
    """Re-run from failure: what succeeded is carried over, the rest runs again."""
    new = services.run_rerun(run=run_of(request.user, run_id), user=request.user)
    return Response(_created(new.pk, new.status), status=status.HTTP_201_CREATED)


@extend_schema(request=None, responses={200: RunStateSerializer})
@api_view(["POST"])
def run_action(request: Request, run_id: int, action: str) -> Response:
    run = services.run_control(
        run=run_of(request.user, run_id), action=action, by=request.user.get_username()
    )
    return Response(RunStateSerializer(run_state(run)).data)


@extend_schema(request=TaskActionSerializer, responses={200: RunStateSerializer})
@api_view(["POST"])
def task_action(request: Request, run_id: int, key: str, action: str) -> Response:
    run = run_of(request.user, run_id)
    if not run.tasks.filter(key=key).exists():
        raise Http404(f"run {run.pk} has no task {key}")
    given = TaskActionSerializer(data=request.data)
    given.is_valid(raise_exception=True)
    run = services.task_act(
        run=run,
        key=key,
        action=action,
        by=request.user.get_username(),
        error=given.validated_data["error"],
    )
    return Response(RunStateSerializer(run_state(run)).data)


def _created(run_id: int, run_status: str) -> object:
    return RunCreatedSerializer({"id": run_id, "status": run_status}).data


def _whole_number(request: Request, name: str, default: int, *, minimum: int, maximum: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or not minimum <= int(raw) <= maximum:
        raise serializers.ValidationError(
            {name: [f"must be a whole number from {minimum} to {maximum}"]}
        )
    return int(raw)
