"""The OpenAPI description's own pieces: the flow document as a component of its own.

The flow document's JSON Schema (`designer.analysis.document`) is the one truth of what
the import, the graph and the analysis accept; here it becomes the `FlowDocument` component
that those operations refer to, so the schema says exactly what the API validates.
"""

from __future__ import annotations

import copy
from typing import Any

from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import inline_serializer
from rest_framework import serializers

from designer.analysis.document import FLOW_DOCUMENT_SCHEMA


class FlowDocumentSerializer(serializers.Serializer):
    """A `vivido.flow/1` document, passed through as it is: the services validate it."""

    def to_representation(self, instance: Any) -> Any:
        return instance

    def to_internal_value(self, data: Any) -> Any:
        return data


class FlowDocumentExtension(OpenApiSerializerExtension):  # type: ignore[no-untyped-call]
    """Describes `FlowDocumentSerializer` with the flow document's JSON Schema."""

    target_class = FlowDocumentSerializer

    def map_serializer(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        # A copy: the schema generator's hooks rewrite what they are given in place.
        schema = copy.deepcopy(FLOW_DOCUMENT_SCHEMA)
        return {k: v for k, v in schema.items() if k not in ("$schema", "$id")}


FLOW_DOCUMENT = FlowDocumentSerializer

# GET /api/schema/flow-document/ answers a JSON Schema: described by its main keywords.
FLOW_DOCUMENT_JSON_SCHEMA = inline_serializer(
    "FlowDocumentJSONSchema",
    fields={
        "$schema": serializers.CharField(),
        "$id": serializers.CharField(),
        "title": serializers.CharField(),
        "description": serializers.CharField(),
        "type": serializers.CharField(),
        "required": serializers.ListField(child=serializers.CharField()),
        "properties": serializers.DictField(),
    },
)
