"""RFC 9457 problem details for every error the API returns.

Each problem carries ``type``, ``title``, ``status``, ``detail`` and a stable
``code``; validation problems add ``errors``: a list of
``{field, code, message}`` with camelCase field paths such as
``address.postalCode``.
"""

from http import HTTPStatus

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.defaults import page_not_found, server_error
from rest_framework import exceptions
from rest_framework.response import Response

from customer_service.errors import FieldError, ServiceError

PROBLEM_CONTENT_TYPE = "application/problem+json"

# DRF's own exceptions, renamed to the codes our clients branch on.
DRF_CODES = {
    "invalid": "validation_error",
    "not_authenticated": "not_authenticated",
    "authentication_failed": "not_authenticated",
    "permission_denied": "permission_denied",
    "not_found": "not_found",
    "method_not_allowed": "method_not_allowed",
    "not_acceptable": "not_acceptable",
    "unsupported_media_type": "unsupported_media_type",
    "throttled": "throttled",
    "parse_error": "malformed_request",
}


def problem_type(code: str) -> str:
    return f"urn:customer-service:problem:{code}"


def problem_body(
    *,
    status: int,
    code: str,
    detail: str,
    errors: list[FieldError] | None = None,
) -> dict:
    body = {
        "type": problem_type(code),
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "code": code,
    }
    if errors:
        body["errors"] = [
            {"field": e.field, "code": e.code, "message": e.message} for e in errors
        ]
    return body


def flatten_validation_errors(detail, path: str = "") -> list[FieldError]:
    """Turn DRF's nested error structure into a flat list of field errors."""
    if isinstance(detail, dict):
        found = []
        for key, value in detail.items():
            if key == "non_field_errors":
                found += flatten_validation_errors(value, path)
            else:
                found += flatten_validation_errors(
                    value, f"{path}.{key}" if path else str(key)
                )
        return found
    if isinstance(detail, list):
        found = []
        for index, value in enumerate(detail):
            if isinstance(value, dict | list):
                found += flatten_validation_errors(value, f"{path}[{index}]")
            else:
                found += flatten_validation_errors(value, path)
        return found
    code = getattr(detail, "code", None) or "invalid"
    return [FieldError(field=path or None, code=str(code), message=str(detail))]


def problem_response(
    *,
    status: int,
    code: str,
    detail: str,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    return Response(
        problem_body(status=status, code=code, detail=detail, errors=errors),
        status=status,
        headers=headers,
        content_type=PROBLEM_CONTENT_TYPE,
    )


def problem_exception_handler(exc, context):
    """DRF exception handler: every error becomes a problem document."""
    if isinstance(exc, ServiceError):
        return problem_response(
            status=exc.status,
            code=str(exc.code),
            detail=exc.detail,
            errors=exc.errors,
            headers=exc.headers,
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None

    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))

    if isinstance(exc, exceptions.ValidationError):
        return problem_response(
            status=exc.status_code,
            code="validation_error",
            detail="The request has invalid fields.",
            errors=flatten_validation_errors(exc.detail),
            headers=headers,
        )
    code = exc.get_codes() if isinstance(exc.detail, str) else exc.default_code
    return problem_response(
        status=exc.status_code,
        code=DRF_CODES.get(str(code), str(code)),
        detail=str(exc.detail),
        headers=headers,
    )


def json_problem(request, *, status: int, code: str, detail: str) -> JsonResponse:
    return JsonResponse(
        problem_body(status=status, code=code, detail=detail),
        status=status,
        content_type=PROBLEM_CONTENT_TYPE,
    )


@csrf_exempt
def api_not_found(request, *args, **kwargs):
    """Any method on an API path that matches nothing: a problem document.

    Exempt from CSRF checks because it changes nothing; otherwise a POST
    to a wrong path would get a CSRF page instead of a 404.
    """
    return json_problem(request, status=404, code="not_found", detail="Not found.")


def api_aware_404(request, exception=None):
    """Outside DRF views, API paths still answer with a problem document."""
    if request.path.startswith("/api/"):
        return json_problem(request, status=404, code="not_found", detail="Not found.")
    return page_not_found(request, exception)


def api_aware_500(request):
    if request.path.startswith("/api/"):
        return json_problem(
            request,
            status=500,
            code="server_error",
            detail="Something went wrong on our side; it has been logged.",
        )
    return server_error(request)
