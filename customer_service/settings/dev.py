"""Settings for working on the service locally; manage.py's default.

DEBUG is on unless the environment turns it off, and everything else is
read as in production. Production processes use
``customer_service.settings.base``: gunicorn through wsgi.py by default, and
manage.py once DJANGO_SETTINGS_MODULE names it.
"""

import os

os.environ.setdefault("DEBUG", "1")

from customer_service.settings.base import *  # noqa: F403
