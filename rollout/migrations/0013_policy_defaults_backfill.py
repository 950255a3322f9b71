"""Default policies for tenants created before defaults were set up at tenant creation.

Until now pages and API reads created a tenant's default policies on first use; reads no longer
write, and new tenants get them in ``console.tenancy.tenant_ensure``. This gives every existing
tenant the same rows the service would (a migration cannot call the service, so no audit rows are
written here: the rows are the tenant's starting state, as at creation).
"""

from django.db import migrations

PLATFORMS = {"windows": "Windows", "macos": "macOS", "linux": "Linux"}
DEFAULT_PRECEDENCE = 1_000_000


def backfill(apps, schema_editor):
    Tenant = apps.get_model("console", "Tenant")
    ContentCategory = apps.get_model("rollout", "ContentCategory")
    SensorUpdatePolicy = apps.get_model("rollout", "SensorUpdatePolicy")
    ContentUpdatePolicy = apps.get_model("rollout", "ContentUpdatePolicy")
    categories = list(ContentCategory.objects.all())
    for tenant in Tenant.objects.all():
        for platform, label in PLATFORMS.items():
            SensorUpdatePolicy.objects.get_or_create(
                tenant=tenant,
                platform=platform,
                is_default=True,
                defaults={
                    "name": f"Default {label} sensor policy",
                    "target": "n-1",
                    "precedence": DEFAULT_PRECEDENCE,
                },
            )
        for category in categories:
            ContentUpdatePolicy.objects.get_or_create(
                tenant=tenant,
                category=category,
                is_default=True,
                defaults={
                    "name": f"Default {category.key} policy",
                    "mode": "ga",
                    "precedence": DEFAULT_PRECEDENCE,
                },
            )


class Migration(migrations.Migration):
    dependencies = [("rollout", "0012_hosts_changed_snapshot"), ("console", "0003_people_and_access")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
