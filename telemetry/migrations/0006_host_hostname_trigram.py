"""Substring search of hostnames: pg_trgm and a GIN index of UPPER(hostname)'s trigrams, the
expression ``hostname__icontains`` compiles to, so "-srv-" or "win" is an index scan."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("console", "0004_audit_refuse_truncate"),
        ("telemetry", "0005_crash_release_index"),
    ]

    operations = [
        TrigramExtension(),
        migrations.RunSQL(
            'CREATE INDEX IF NOT EXISTS host_hostname_trgm ON telemetry_host USING gin ((UPPER("hostname"::text)) gin_trgm_ops)',
            reverse_sql="DROP INDEX IF EXISTS host_hostname_trgm",
        ),
    ]
