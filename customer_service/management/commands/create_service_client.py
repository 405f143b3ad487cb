"""Register a service that calls the API with client credentials.

    python manage.py create_service_client payments \\
        --scope customers:read --scope customers:exists --json

The secret is printed this once; only its hash is stored.
"""

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from customer_service.access import SERVICE_SCOPES
from customer_service.oauth import service_client_create


class Command(BaseCommand):
    help = (
        "Create an OAuth client for a service and print its id and secret once. "
        f"Scopes: {', '.join(sorted(SERVICE_SCOPES))}."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="Who the service is, e.g. payments.")
        parser.add_argument(
            "--scope",
            action="append",
            dest="scopes",
            required=True,
            metavar="SCOPE",
            help="A scope to grant; repeat for several.",
        )
        parser.add_argument(
            "--json",
            action="store_true",
            dest="as_json",
            help='Print {"clientId": ..., "clientSecret": ...} and nothing else.',
        )

    def handle(self, *args, name, scopes, as_json: bool, **options):
        try:
            issued = service_client_create(name=name, scopes=scopes)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None

        if as_json:
            credentials = {
                "clientId": issued.client_id,
                "clientSecret": issued.client_secret,
            }
            self.stdout.write(json.dumps(credentials))
            return
        self.stdout.write(
            f"Created service client {name!r} with scopes "
            f"{issued.client.scopes}.\n"
            f"Client id:     {issued.client_id}\n"
            f"Client secret: {issued.client_secret}\n"
            "Store the secret now: it is kept only as a hash and cannot be "
            "shown again."
        )
