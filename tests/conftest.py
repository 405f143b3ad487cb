import pytest
from django.core.cache import cache
from django.db import connection
from rest_framework.test import APIClient


def pytest_runtest_setup(item):
    """Tests marked ``postgres`` need real concurrent connections."""
    if item.get_closest_marker("postgres") and connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: set DATABASE_URL")


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle counts live in the cache; no test inherits another's."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()
