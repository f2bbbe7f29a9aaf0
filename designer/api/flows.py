"""/api/flows/: the flow resource, its document, analysis, drawings, layout and copies."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.http import HttpResponse
from django.utils.text import slugify
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action, api_view, permission_classes
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.request import Request
from rest_framework.response import Response

from designer import drawing, selectors, services
from designer.analysis.document import FLOW_DOCUMENT_SCHEMA
from designer.api.analyse import AnalysisSerializer
from designer.api.schema import FLOW_DOCUMENT, FLOW_DOCUMENT_JSON_SCHEMA
from designer.api.support import (
    DocsPermission,
    etag_for,
    if_none_match_hits,
    versions_from_if_match,
)
from designer.models import Flow
from designer.parsing import JSONParser, MultiPartParser, json_load, read_limited
from designer.throttling import ExpensiveReadThrottle, ExpensiveThrottle

EXPORT_FORMATS = ("json", "svg", "png", "pdf", "dot")
# Drawings: (content type, file extension) of each format that is not the flow document.
DRAWING_FORMATS = {
    "svg": ("image/svg+xml", "svg"),
    "png": ("image/png", "png"),
    "pdf": ("application/pdf", "pdf"),
    "dot": ("text/vnd.graphviz; charset=utf-8", "gv"),
}
DIRECTIONS = drawing.DIRECTIONS


class GraphvizUnavailable(exceptions.APIException):
    """Graphviz is missing on the server or could not draw in time: try again later."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "graphviz_unavailable"


class DownloadNegotiation(DefaultContentNegotiation):
    """A download answers whatever the client accepts: `?format=` picks the file, not Accept.

    An `Accept: image/png` would otherwise be refused (406) before the action chose a format.
    """

    def select_renderer(self, request: Any, renderers: Any, format_suffix: Any = None) -> Any:
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except exceptions.NotAcceptable:
            return renderers[0], renderers[0].media_type


class LayoutRequestSerializer(serializers.Serializer):
    direction = serializers.CharField(default="LR", help_text="LR (left to right) or TB.")
    document = serializers.JSONField(
        required=False,
        allow_null=True,
        help_text="The editor's unsaved flow document to lay out; the stored flow without it.",
    )

    def validate_direction(self, value: str) -> str:
        return _direction(value)


class BoxSerializer(serializers.Serializer):
    x = serializers.FloatField()
    y = serializers.FloatField()
    width = serializers.FloatField()
    height = serializers.FloatField()


class LayoutSerializer(serializers.Serializer):
    """Documents the layout response: canvas pixels, y growing downward."""

    direction = serializers.ChoiceField(choices=DIRECTIONS)
    positions = serializers.DictField(
        child=serializers.DictField(child=serializers.FloatField()),
        help_text="The centre of each task's box, by task key.",
    )
    phases = serializers.DictField(
        child=BoxSerializer(), help_text="Each phase's box (top-left, width, height), by name."
    )


class FlowSerializer(serializers.ModelSerializer):
    task_count = serializers.IntegerField(read_only=True, default=0)
    handoff_delay = serializers.FloatField(min_value=0, max_value=1_000_000, required=False)
    sync_overhead = serializers.FloatField(min_value=0, max_value=1_000_000, required=False)
    value_per_time_unit = serializers.FloatField(
        min_value=0,
        max_value=1_000_000_000,
        required=False,
        allow_null=True,
        help_text="What one time unit saved is worth; null: not set.",
    )

    class Meta:
        model = Flow
        fields = [
            "id",
            "name",
            "description",
            "time_unit",
            "handoff_delay",
            "sync_overhead",
            "value_per_time_unit",
            "version",
            "task_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["version", "created_at", "updated_at"]


class ImportFile(serializers.Serializer):
    file = serializers.FileField(help_text="A `.vivido.json` flow document.")


class CreatedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    version = serializers.IntegerField()


class CopySerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    version = serializers.IntegerField()


class PointSerializer(serializers.Serializer):
    x = serializers.FloatField()
    y = serializers.FloatField()


class RoutesSerializer(serializers.Serializer):
    """Documents the routes response: canvas pixels, by dependency."""

    routes = inline_serializer(
        "Route",
        fields={
            "from": serializers.CharField(help_text="The key of the task the dependency leaves."),
            "to": serializers.CharField(help_text="The key of the task it enters."),
            "points": PointSerializer(many=True),
        },
        many=True,
    )


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

    def retrieve(self, request: Request, pk: str) -> Response:
        flow = self.get_object()
        return Response(self.get_serializer(flow).data, headers=_etag(flow))

    @extend_schema(
        parameters=[OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, required=False)],
        responses={200: FlowSerializer, 412: OpenApiResponse(description="If-Match is stale.")},
        description="Change some settings. `If-Match` is optional here (each field is "
        "replaced on its own); when sent, a stale ETag answers 412 and changes nothing.",
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        serializer = self.get_serializer(self.get_object(), data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        header = request.headers.get("If-Match")
        expected = versions_from_if_match(header) if header else None
        flow = services.flow_update(
            flow=serializer.instance, expected_version=expected, **serializer.validated_data
        )
        return Response(self.get_serializer(flow).data, headers=_etag(flow))

    def perform_destroy(self, instance: Flow) -> None:
        services.flow_delete(flow=instance)

    @extend_schema(
        request={"application/json": FLOW_DOCUMENT, "multipart/form-data": ImportFile},
        responses={201: CreatedSerializer},
        description="Create a flow from a `vivido.flow/1` document: the JSON body, or a "
        "file uploaded as the form field `file`.",
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        parser_classes=[JSONParser, MultiPartParser],
    )
    def import_document(self, request: Request) -> Response:
        document = request.data
        if request.content_type.startswith("multipart/"):
            upload = request.FILES.get("file")
            if upload is None:
                raise serializers.ValidationError({"file": ["upload the flow document as file"]})
            document = json_load(read_limited(upload), what="the file")
        flow = services.flow_import(owner=request.user, document=document, needs_fit=True)
        return Response({"id": flow.pk, "version": flow.version}, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"],
        responses={200: FLOW_DOCUMENT},
        description="The flow document; its ETag is the flow's version.",
    )
    @extend_schema(
        methods=["PUT"],
        request=FLOW_DOCUMENT,
        parameters=[OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, required=True)],
        responses={
            200: FLOW_DOCUMENT,
            412: OpenApiResponse(description="Someone saved a newer version; nothing changed."),
            428: OpenApiResponse(description="If-Match is missing."),
        },
        description="Replace the whole graph atomically, if `If-Match` is the current ETag.",
    )
    @action(detail=True, methods=["get", "put"])
    def graph(self, request: Request, pk: str) -> Response:
        flow = self.get_object()
        if request.method == "PUT":
            expected = versions_from_if_match(request.headers.get("If-Match"))
            flow = services.flow_graph_replace(
                flow=flow, document=request.data, expected_version=expected
            )
        elif if_none_match_hits(request.headers.get("If-None-Match"), flow.version):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers=_etag(flow))
        return Response(selectors.flow_document(flow), headers=_etag(flow))

    @extend_schema(responses={200: AnalysisSerializer})
    @action(detail=True, methods=["get"])
    def analysis(self, request: Request, pk: str) -> Response:
        flow = self.get_object()
        return Response(selectors.flow_analysis(flow), headers=_etag(flow))

    @extend_schema(
        parameters=[
            OpenApiParameter("format", str, enum=EXPORT_FORMATS, default="json"),
            OpenApiParameter(
                "direction",
                str,
                enum=DIRECTIONS,
                default="LR",
                description="Drawings only: left to right (LR) or top to bottom (TB).",
            ),
        ],
        responses={
            (200, "application/json"): FLOW_DOCUMENT,
            (200, "image/svg+xml"): OpenApiTypes.BINARY,
            (200, "image/png"): OpenApiTypes.BINARY,
            (200, "application/pdf"): OpenApiTypes.BINARY,
            (200, "text/vnd.graphviz"): OpenApiTypes.STR,
            503: OpenApiResponse(description="Graphviz is not available to draw the flow."),
        },
        description="Download the flow document (json) or a Graphviz drawing of the flow.",
    )
    @action(
        detail=True,
        methods=["get"],
        content_negotiation_class=DownloadNegotiation,
        throttle_classes=[ExpensiveReadThrottle],
    )
    def export(self, request: Request, pk: str) -> Response | HttpResponse:
        flow = self.get_object()
        export_format = request.query_params.get("format", "json")
        if export_format not in EXPORT_FORMATS:
            raise serializers.ValidationError(
                {"format": [f"must be one of {', '.join(EXPORT_FORMATS)}; got {export_format!r}"]}
            )
        direction = request.query_params.get("direction", "LR")
        if direction not in DIRECTIONS:
            raise serializers.ValidationError({"direction": [_direction_message(direction)]})
        slug = slugify(flow.name) or "flow"
        if export_format == "json":
            filename = f"{slug}.vivido.json"
            return Response(
                selectors.flow_document(flow),
                headers={
                    **_etag(flow),
                    "Content-Disposition": f'attachment; filename="{filename}"',
                },
            )
        content_type, extension = DRAWING_FORMATS[export_format]
        source = drawing.flow_to_dot(selectors.flow_spec(flow), direction=direction)
        if export_format == "dot":
            content = source.encode("utf-8")
        else:
            with _graphviz():
                content = drawing.render(source, export_format)
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{slug}.{extension}"'
        response["ETag"] = etag_for(flow.version)
        return response

    @extend_schema(
        request=LayoutRequestSerializer,
        responses={
            200: LayoutSerializer,
            503: OpenApiResponse(description="Graphviz is not available to lay out the flow."),
        },
        description="Auto-layout by Graphviz: positions for every task and a box for every "
        "phase, of the stored flow or of the unsaved `document` sent in the body.",
    )
    @action(detail=True, methods=["post"], throttle_classes=[ExpensiveThrottle])
    def layout(self, request: Request, pk: str) -> Response:
        flow = self.get_object()
        serializer = LayoutRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        document = serializer.validated_data.get("document")
        spec = selectors.flow_spec(flow) if document is None else services.flow_read(document)
        with _graphviz():
            result = drawing.layout(spec, direction=serializer.validated_data["direction"])
        return Response(result)

    @extend_schema(request=None, responses={201: CopySerializer})
    @action(detail=True, methods=["post"])
    def duplicate(self, request: Request, pk: str) -> Response:
        """A copy of the flow, named "… (copy)"."""
        copy = services.flow_duplicate(flow=self.get_object(), owner=request.user)
        return Response(CopySerializer(copy).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=FLOW_DOCUMENT,
        responses={
            200: RoutesSerializer,
            503: OpenApiResponse(description="Graphviz is not available to route the flow."),
        },
        description="Routes for the dependencies of the unsaved flow document in the body, "
        "with every task kept where it stands: canvas pixels, each route going around the "
        "other tasks' boxes.",
    )
    @action(detail=True, methods=["post"], throttle_classes=[ExpensiveThrottle])
    def routes(self, request: Request, pk: str) -> Response:
        self.get_object()
        spec = services.flow_read(request.data)
        with _graphviz():
            return Response({"routes": drawing.routes(spec)})


def _etag(flow: Flow) -> dict[str, str]:
    return {"ETag": etag_for(flow.version)}


def _direction(value: str) -> str:
    if value not in DIRECTIONS:
        raise serializers.ValidationError(_direction_message(value))
    return value


def _direction_message(value: str) -> str:
    return f"must be one of {', '.join(DIRECTIONS)}; got {value!r}"


@contextmanager
def _graphviz() -> Iterator[None]:
    """Graphviz's failures (not installed, too slow) as a 503 with the reason."""
    try:
        yield
    except drawing.GraphvizError as error:
        raise GraphvizUnavailable(str(error)) from None


@extend_schema(responses={200: FLOW_DOCUMENT_JSON_SCHEMA})
@api_view(["GET"])
@permission_classes([DocsPermission])
def flow_document_schema(request: Request) -> Response:
    """The JSON Schema of the flow document format `vivido.flow/1`."""
    return Response(FLOW_DOCUMENT_SCHEMA)
