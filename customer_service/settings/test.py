"""Settings for the test suite: fast hashing, email kept in memory.

The database is SQLite unless DATABASE_URL names another one.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key")
os.environ.setdefault("ALLOWED_HOSTS", "testserver localhost 127.0.0.1")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")

from customer_service.settings.base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# Static files come from the apps, not from a collectstatic folder.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
