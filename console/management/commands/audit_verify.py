"""``manage.py audit_verify``: checks every tenant's audit hash chain; names the first broken row."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from console.audit import audit_verify_chain
from console.models import AuditEvent, Tenant


class Command(BaseCommand):
    help = "Verify the tamper-evident audit chains (all tenants and the vendor's own chain)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", help="Only this tenant (slug)")
        parser.add_argument("--json", action="store_true", help="Print one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        if options.get("tenant"):
            tenant = Tenant.objects.filter(slug=options["tenant"]).first()
            if tenant is None:
                raise CommandError(f"No tenant {options['tenant']!r}")
            chains: list[tuple[str, Any]] = [(tenant.slug, tenant.pk)]
        else:
            chains = [(t.slug, t.pk) for t in Tenant.objects.order_by("slug")]
            if AuditEvent.objects.filter(tenant__isnull=True).exists():
                chains.append(("(vendor)", None))
        broken = []
        for slug, tenant_id in chains:
            found = audit_verify_chain(tenant_id)
            if found is None:
                if not options["json"]:
                    self.stdout.write(f"ok      {slug}")
                continue
            broken.append(
                {"tenant": slug, "event_id": found.event_id, "seq": found.seq, "reason": found.reason}
            )
            if not options["json"]:
                self.stdout.write(
                    f"BROKEN  {slug}: first broken row id={found.event_id} seq={found.seq}: {found.reason}"
                )
        if options["json"]:
            self.stdout.write(json.dumps({"chains": len(chains), "broken": broken}))
        if broken:
            raise CommandError(f"{len(broken)} audit chain(s) broken")
