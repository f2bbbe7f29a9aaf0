"""What the flow editor needs beyond the flow resource: analysis of unsaved work, copies."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import api_view, throttle_classes
from rest_framework.request import Request
from rest_framework.response import Response

from designer import drawing, selectors, services
from designer.analysis.cpm import analyse
from designer.throttling import ExpensiveThrottle


@extend_schema(
    request=OpenApiTypes.OBJECT,
    responses={200: OpenApiTypes.OBJECT},
    description="Analyse a flow document without saving it (the editor's unsaved state): "
    "the same figures as a stored flow's analysis, or a 400 naming what is wrong.",
)
@api_view(["POST"])
@throttle_classes([ExpensiveThrottle])
def analyse_document(request: Request) -> Response:
    return Response(analyse(services.flow_read(request.data)))


@extend_schema(request=None, responses={201: OpenApiTypes.OBJECT})
@api_view(["POST"])
def duplicate_flow(request: Request, flow_id: int) -> Response:
    """A copy of one of the user's flows, named "… (copy)"."""
    copy = services.flow_duplicate(
        flow=selectors.flow_of(request.user, flow_id), owner=request.user
    )
    return Response(
        {"id": copy.pk, "name": copy.name, "version": copy.version}, status=status.HTTP_201_CREATED
    )


@extend_schema(
    request=OpenApiTypes.OBJECT,
    responses={200: OpenApiTypes.OBJECT},
    description="Routes for the dependencies of the unsaved flow document in the body, with "
    "every task kept where it stands: `{routes: [{from, to, points: [{x, y}]}]}`, canvas "
    "pixels, each route going around the other tasks' boxes. 503 without Graphviz.",
)
@api_view(["POST"])
@throttle_classes([ExpensiveThrottle])
def route_document(request: Request, flow_id: int) -> Response:
    selectors.flow_of(request.user, flow_id)
    spec = services.flow_read(request.data)
    try:
        return Response({"routes": drawing.routes(spec)})
    except drawing.GraphvizError as error:
        return Response({"message": str(error)}, status=status.HTTP_503_SERVICE_UNAVAILABLE)
