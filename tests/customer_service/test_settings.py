"""Production settings refuse unsafe values and pass Django's deploy check."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "customer_service.settings.base",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "customers.example.com",
    "DATABASE_URL": "sqlite:///" + str(ROOT / "var" / "deploy-check.sqlite3"),
}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    # Only what a process needs to run: none of the test settings' values.
    clean = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/")}
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_deploy_check_passes_with_debug_off_and_real_values():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION_ENV)

    assert result.returncode == 0, result.stderr + result.stdout


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_production_refuses_to_start_without(missing):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}

    result = manage("check", **env)

    assert result.returncode != 0
    assert f"{missing} must be set" in result.stderr


def settings_value(expression: str, **env: str) -> str:
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        f"from django.conf import settings; print({expression})",
        **env,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_cache_url_selects_djangos_redis_backend_shared_by_all_workers():
    backend = settings_value(
        "settings.CACHES['default']['BACKEND']",
        **PRODUCTION_ENV,
        CACHE_URL="redis://127.0.0.1:6379/1",
    )

    assert backend == "django.core.cache.backends.redis.RedisCache"


@pytest.mark.parametrize(
    ("scope", "variable"),
    [("signup", "SIGNUP_RATE"), ("activation_resend", "ACTIVATION_RESEND_RATE")],
)
def test_throttle_rates_come_from_the_environment(scope, variable):
    rates = settings_value(
        f"settings.REST_FRAMEWORK['DEFAULT_THROTTLE_RATES']['{scope}']",
        **PRODUCTION_ENV,
        **{variable: "5/minute"},
    )

    assert rates == "5/minute"


def test_an_unknown_cache_url_is_refused():
    result = manage("check", **PRODUCTION_ENV, CACHE_URL="memcached://x")

    assert result.returncode != 0
    assert "CACHE_URL" in result.stderr


def test_manage_py_runs_with_development_defaults_and_no_environment():
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.DEBUG)",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"
