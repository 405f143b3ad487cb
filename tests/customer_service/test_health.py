from unittest import mock

import pytest
from django.db import DatabaseError


def test_liveness_needs_no_database(client):
    response = client.get("/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_ready_when_the_database_answers(client):
    assert client.get("/health/ready").status_code == 200


@pytest.mark.django_db
def test_not_ready_when_the_database_is_unreachable(client):
    with mock.patch(
        "customer_service.health.connection.cursor",
        side_effect=DatabaseError("connection refused"),
    ):
        response = client.get("/health/ready")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}
