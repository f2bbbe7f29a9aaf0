"""/api/flows/{id}/assessment/: the wizard's answers, progress and outcome."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.text import slugify
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from designer import selectors
from designer.analysis.report import report_blocks, report_markdown
from designer.assessments import assessment_of, assessment_state, assessment_step_save


class StepSerializer(serializers.Serializer):
    step = serializers.IntegerField(min_value=1, max_value=6)
    answers = serializers.DictField(required=False, default=dict)
    confirm = serializers.BooleanField(required=False, default=True)


@extend_schema(
    methods=["PATCH"],
    request=StepSerializer,
    responses={200: OpenApiTypes.OBJECT},
    description="Save a step's answers (readiness, decision sheet) and mark it done.",
)
@extend_schema(methods=["GET"], responses={200: OpenApiTypes.OBJECT})
@api_view(["GET", "PATCH"])
def assessment(request: Request, flow_id: int) -> Response:
    flow = selectors.flow_of(request.user, flow_id)
    if request.method == "PATCH":
        given = StepSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        assessment_step_save(flow=flow, **given.validated_data)
        flow.refresh_from_db()
    return Response(assessment_state(flow))


@extend_schema(responses={(200, "text/markdown"): OpenApiTypes.STR})
@api_view(["GET"])
def assessment_report(request: Request, flow_id: int) -> HttpResponse:
    """The assessment as a Markdown file."""
    flow = selectors.flow_of(request.user, flow_id)
    state = assessment_state(flow)
    text = report_markdown(
        report_blocks(
            selectors.flow_spec(flow), assessment_of(flow).answers, state["outcome"], state["steps"]
        )
    )
    response = HttpResponse(text, content_type="text/markdown; charset=utf-8")
    name = slugify(flow.name) or "flow"
    response["Content-Disposition"] = f'attachment; filename="{name}-assessment.md"'
    return response
