"""Shared pieces of the OpenAPI description.

What the exception handler does for every view is documented here once:
errors are ``application/problem+json``, a 401 carries
``WWW-Authenticate`` and a 429 ``Retry-After``. Views declare their own
response headers (``ETag``, ``Location``) with the parameters below.
"""

from drf_spectacular import openapi
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, inline_serializer
from rest_framework import serializers

from customer_service.problems import PROBLEM_CONTENT_TYPE

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


def etag_header(*statuses: int) -> OpenApiParameter:
    """The profile's version, on the responses with these statuses."""
    return OpenApiParameter(
        "ETag",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        response=list(statuses),
        required=True,
        description='The profile\'s version as a strong ETag, such as "3". '
        "Send it back in If-Match to change the profile.",
    )


LOCATION_HEADER = OpenApiParameter(
    "Location",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[201],
    required=True,
    description="The path of the new profile.",
)
RETRY_AFTER_HEADER = OpenApiParameter(
    "Retry-After",
    OpenApiTypes.INT,
    OpenApiParameter.HEADER,
    response=[429],
    required=True,
    description="Seconds to wait before trying again.",
)
WWW_AUTHENTICATE_HEADER = OpenApiParameter(
    "WWW-Authenticate",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[401],
    description="How to authenticate: a bearer token.",
)


class AutoSchema(openapi.AutoSchema):
    """Adds the headers every 401 and 429 carries, whatever the view."""

    def get_override_parameters(self):
        return [
            *super().get_override_parameters(),
            WWW_AUTHENTICATE_HEADER,
            RETRY_AFTER_HEADER,
        ]


def problem_media_type(result, generator, request, public):
    """Postprocessing hook: error responses are problem documents."""
    for path in result.get("paths", {}).values():
        for operation in path.values():
            for status, response in operation.get("responses", {}).items():
                content = response.get("content", {})
                if status.startswith(("4", "5")) and "application/json" in content:
                    content[PROBLEM_CONTENT_TYPE] = content.pop("application/json")
    return result
