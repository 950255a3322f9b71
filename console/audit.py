"""Writing and verifying the tamper-evident audit log. Services call ``audit_record``; signals never do."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from console.access import Actor
from console.models import AuditEvent, Tenant

GENESIS_HASH = "0" * 64
# Field names whose values never reach the log, matched exactly (case-insensitive), never as
# substrings: a content category's ``key`` or a ``token_count`` is data, not a secret. A new
# secret-bearing field name is added here when it is introduced.
SECRET_FIELD_NAMES: frozenset[str] = frozenset(
    {
        "password",
        "new_password",
        "old_password",
        "password1",
        "password2",
        "secret",
        "client_secret",
        "signing_secret",
        "webhook_secret",
        "token",
        "new_token",
        "access_token",
        "refresh_token",
        "otp_token",
        "enrolment_token",
        "token_hash",
        "credential",
        "credential_hash",
        "secret_sha256",
        "otp",
        "bin_key",
        "private_key",
        "api_key",
        "secret_key",
        "signature",
    }
)


def _is_secret(name: object) -> bool:
    return str(name).lower() in SECRET_FIELD_NAMES


def redact(value: Any) -> Any:
    """Secrets replaced by ``"***"`` at any depth; everything else kept as JSON-able data."""
    if isinstance(value, dict):
        return {k: ("***" if _is_secret(k) and v not in (None, "") else redact(v)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact(v) for v in value]
    return value


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder)) if value is not None else None


def _row_digest(prev_hash: str, fields: dict[str, Any]) -> str:
    payload = json.dumps(fields, sort_keys=True, separators=(",", ":"), cls=DjangoJSONEncoder)
    return hashlib.sha256((prev_hash + payload).encode("utf-8")).hexdigest()


def _hashed_fields(event: AuditEvent) -> dict[str, Any]:
    return {
        "tenant": str(event.tenant_id) if event.tenant_id else None,
        "seq": event.seq,
        "created_at": event.created_at.isoformat(),
        "actor_kind": event.actor_kind,
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "grant_id": str(event.grant_id) if event.grant_id else None,
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "target_label": event.target_label,
        "before": event.before,
        "after": event.after,
        "request_id": event.request_id,
        "ip": event.ip,
        "user_agent": event.user_agent,
    }


def event_digest(prev_hash: str, event: AuditEvent) -> str:
    """The hash ``event`` must carry when it follows a row hashed ``prev_hash``."""
    return _row_digest(prev_hash, _hashed_fields(event))


def chain_filter(tenant_id: uuid.UUID | None) -> dict[str, Any]:
    """Query arguments selecting one chain (``None``: the vendor's own)."""
    return _chain_filter(tenant_id)


def _chain_filter(tenant_id: uuid.UUID | None) -> dict[str, Any]:
    return {"tenant__isnull": True} if tenant_id is None else {"tenant_id": tenant_id}


def _chain_lock(tenant_id: uuid.UUID | None) -> None:
    """Serialises appends to one tenant's chain until the transaction ends."""
    key = int.from_bytes(hashlib.sha256(str(tenant_id).encode()).digest()[:8], "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def audit_record(
    *,
    tenant: Tenant | None,
    actor: Actor,
    action: str,
    target: Model | None = None,
    target_type: str = "",
    target_id: str = "",
    target_label: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Appends one event to ``tenant``'s chain (``None``: the vendor's own chain)."""
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target_id or str(target.pk)
        target_label = target_label or str(target)[:200]
    with transaction.atomic():
        tenant_id = tenant.pk if tenant is not None else None
        _chain_lock(tenant_id)
        last = (
            AuditEvent.objects.filter(**_chain_filter(tenant_id))
            .order_by("-seq")
            .values_list("seq", "hash")
            .first()
        )
        seq, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
        event = AuditEvent(
            tenant_id=tenant_id,
            seq=seq,
            created_at=timezone.now(),
            actor_kind=actor.kind,
            actor_id=actor.id,
            actor_label=actor.label[:200],
            grant_id=actor.grant_id,
            action=action,
            target_type=target_type,
            target_id=target_id,
            target_label=target_label[:200],
            before=_jsonable(redact(before)),
            after=_jsonable(redact(after)),
            request_id=actor.request_id,
            ip=actor.ip,
            user_agent=actor.user_agent[:300],
            prev_hash=prev_hash,
        )
        event.hash = _row_digest(prev_hash, _hashed_fields(event))
        event.save(force_insert=True)
    return event


@dataclass(frozen=True)
class ChainBreak:
    tenant_id: uuid.UUID | None
    event_id: int
    seq: int
    reason: str


def audit_verify_chain(tenant_id: uuid.UUID | None) -> ChainBreak | None:
    """The first row of the tenant's chain that does not verify, or None when it is intact."""
    prev_hash = GENESIS_HASH
    expected_seq = 1
    events: Iterator[AuditEvent] = (
        AuditEvent.objects.filter(**_chain_filter(tenant_id)).order_by("seq").iterator(chunk_size=2000)
    )
    for event in events:
        if event.seq != expected_seq:
            return ChainBreak(tenant_id, event.id, event.seq, f"sequence gap: expected {expected_seq}")
        if event.prev_hash != prev_hash:
            return ChainBreak(tenant_id, event.id, event.seq, "prev_hash does not match the previous row")
        if _row_digest(prev_hash, _hashed_fields(event)) != event.hash:
            return ChainBreak(tenant_id, event.id, event.seq, "row content does not match its hash")
        prev_hash = event.hash
        expected_seq += 1
    return None
