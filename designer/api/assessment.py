"""/api/flows/{id}/assessment/: the wizard's answers, progress and outcome, and its report."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.utils.text import slugify
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from designer import selectors
from designer.analysis.assessment import STEPS
from designer.analysis.report import report_blocks, report_markdown
from designer.api.support import one_of
from designer.assessments.selectors import assessment_state
from designer.assessments.services import assessment_step_save

STEP_STATES = ["done", "attention", "current", "skipped", "todo"]


class StepSerializer(serializers.Serializer):
    step = serializers.IntegerField(min_value=1, max_value=6)
    answers = serializers.DictField(required=False, default=dict)
    confirm = serializers.BooleanField(required=False, default=True)


class StepStateSerializer(serializers.Serializer):
    number = serializers.IntegerField(min_value=1, max_value=len(STEPS))
    name = serializers.CharField()
    state = one_of(STEP_STATES)


class OutcomeSerializer(serializers.Serializer):
    """What the wizard computes from the flow and the answers."""

    strengths = serializers.DictField(
        child=serializers.IntegerField(), help_text="Dependencies by strength: hard, soft, none."
    )
    contention = serializers.ListField(
        child=serializers.DictField(), help_text="Windows where tasks want more of a pool."
    )
    clusters = serializers.ListField(
        child=serializers.DictField(), help_text="Groups of tasks that can run side by side."
    )
    readiness = serializers.DictField(help_text="The readiness score and its parts.")
    figures = serializers.DictField(
        help_text="Each blueprint measured on the schedule the pools allow."
    )
    audit = serializers.DictField(help_text="What each dependency costs, in time.")
    cost_enabled = serializers.BooleanField()
    recommendation = serializers.DictField(
        allow_null=True, help_text="The blueprint recommended and why; null without tasks."
    )


class AssessmentSerializer(serializers.Serializer):
    """The assessment as the wizard reads it."""

    answers = serializers.DictField(help_text="The readiness answers and the decision sheet.")
    steps = StepStateSerializer(many=True)
    current_step = serializers.IntegerField(allow_null=True)
    outcome = OutcomeSerializer()
    flow_version = serializers.IntegerField()

    def to_representation(self, instance: Any) -> Any:
        return instance  # `assessment_state` built it; the fields document it


class AssessmentViewSet(viewsets.ViewSet):
    """The assessment of one of the user's flows (one a flow); another's answers 404."""

    @extend_schema(responses={200: AssessmentSerializer})
    def retrieve(self, request: Request, flow_pk: str) -> Response:
        flow = selectors.flow_of(request.user, int(flow_pk))
        return Response(AssessmentSerializer(assessment_state(flow)).data)

    @extend_schema(
        request=StepSerializer,
        responses={200: AssessmentSerializer},
        description="Save a step's answers (readiness, decision sheet) and mark it done.",
    )
    def partial_update(self, request: Request, flow_pk: str) -> Response:
        flow = selectors.flow_of(request.user, int(flow_pk))
        given = StepSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        spec = selectors.flow_spec(flow)
        assessment_step_save(flow=flow, flow_spec=spec, **given.validated_data)
        return Response(AssessmentSerializer(assessment_state(flow, spec)).data)

    @extend_schema(responses={(200, "text/markdown"): OpenApiTypes.STR})
    @action(detail=False, methods=["get"], url_path=r"report\.md", url_name="report")
    def report(self, request: Request, flow_pk: str) -> HttpResponse:
        """The assessment as a Markdown file."""
        flow = selectors.flow_of(request.user, int(flow_pk))
        spec = selectors.flow_spec(flow)
        state = assessment_state(flow, spec)
        text = report_markdown(
            report_blocks(spec, state["answers"], state["outcome"], state["steps"])
        )
        response = HttpResponse(text, content_type="text/markdown; charset=utf-8")
        name = slugify(flow.name) or "flow"
        response["Content-Disposition"] = f'attachment; filename="{name}-assessment.md"'
        return response
