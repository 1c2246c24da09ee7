"""On PostgreSQL, refuse UPDATE and DELETE on the audit table at the database level.

docs/security.md §22: the audit log is append-only. The model layer already refuses
updates and deletes; this trigger also stops raw SQL and other code paths. Other
databases (SQLite in development) rely on the model layer only.
"""

from django.db import migrations

TABLE = "verification_auditentry"

FORWARD = f"""
CREATE OR REPLACE FUNCTION verification_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'verification audit log is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER verification_audit_append_only
    BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION verification_audit_append_only();
"""

REVERSE = f"""
DROP TRIGGER IF EXISTS verification_audit_append_only ON {TABLE};
DROP FUNCTION IF EXISTS verification_audit_append_only();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REVERSE)


class Migration(migrations.Migration):
    dependencies = [("verification", "0001_initial")]

    operations = [migrations.RunPython(forward, reverse)]
