# Two steps on purpose: adding the column with its (volatile) default would rewrite the whole host
# table; adding it nullable and then setting the default only changes the catalog. Existing hosts
# keep NULL until their next change (the rollout side's periodic full refresh covers them).

from django.db import migrations, models

import telemetry.models


class Migration(migrations.Migration):
    dependencies = [
        ("console", "0003_people_and_access"),
        ("telemetry", "0003_host_hot_updates"),
    ]

    operations = [
        migrations.AddField(
            model_name="host",
            name="changed_xid",
            field=models.BigIntegerField(
                editable=False,
                help_text="Transaction that last changed a rule-relevant attribute (pg_current_xact_id)",
                null=True,
            ),
        ),
        migrations.AlterField(
            model_name="host",
            name="changed_xid",
            field=models.BigIntegerField(
                db_default=telemetry.models.CurrentTransactionId(),
                editable=False,
                help_text="Transaction that last changed a rule-relevant attribute (pg_current_xact_id)",
                null=True,
            ),
        ),
        migrations.AddIndex(
            model_name="host",
            index=models.Index(fields=["tenant", "changed_xid"], name="host_tenant_changed_xid"),
        ),
    ]
