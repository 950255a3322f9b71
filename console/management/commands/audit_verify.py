"""``manage.py audit_verify``: checks every tenant's audit hash chain, names the first broken row,
then checks the signed anchors kept outside the database (``console.audit_anchor``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from console.audit import audit_verify_chain
from console.audit_anchor import VENDOR_CHAIN, AnchorKeyMissing, audit_anchors_verify
from console.models import AuditEvent, Tenant


class Command(BaseCommand):
    help = (
        "Verify the tamper-evident audit chains (all tenants and the vendor's own chain) and the "
        "signed anchors of their heads."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", help="Only this tenant (slug)")
        parser.add_argument("--json", action="store_true", help="Print one JSON object")
        parser.add_argument(
            "--anchors", help="Directory of anchor files (default: AUDIT_ANCHOR_DIR)", default=None
        )
        parser.add_argument(
            "--no-anchors", action="store_true", help="Check the hash chains only, not the signed anchors"
        )

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
        anchors = 0 if options["no_anchors"] else self._anchors(options, dict(chains), broken)
        if options["json"]:
            self.stdout.write(json.dumps({"chains": len(chains), "anchors": anchors, "broken": broken}))
        if broken:
            raise CommandError(f"{len(broken)} audit chain(s) or anchor(s) broken")

    def _anchors(self, options: dict[str, Any], chains: dict[str, Any], broken: list[dict[str, Any]]) -> int:
        """Checks the signed anchors of the selected chains; appends what does not hold to ``broken``."""
        slugs = {str(tenant_id) if tenant_id else VENDOR_CHAIN: slug for slug, tenant_id in chains.items()}
        only_tenant = bool(options.get("tenant"))
        try:
            directory = Path(options["anchors"]) if options.get("anchors") else None
            count, problems = audit_anchors_verify(directory)
        except AnchorKeyMissing as exc:
            raise CommandError(f"{exc}: cannot check the signed anchors (use --no-anchors to skip)") from exc
        for problem in problems:
            if only_tenant and problem.chain not in slugs:
                continue
            label = slugs.get(problem.chain, problem.chain or "(anchors)")
            if problem.chain == VENDOR_CHAIN:
                label = "(vendor)"
            broken.append({"tenant": label, "event_id": None, "seq": problem.seq, "reason": problem.reason})
            if not options["json"]:
                self.stdout.write(f"BROKEN  {label}: {problem.reason}")
        if not options["json"]:
            self.stdout.write(f"anchors {count} checked, {len(problems)} problem(s)")
        return count
