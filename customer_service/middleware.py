"""One access-log line per request, carrying a request id.

The line names the matched route pattern (``api/v1/customers/<str:id>``),
never the raw path or query string: those can hold an email address or a
token.
"""

import logging
import re
import time
import uuid

from customer_service.logging import request_id_var

logger = logging.getLogger("customer_service.access")

SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        offered = request.headers.get("X-Request-ID", "")
        request_id = offered if SAFE_REQUEST_ID.match(offered) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            logger.info(
                "%s %s %s %.1fms",
                request.method,
                route_of(request),
                response.status_code,
                (time.perf_counter() - started) * 1000,
            )
            return response
        finally:
            request_id_var.reset(token)


def route_of(request) -> str:
    match = getattr(request, "resolver_match", None)
    # The API's catch-all matches what no route does.
    if match is None or not match.route or match.url_name == "api-not-found":
        return "<unmatched>"
    return "/" + match.route
