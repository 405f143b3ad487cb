"""The staff roles of the back office, as groups.

Operations read profiles with personal data, edit, deactivate and
reactivate them, and decide KYC. Support read and search profiles without
personal data and decide nothing. Superusers are for administrators only.

Django creates permissions after all migrations (post_migrate), so on a
fresh database they do not exist yet here; they are created first.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = {
    "Operations": [
        "customers.view_customer",
        "customers.view_customer_pii",
        "customers.change_customer",
        "customers.view_customerchange",
        "kyc.decide_kyc",
        "kyc.view_kycevent",
    ],
    "Support": [
        "customers.view_customer",
    ],
}


def permissions_create(apps, using):
    for label in ("customers", "kyc"):
        app_config = apps.get_app_config(label)
        # create_permissions skips app configs without a models module,
        # which is how the historical apps of a migration look.
        app_config.models_module = True
        create_permissions(app_config, apps=apps, using=using, verbosity=0)
        app_config.models_module = None


def roles_create(apps, schema_editor):
    permissions_create(apps, schema_editor.connection.alias)
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for name, dotted in ROLES.items():
        group, _ = group_model.objects.get_or_create(name=name)
        group.permissions.set(
            permission_model.objects.get(
                content_type__app_label=perm.split(".")[0],
                codename=perm.split(".")[1],
            )
            for perm in dotted
        )


def roles_delete(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("customers", "0002_customer_change_log"),
        ("kyc", "0002_kyc_event_append_only_trigger"),
    ]

    operations = [
        migrations.RunPython(roles_create, roles_delete),
    ]
