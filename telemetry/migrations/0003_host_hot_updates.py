"""Heartbeat flushes update every reporting host: keep those updates HOT (heap-only).

No index on ``last_seen_at`` (it changes on every heartbeat) and room on each page (fillfactor)
so an update that changes no indexed column does not touch any index.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("telemetry", "0002_inventory_enrolment_ingest"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="host", name="host_live_last_seen"),
        migrations.RunSQL(
            "ALTER TABLE telemetry_host SET (fillfactor = 80)",
            reverse_sql="ALTER TABLE telemetry_host RESET (fillfactor)",
        ),
    ]
