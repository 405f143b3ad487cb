"""Settings for the customer service, read once from the environment.

Every default makes a laptop run work (`make run`: SQLite, console email,
local-memory cache). With DEBUG off the service refuses to start without a
real SECRET_KEY and ALLOWED_HOSTS, and turns on the HTTPS protections that
`manage.py check --deploy` asks for.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from customer_service.access import OAUTH_SCOPES

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    value = env_str(name)
    if not value:
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_int(name: str, default: int) -> int:
    value = env_str(name)
    try:
        return int(value) if value else default
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number.") from None


def env_list(name: str, default: str = "") -> list[str]:
    """A list given as words separated by spaces or commas."""
    return env_str(name, default).replace(",", " ").split()


DEBUG = env_bool("DEBUG")

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-for-debug-runs"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1 localhost" if DEBUG else "")
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "oauth2_provider",
    "phonenumber_field",
    "django_countries",
    "customer_service.apps.CustomerServiceConfig",
    "customers",
    "kyc",
]

MIDDLEWARE = [
    "customer_service.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "customer_service.urls"
WSGI_APPLICATION = "customer_service.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# The embedded default is a SQLite file; production sets a PostgreSQL URL.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Throttle counts live here, so every worker process shares one count.
# CACHE_URL takes redis://host:port/db for Django's own Redis backend.
CACHE_URL = env_str("CACHE_URL")
if CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
        }
    }
elif CACHE_URL:
    raise ImproperlyConfigured("CACHE_URL must be a redis:// or rediss:// URL.")
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTHENTICATION_BACKENDS = [
    # Staff sign in to the admin with their username.
    "django.contrib.auth.backends.ModelBackend",
    # Customers sign in to the app with their email (customers.auth).
    "customers.auth.CustomerEmailBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Email: the console by default; a file folder or SMTP from the environment.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
# Emails go out after a KYC decision commits, inside the request: a slow
# mail server must not hold the request for ever.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "no-reply@localhost")

# Links in emails point here, e.g. https://customers.example.com.
PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# Phone numbers must be international (+...) unless a region is given.
PHONENUMBER_DEFAULT_REGION = env_str("PHONENUMBER_DEFAULT_REGION") or None
PHONENUMBER_DB_FORMAT = "E164"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "oauth2_provider.contrib.rest_framework.OAuth2Authentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["customer_service.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_SCHEMA_CLASS": "customer_service.openapi.AutoSchema",
    # OPTIONS answers with the Allow header only: open to all, leaks nothing.
    "DEFAULT_METADATA_CLASS": "customer_service.metadata.AllowHeaderOnly",
    "EXCEPTION_HANDLER": "customer_service.problems.problem_exception_handler",
    "UNAUTHENTICATED_USER": None,
    # Each scope's rate comes from <SCOPE>_RATE, e.g. SIGNUP_RATE=30/hour.
    "DEFAULT_THROTTLE_RATES": {
        "signup": env_str("SIGNUP_RATE", "30/hour"),
        "exists": env_str("EXISTS_RATE", "600/minute"),
        "activate": env_str("ACTIVATE_RATE", "20/hour"),
        # Requests for a new activation link, per client address.
        "activation_resend": env_str("ACTIVATION_RESEND_RATE", "5/hour"),
        # Failed customer sign-ins, counted per address and per email.
        "signin": env_str("SIGNIN_RATE", "10/hour"),
    },
    # Only X-Forwarded-For entries added by our own proxies are trusted.
    "NUM_PROXIES": env_int("TRUSTED_PROXY_COUNT", 0),
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Customer service API",
    "DESCRIPTION": (
        "Customer profiles and KYC decisions. Every error is an RFC 9457 "
        "problem document (application/problem+json) with a stable `code`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Customers: authorization code with PKCE; services: client credentials.
    "OAUTH2_FLOWS": ["authorizationCode", "clientCredentials"],
    "OAUTH2_AUTHORIZATION_URL": "/oauth/authorize/",
    "OAUTH2_TOKEN_URL": "/oauth/token/",
    "OAUTH2_REFRESH_URL": "/oauth/token/",
    # Profiles and KYC history share the KYC states: one enum in the schema.
    "ENUM_NAME_OVERRIDES": {"KycStatusEnum": "customers.models.KycStatus"},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "customer_service.openapi.problem_media_type",
    ],
}

# HTTPS protections, on whenever DEBUG is off (override behind a TLS proxy).
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY") else None
)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^health"]
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)
X_FRAME_OPTIONS = "DENY"

LOGIN_URL = "/account/login/"

# Where the customer app (a public OAuth client) may receive its codes; a
# custom scheme for the native app, and a page of ours in development.
CUSTOMER_APP_REDIRECT_URIS = env_list(
    "CUSTOMER_APP_REDIRECT_URIS",
    "com.example.customerapp:/oauth/callback"
    + (" http://127.0.0.1:8000/account/callback/" if DEBUG else ""),
)

# django-oauth-toolkit. Expired tokens and codes pile up until someone runs
# `python manage.py cleartokens`: schedule it daily (README).
OAUTH2_PROVIDER = {
    "SCOPES": OAUTH_SCOPES,
    "SCOPES_BACKEND_CLASS": "customer_service.oauth.GrantedScopes",
    "OAUTH2_VALIDATOR_CLASS": "customer_service.oauth.CustomerServiceOAuth2Validator",
    "ACCESS_TOKEN_EXPIRE_SECONDS": 15 * 60,
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    # Unused refresh tokens die this long after their access token expired.
    "REFRESH_TOKEN_EXPIRE_SECONDS": env_int(
        "REFRESH_TOKEN_EXPIRE_SECONDS", 30 * 24 * 60 * 60
    ),
    "ROTATE_REFRESH_TOKEN": True,
    # A replayed refresh token revokes every token of that sign-in.
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "PKCE_REQUIRED": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": sorted(
        {"https"} | {urlsplit(uri).scheme for uri in CUSTOMER_APP_REDIRECT_URIS}
    ),
    # The `iss` of authorization responses (RFC 9207).
    "OIDC_ISS_ENDPOINT": PUBLIC_BASE_URL,
    # RFC 9700: no implicit or password grant, PKCE with S256 only, bearer
    # tokens in the header only, tokens stored as hashes.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_MATCHING": True,
    "COMPLIANT_BCP_RFC9700_PKCE_REQUIRED": True,
}
# Named here because customer_service.ServiceClient points at it and
# migrations resolve the toolkit's swappable model through this setting.
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"

LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "customer_service.logging.RequestIdFilter"},
        "redact": {"()": "customer_service.logging.RedactPersonalDataFilter"},
    },
    "formatters": {
        "line": {
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "line",
            "filters": ["request_id", "redact"],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Django's own handlers would print errors a second time, unredacted
        # (under DEBUG), or mail request dumps once ADMINS is set. Its
        # records go through the root handler only.
        "django": {"handlers": [], "propagate": True},
        # runserver's own access line carries the query string (an email in
        # /customers/exists); our middleware writes a safe line instead.
        "django.server": {"handlers": [], "level": "ERROR", "propagate": False},
        # Its 4xx warnings name the raw path, which can hold a token.
        "django.request": {"level": "ERROR"},
        # At DEBUG these print request bodies and redirect URLs: client
        # secrets, passwords, authorization codes.
        "oauthlib": {"level": "WARNING"},
        "oauth2_provider": {"level": "INFO"},
    },
}
