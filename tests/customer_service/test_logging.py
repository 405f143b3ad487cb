"""Logs carry request ids and public ids, never personal data."""

import logging

import pytest
from django.utils.log import AdminEmailHandler

from customer_service.logging import RedactPersonalDataFilter, redact
from tests.customers.test_signup import URL, signup_body


@pytest.mark.django_db
def test_sign_up_logs_one_access_line_without_personal_data(api_client, caplog):
    body = signup_body(email="Grace.Hopper@example.com", firstName="Grace")

    with caplog.at_level(logging.INFO):
        response = api_client.post(URL, body, HTTP_X_REQUEST_ID="req-12345678")

    access = [r for r in caplog.records if r.name == "customer_service.access"]
    assert [r.getMessage().split()[:3] for r in access] == [
        ["POST", "/api/v1/customers", "201"]
    ]
    assert response["X-Request-ID"] == "req-12345678"
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for secret in ("Grace", "Hopper", "example.com", "2071838750", "St James"):
        assert secret not in logged


@pytest.mark.django_db
def test_access_line_names_the_route_not_the_query_string(client, caplog):
    with caplog.at_level(logging.INFO):
        client.get("/api/v1/no-such-thing?email=someone@example.com")

    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "someone" not in logged
    assert "GET <unmatched> 404" in logged


def test_an_unsafe_request_id_is_replaced(client):
    response = client.get("/health", HTTP_X_REQUEST_ID="bad id\nwith newline")

    assert response["X-Request-ID"] != "bad id\nwith newline"
    assert len(response["X-Request-ID"]) == 32


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("lookup for ada@example.com failed", "lookup for [email] failed"),
        ("called +44 20 7183 8750 today", "called [phone] today"),
        (
            "GET /account/activate/MTI/abc-123/ 200",
            "GET /account/activate/[redacted]/ 200",
        ),
        (
            "customer 12345678-1234-4234-9234-123456789012 signed up",
            "customer 12345678-1234-4234-9234-123456789012 signed up",
        ),
    ],
)
def test_redaction_masks_personal_data(text, expected):
    assert redact(text) == expected


def test_redaction_filter_rewrites_the_record():
    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "user %s", ("ada@example.com",), None
    )

    RedactPersonalDataFilter().filter(record)

    assert record.getMessage() == "user [email]"


def test_django_records_go_only_through_the_redacting_root_handler():
    chain = [logging.getLogger("django.request"), logging.getLogger("django")]

    assert [logger.handlers for logger in chain] == [[], []]
    assert all(logger.propagate for logger in chain)
    assert any(
        isinstance(log_filter, RedactPersonalDataFilter)
        for handler in logging.getLogger().handlers
        for log_filter in handler.filters
    )


def test_no_logger_mails_request_dumps_to_admins():
    loggers = [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]

    assert not [
        handler
        for logger in loggers
        for handler in getattr(logger, "handlers", [])
        if isinstance(handler, AdminEmailHandler)
    ]
