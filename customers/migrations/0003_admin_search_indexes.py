"""Indexes for the admin's customer search and KYC queue, on PostgreSQL.

Django's case-insensitive lookups compare UPPER(column::text), so only an
index on UPPER(column) serves them: trigram (pg_trgm) GIN indexes on the
upper-cased names serve ``icontains``; email ``iexact`` already has the
UPPER(email) unique index and external_id its unique index. Phone is
searched exactly on its stored E.164 form. The KYC status index serves the
status filter newest first, its capped count, and the KYC queue; the
partial one the few inactive profiles, without reading the active ones.

The indexes are built CONCURRENTLY, so a deploy does not block sign-ups
while a table of a million rows is indexed; that needs a migration outside
a transaction. They stay out of the model state because GIN and operator
classes exist only on PostgreSQL, the production database; the SQLite
development database is small and needs none of them. If a concurrent build
is interrupted, drop the INVALID index it leaves before migrating again
(IF NOT EXISTS would keep it).
"""

from django.db import migrations

TABLE = "customers_customer"
INDEXES = {
    "customer_first_name_trgm": "USING gin (UPPER(first_name) gin_trgm_ops)",
    "customer_last_name_trgm": "USING gin (UPPER(last_name) gin_trgm_ops)",
    "customer_phone": "(phone)",
    "customer_kyc_status_newest": "(kyc_status, created_at DESC, id DESC)",
    "customer_inactive_newest": "(created_at DESC, id DESC) WHERE NOT is_active",
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    # One statement each: CONCURRENTLY refuses to share a transaction.
    for name, definition in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {TABLE} {definition}"
        )


def drop_indexes(apps, schema_editor):
    # pg_trgm stays: unused it costs nothing, and dropping it would fail, or
    # take other objects with it, once anything else relies on it.
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("customers", "0002_customer_change_log"),
    ]

    operations = [
        migrations.RunPython(create_indexes, drop_indexes),
    ]
