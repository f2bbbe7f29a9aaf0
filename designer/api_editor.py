"""What the flow editor needs beyond the flow resource: analysis of unsaved work, copies."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from designer import selectors, services
from designer.analysis.schedule import analyse


@extend_schema(
    request=OpenApiTypes.OBJECT,
    responses={200: OpenApiTypes.OBJECT},
    description="Analyse a flow document without saving it (the editor's unsaved state): "
    "the same figures as a stored flow's analysis, or a 400 naming what is wrong.",
)
@api_view(["POST"])
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
