from django.db import migrations
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce


def backfill(apps, schema_editor):
    """The current attempt began at the last reopening, else at sign-up."""
    Customer = apps.get_model("customers", "Customer")
    KycEvent = apps.get_model("kyc", "KycEvent")
    last_reopened = (
        KycEvent.objects.filter(customer=OuterRef("pk"), transition="reopen")
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    Customer.objects.update(
        kyc_pending_since=Coalesce(Subquery(last_reopened), "created_at")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0004_customer_kyc_pending_since"),
        ("kyc", "0004_kyc_queue_name"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
