from django.apps import AppConfig


class CustomerServiceConfig(AppConfig):
    """Wires the apps together: access control, errors, health, logging."""

    name = "customer_service"
    verbose_name = "Service access"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from customer_service.oauth import customer_app_sync_after_migrate

        # Keeps the customer app's redirect URIs in step with the settings.
        post_migrate.connect(customer_app_sync_after_migrate, sender=self)
