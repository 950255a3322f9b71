"""Reads of the foundation, tenant first: the audit log filter and its streamed export."""

from __future__ import annotations

import csv
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q, QuerySet
from django.utils.dateparse import parse_datetime

from console.errors import InvalidInput
from console.models import AuditEvent, SupportGrant, SupportRequest, SupportRequestStatus, Tenant

EXPORT_FIELDS = (
    "seq",
    "created_at",
    "actor_kind",
    "actor_id",
    "actor_label",
    "grant_id",
    "action",
    "target_type",
    "target_id",
    "target_label",
    "before",
    "after",
    "request_id",
    "ip",
    "user_agent",
    "prev_hash",
    "hash",
)


@dataclass(frozen=True)
class AuditFilter:
    """What the audit pages and API filter on; every field optional."""

    actor: str = ""
    action: str = ""
    target: str = ""
    grant: uuid.UUID | None = None
    since: datetime | None = None
    until: datetime | None = None

    @classmethod
    def from_params(cls, params: Any, *, zone: tzinfo = UTC) -> AuditFilter:
        """From query parameters; bad values raise InvalidInput naming the parameter. A time
        without an offset is read in ``zone`` (the page passes the zone it shows times in; the
        API keeps UTC)."""
        errors: dict[str, list[str]] = {}
        times: dict[str, datetime | None] = {}
        for name in ("since", "until"):
            raw = (params.get(name) or "").strip()
            times[name] = None
            if raw:
                try:
                    value = parse_datetime(raw)
                except ValueError:
                    value = None
                if value is not None:
                    # In UTC: PostgreSQL refuses offsets Python accepts (beyond +/-15:59).
                    try:
                        value = (value.replace(tzinfo=zone) if value.tzinfo is None else value).astimezone(
                            UTC
                        )
                    except (OverflowError, ValueError):
                        value = None
                if value is None:
                    errors[name] = ["Use an ISO 8601 time, e.g. 2024-07-19T04:09:00Z."]
                else:
                    times[name] = value
        grant: uuid.UUID | None = None
        raw_grant = (params.get("grant") or "").strip()
        if raw_grant:
            try:
                grant = uuid.UUID(raw_grant)
            except ValueError:
                errors["grant"] = ["Not a grant id."]
        if errors:
            raise InvalidInput("Bad audit filter.", errors=errors)
        return cls(
            actor=(params.get("actor") or "").strip()[:200],
            action=(params.get("action") or "").strip()[:80],
            target=(params.get("target") or "").strip()[:200],
            grant=grant,
            since=times["since"],
            until=times["until"],
        )

    def as_query(self) -> dict[str, str]:
        out = {
            "actor": self.actor,
            "action": self.action,
            "target": self.target,
            "grant": str(self.grant) if self.grant else "",
            "since": self.since.isoformat() if self.since else "",
            "until": self.until.isoformat() if self.until else "",
        }
        return {k: v for k, v in out.items() if v}


def audit_event_list(*, tenant: Tenant, filters: AuditFilter | None = None) -> QuerySet[AuditEvent]:
    """The tenant's audit events, newest first, narrowed by ``filters``."""
    qs = AuditEvent.objects.filter(tenant=tenant)
    f = filters or AuditFilter()
    if f.actor:
        qs = qs.filter(Q(actor_label__icontains=f.actor) | Q(actor_id=f.actor))
    if f.action:
        qs = qs.filter(action__startswith=f.action) if f.action.endswith(".") else qs.filter(action=f.action)
    if f.target:
        qs = qs.filter(Q(target_id=f.target) | Q(target_label__icontains=f.target) | Q(target_type=f.target))
    if f.grant:
        qs = qs.filter(grant_id=f.grant)
    if f.since:
        qs = qs.filter(created_at__gte=f.since)
    if f.until:
        qs = qs.filter(created_at__lt=f.until)
    return qs.order_by("-id")


def _row(event: AuditEvent) -> dict[str, Any]:
    return {name: getattr(event, name) for name in EXPORT_FIELDS}


class _Echo:
    def write(self, value: str) -> str:
        return value


def audit_export_csv(queryset: QuerySet[AuditEvent]) -> Iterator[str]:
    """CSV lines, produced as the database cursor advances (a million rows never sit in memory)."""
    writer = csv.writer(_Echo())
    yield writer.writerow(EXPORT_FIELDS)
    for event in queryset.iterator(chunk_size=2000):
        row = _row(event)
        yield writer.writerow(
            [
                json.dumps(row[name], cls=DjangoJSONEncoder) if name in ("before", "after") else row[name]
                for name in EXPORT_FIELDS
            ]
        )


def audit_export_json(queryset: QuerySet[AuditEvent]) -> Iterator[str]:
    """A JSON array, streamed one object at a time."""
    yield "["
    first = True
    for event in queryset.iterator(chunk_size=2000):
        yield ("" if first else ",") + "\n" + json.dumps(_row(event), cls=DjangoJSONEncoder)
        first = False
    yield "\n]\n"


def support_request_pending(*, tenant: Tenant) -> QuerySet[SupportRequest]:
    return SupportRequest.objects.filter(tenant=tenant, status=SupportRequestStatus.PENDING).select_related(
        "staff"
    )


def support_grant_action_counts(*, tenant: Tenant, grants: list[SupportGrant]) -> dict[uuid.UUID, int]:
    """How many audited actions were taken under each grant (the tenant sees every one)."""
    from django.db.models import Count

    rows = (
        AuditEvent.objects.filter(tenant=tenant, grant_id__in=[g.pk for g in grants])
        .values("grant_id")
        .annotate(n=Count("id"))
    )
    return {r["grant_id"]: r["n"] for r in rows if r["grant_id"] is not None}
