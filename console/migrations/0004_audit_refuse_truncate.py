"""The database refuses TRUNCATE on the audit log too (UPDATE and DELETE are refused since 0002).

TRUNCATE fires no row triggers, so it needs a statement trigger of its own. The one exception is
a database whose owner has set ``console.audit_truncate_allowed = on`` on the database itself
(``ALTER DATABASE ... SET``, which needs the database owner's rights, not a session's): the test
suite's throwaway databases, which Django empties with TRUNCATE between tests. A production
database never has it; ``manage.py audit_verify`` checks the signed anchors for whatever an owner
does behind the triggers' back.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION console_audit_refuse_truncate() RETURNS trigger AS $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase
        WHERE d.datname = current_database() AND s.setrole = 0
          AND 'console.audit_truncate_allowed=on' = ANY (s.setconfig)
    ) THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'console_auditevent is append-only: TRUNCATE refused'
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER console_auditevent_no_truncate
    BEFORE TRUNCATE ON console_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION console_audit_refuse_truncate();
"""

REVERSE = """
DROP TRIGGER IF EXISTS console_auditevent_no_truncate ON console_auditevent;
DROP FUNCTION IF EXISTS console_audit_refuse_truncate();
"""


class Migration(migrations.Migration):
    dependencies = [("console", "0003_people_and_access")]
    operations = [migrations.RunSQL(FORWARD, REVERSE)]
