"""The first-party customer app: a public client that skips the consent page.

Its redirect URIs come from CUSTOMER_APP_REDIRECT_URIS; after every migrate
customer_service.oauth.customer_app_sync brings them up to date.
"""

from django.conf import settings
from django.db import migrations

CLIENT_ID = "customer-app"


def create_customer_app(apps, schema_editor):
    Application = apps.get_model("oauth2_provider", "Application")
    db = schema_editor.connection.alias
    # The secret gets the toolkit's random default, stored hashed: a public
    # client authenticates with PKCE, never with a secret anyone knows.
    Application.objects.using(db).get_or_create(
        client_id=CLIENT_ID,
        defaults={
            "name": "Customer app",
            "client_type": "public",
            "authorization_grant_type": "authorization-code",
            "skip_authorization": True,
            "redirect_uris": " ".join(settings.CUSTOMER_APP_REDIRECT_URIS),
        },
    )


def delete_customer_app(apps, schema_editor):
    Application = apps.get_model("oauth2_provider", "Application")
    db = schema_editor.connection.alias
    Application.objects.using(db).filter(client_id=CLIENT_ID).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("customer_service", "0001_service_client"),
        ("oauth2_provider", "0022_refreshtoken_token_family_index"),
    ]

    operations = [
        migrations.RunPython(create_customer_app, delete_customer_app),
    ]
