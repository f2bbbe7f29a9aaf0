"""The flows API (DRF): thin views over the services, selectors and the analysis core."""

from __future__ import annotations

from typing import Any

from django.utils.text import slugify
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action, api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from designer import selectors, services
from designer.analysis.document import FLOW_DOCUMENT_SCHEMA
from designer.analysis.schedule import analyse
from designer.api_support import etag_for, version_from_if_match
from designer.models import Flow

EXPORT_FORMATS = ("json",)


class FlowSerializer(serializers.ModelSerializer):
    task_count = serializers.IntegerField(read_only=True, default=0)
    handoff_delay = serializers.FloatField(min_value=0, max_value=1_000_000, required=False)
    sync_overhead = serializers.FloatField(min_value=0, max_value=1_000_000, required=False)

    class Meta:
        model = Flow
        fields = [
            "id",
            "name",
            "description",
            "time_unit",
            "handoff_delay",
            "sync_overhead",
            "version",
            "task_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["version", "created_at", "updated_at"]


class AnalysisSerializer(serializers.Serializer):
    """Documents the analysis response for the OpenAPI schema."""

    cycle_time = serializers.DictField(child=serializers.FloatField())
    critical_path = serializers.ListField(child=serializers.CharField())
    tasks = serializers.DictField(child=serializers.DictField(child=serializers.FloatField()))
    phases = serializers.ListField(child=serializers.ListField(child=serializers.CharField()))
    phases_derived = serializers.BooleanField()
    clusters = serializers.ListField(child=serializers.ListField(child=serializers.CharField()))
    cluster_savings = serializers.ListField(child=serializers.FloatField())
    order = serializers.ListField(child=serializers.CharField())
    schedules = serializers.DictField()


class CreatedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    version = serializers.IntegerField()


class FlowViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The signed-in user's flows; anyone else's answer 404."""

    serializer_class = FlowSerializer
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> Any:
        return selectors.flows_of(self.request.user)

    def perform_create(self, serializer: FlowSerializer) -> None:
        serializer.instance = services.flow_create(
            owner=self.request.user, **serializer.validated_data
        )

    def partial_update(self, request: Request, pk: str) -> Response:
        serializer = self.get_serializer(self.get_object(), data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        flow = services.flow_update(flow=serializer.instance, **serializer.validated_data)
        return Response(self.get_serializer(flow).data)

    def perform_destroy(self, instance: Flow) -> None:
        services.flow_delete(flow=instance)

    @extend_schema(
        request=OpenApiTypes.OBJECT,
        responses={201: CreatedSerializer},
        description="Create a flow from a `vivido.flow/1` document.",
    )
    @action(detail=False, methods=["post"], url_path="import")
    def import_document(self, request: Request) -> Response:
        flow = services.flow_import(owner=request.user, document=request.data)
        return Response({"id": flow.pk, "version": flow.version}, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"],
        responses={200: OpenApiTypes.OBJECT},
        description="The flow document; its ETag is the flow's version.",
    )
    @extend_schema(
        methods=["PUT"],
        request=OpenApiTypes.OBJECT,
        parameters=[OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, required=True)],
        responses={
            200: OpenApiTypes.OBJECT,
            412: OpenApiResponse(description="Someone saved a newer version; nothing changed."),
            428: OpenApiResponse(description="If-Match is missing."),
        },
        description="Replace the whole graph atomically, if `If-Match` is the current ETag.",
    )
    @action(detail=True, methods=["get", "put"])
    def graph(self, request: Request, pk: str) -> Response:
        flow = self.get_object()
        if request.method == "PUT":
            expected = version_from_if_match(request.headers.get("If-Match"))
            flow = services.flow_graph_replace(
                flow=flow, document=request.data, expected_version=expected
            )
        elif request.headers.get("If-None-Match") == etag_for(flow.version):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers=_etag(flow))
        return Response(selectors.flow_document(flow), headers=_etag(flow))

    @extend_schema(responses={200: AnalysisSerializer})
    @action(detail=True, methods=["get"])
    def analysis(self, request: Request, pk: str) -> Response:
        flow = self.get_object()
        return Response(analyse(selectors.flow_spec(flow)), headers=_etag(flow))

    @extend_schema(
        parameters=[OpenApiParameter("format", str, enum=EXPORT_FORMATS, default="json")],
        responses={200: OpenApiTypes.OBJECT},
    )
    @action(detail=True, methods=["get"])
    def export(self, request: Request, pk: str) -> Response:
        flow = self.get_object()
        export_format = request.query_params.get("format", "json")
        if export_format not in EXPORT_FORMATS:
            raise serializers.ValidationError(
                {"format": [f"must be one of {', '.join(EXPORT_FORMATS)}; got {export_format!r}"]}
            )
        filename = f"{slugify(flow.name) or 'flow'}.vivido.json"
        return Response(
            selectors.flow_document(flow),
            headers={**_etag(flow), "Content-Disposition": f'attachment; filename="{filename}"'},
        )


def _etag(flow: Flow) -> dict[str, str]:
    return {"ETag": etag_for(flow.version)}


@extend_schema(responses={200: OpenApiTypes.OBJECT})
@api_view(["GET"])
@permission_classes([AllowAny])
def flow_document_schema(request: Request) -> Response:
    """The JSON Schema of the flow document format `vivido.flow/1`."""
    return Response(FLOW_DOCUMENT_SCHEMA)
