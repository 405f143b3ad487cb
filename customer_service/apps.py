from django.apps import AppConfig


class CustomerServiceConfig(AppConfig):
    """Wires the apps together: access control, errors, health, logging."""

    name = "customer_service"
    verbose_name = "Service access"
