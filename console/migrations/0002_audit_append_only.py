"""The database itself refuses UPDATE and DELETE on the audit log (append-only)."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION console_audit_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'console_auditevent is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER console_auditevent_append_only
    BEFORE UPDATE OR DELETE ON console_auditevent
    FOR EACH ROW EXECUTE FUNCTION console_audit_refuse_change();
"""

REVERSE = """
DROP TRIGGER IF EXISTS console_auditevent_append_only ON console_auditevent;
DROP FUNCTION IF EXISTS console_audit_refuse_change();
"""


class Migration(migrations.Migration):
    dependencies = [("console", "0001_initial")]
    operations = [migrations.RunSQL(FORWARD, REVERSE)]
