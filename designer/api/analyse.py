"""/api/analyse/: the figures of a flow document that is not saved (the editor's work)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from designer import services
from designer.analysis.cpm import analyse
from designer.api.schema import FLOW_DOCUMENT
from designer.throttling import ExpensiveThrottle


class AnalysisSerializer(serializers.Serializer):
    """Documents the analysis response for the OpenAPI schema."""

    cycle_time = serializers.DictField(
        child=serializers.FloatField(), help_text="Each blueprint's cycle time."
    )
    critical_path = serializers.ListField(child=serializers.CharField())
    tasks = serializers.DictField(
        child=serializers.DictField(child=serializers.FloatField()),
        help_text="Each task's earliest and latest start and finish and its slack, by key.",
    )
    phases = serializers.ListField(child=serializers.ListField(child=serializers.CharField()))
    phases_derived = serializers.BooleanField()
    clusters = serializers.ListField(child=serializers.ListField(child=serializers.CharField()))
    cluster_savings = serializers.ListField(child=serializers.FloatField())
    order = serializers.ListField(child=serializers.CharField())
    schedules = serializers.DictField(
        child=serializers.DictField(
            child=serializers.ListField(child=serializers.FloatField(), min_length=2, max_length=2)
        ),
        help_text="Each blueprint's schedule: every task's [start, finish], by key.",
    )


class AnalyseViewSet(viewsets.ViewSet):
    """Analysis of unsaved work: nothing is stored."""

    throttle_classes = [ExpensiveThrottle]

    @extend_schema(
        request=FLOW_DOCUMENT,
        responses={200: AnalysisSerializer},
        description="Analyse a flow document without saving it (the editor's unsaved state): "
        "the same figures as a stored flow's analysis, or a 400 naming what is wrong.",
    )
    def create(self, request: Request) -> Response:
        return Response(analyse(services.flow_read(request.data)))
