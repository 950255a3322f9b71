"""Substring search of hostnames: pg_trgm and a GIN index of UPPER(hostname)'s trigrams, the
expression ``hostname__icontains`` compiles to, so "-srv-" or "win" is an index scan.

Only where the server ships pg_trgm (PostgreSQL's contrib; managed services and Debian's packages
do): the embedded server of ``make run`` (pgserver) has no contrib, and there the search still works,
by a scan of the tenant's hosts."""

from django.db import migrations

FORWARD = """
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm') THEN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
    CREATE INDEX IF NOT EXISTS host_hostname_trgm
      ON telemetry_host USING gin ((UPPER("hostname"::text)) gin_trgm_ops);
  END IF;
END
$$;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("console", "0004_audit_refuse_truncate"),
        ("telemetry", "0005_crash_release_index"),
    ]

    operations = [
        migrations.RunSQL(FORWARD, reverse_sql="DROP INDEX IF EXISTS host_hostname_trgm"),
    ]
