"""On PostgreSQL, refuse UPDATE and DELETE of KYC history in the database.

The model already refuses them; the trigger also stops raw SQL and any
other client of the database. TRUNCATE is not a row operation, so test
teardown and deliberate maintenance still work. Other databases rely on
the model alone.
"""

from django.db import migrations

CREATE = """
CREATE FUNCTION kyc_event_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'KYC history is append-only (% refused)', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$;
CREATE TRIGGER kyc_event_append_only
    BEFORE UPDATE OR DELETE ON kyc_kycevent
    FOR EACH ROW EXECUTE FUNCTION kyc_event_refuse_change();
"""

DROP = """
DROP TRIGGER IF EXISTS kyc_event_append_only ON kyc_kycevent;
DROP FUNCTION IF EXISTS kyc_event_refuse_change();
"""


def run_on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("kyc", "0001_kyc_subject_and_history")]

    operations = [
        migrations.RunPython(run_on_postgresql(CREATE), run_on_postgresql(DROP)),
    ]
