"""Shared pieces of the OpenAPI description."""

from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

PROBLEM_SCHEMA = inline_serializer(
    name="Problem",
    fields={
        "type": serializers.CharField(),
        "title": serializers.CharField(),
        "status": serializers.IntegerField(),
        "detail": serializers.CharField(),
        "code": serializers.CharField(help_text="Stable; clients branch on it."),
        "errors": inline_serializer(
            name="FieldProblem",
            many=True,
            required=False,
            fields={
                "field": serializers.CharField(
                    allow_null=True, help_text="camelCase path, e.g. address.city"
                ),
                "code": serializers.CharField(),
                "message": serializers.CharField(),
            },
        ),
    },
)

PROBLEM = OpenApiResponse(PROBLEM_SCHEMA, description="RFC 9457 problem details")
