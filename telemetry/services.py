"""Writes of the telemetry app: enrolment tokens, host enrolment and retirement.

Heartbeats do not go through here (they are staged in Redis and flushed in bulk, see
``telemetry.ingest``); every mutation made by a person or a credential is audited here.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from console.access import Actor
from console.audit import audit_record
from console.errors import Conflict, Forbidden, InvalidInput
from console.models import ActorKind, Tenant
from console.tokens import token_matches
from telemetry.counts import counts_invalidate
from telemetry.credentials import (
    ENROLMENT_PREFIX,
    HOST_PREFIX,
    credential_generate,
    credential_lookup,
)
from telemetry.models import CurrentTransactionId, EnrolmentToken, Host, HostStatus, Platform

MAX_TAGS = 32


def _token_view(token: EnrolmentToken) -> dict[str, Any]:
    return {"name": token.name, "prefix": token.prefix, "expires_at": token.expires_at}


@transaction.atomic
def enrolment_token_create(
    *, tenant: Tenant, actor: Actor, name: str, expires_at: datetime | None = None
) -> tuple[EnrolmentToken, str]:
    """A new enrolment token for ``tenant``; returns it with the secret, which is never shown again."""
    name = name.strip()
    if not name or len(name) > 100:
        raise InvalidInput("The enrolment token needs a name.", errors={"name": ["1 to 100 characters."]})
    if expires_at is not None and expires_at <= timezone.now():
        raise InvalidInput("Expiry is in the past.", errors={"expires_at": ["Must be in the future."]})
    secret, lookup, digest = credential_generate(ENROLMENT_PREFIX)
    token = EnrolmentToken.objects.create(
        tenant=tenant,
        name=name,
        prefix=lookup,
        token_hash=digest,
        expires_at=expires_at,
        created_by=actor.user,
    )
    audit_record(
        tenant=tenant, actor=actor, action="enrolment_token.create", target=token, after=_token_view(token)
    )
    return token, secret


@transaction.atomic
def enrolment_token_revoke(*, tenant: Tenant, actor: Actor, token: EnrolmentToken) -> EnrolmentToken:
    """Revokes ``token``: no host can enrol with it any more (enrolled hosts keep their credentials)."""
    token = EnrolmentToken.objects.select_for_update().get(pk=token.pk, tenant=tenant)
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(
        tenant=tenant,
        actor=actor,
        action="enrolment_token.revoke",
        target=token,
        before={"revoked_at": None},
        after={"revoked_at": token.revoked_at},
    )
    return token


@dataclass(frozen=True)
class HostAttributes:
    hostname: str
    platform: str
    os_version: str = ""
    tags: tuple[str, ...] = ()
    site: str = ""
    sensor_build: str = ""
    content_versions: dict[str, str] | None = None


def host_attributes_validate(data: Any) -> HostAttributes:
    """Strict validation of what a sensor says about itself at enrolment; raises InvalidInput."""
    if not isinstance(data, dict):
        raise InvalidInput("The body must be a JSON object.")
    errors: dict[str, list[str]] = {}
    hostname = data.get("hostname")
    if not isinstance(hostname, str) or not 1 <= len(hostname.strip()) <= 255:
        errors["hostname"] = ["A hostname of 1 to 255 characters is required."]
    platform = data.get("platform")
    if platform not in Platform.values:
        errors["platform"] = [f"One of {', '.join(Platform.values)}."]
    texts: dict[str, str] = {}
    for field, limit in (("os_version", 64), ("site", 64), ("sensor_build", 32)):
        value = data.get(field, "")
        if not isinstance(value, str) or len(value) > limit:
            errors[field] = [f"A string of at most {limit} characters."]
        else:
            texts[field] = value
    tags = data.get("tags", [])
    if (
        not isinstance(tags, list)
        or len(tags) > MAX_TAGS
        or not all(isinstance(t, str) and 0 < len(t) <= 64 for t in tags)
    ):
        errors["tags"] = [f"A list of at most {MAX_TAGS} strings of 1 to 64 characters."]
    content = data.get("content_versions", {})
    if not isinstance(content, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and 0 < len(k) <= 64 and 0 < len(v) <= 32
        for k, v in content.items()
    ):
        errors["content_versions"] = ["An object of category -> version strings."]
    if errors:
        raise InvalidInput("The host's attributes are invalid.", errors=errors)
    return HostAttributes(
        hostname=str(hostname).strip(),
        platform=str(platform),
        os_version=texts["os_version"],
        tags=tuple(tags),
        site=texts["site"],
        sensor_build=texts["sensor_build"],
        content_versions=dict(content),
    )


def _enrolment_token_for(secret: str) -> EnrolmentToken:
    lookup = credential_lookup(secret, ENROLMENT_PREFIX)
    token = (
        EnrolmentToken.objects.select_related("tenant").filter(prefix=lookup).first()
        if lookup is not None
        else None
    )
    if token is None or not token_matches(secret, token.token_hash) or not token.is_active():
        # One answer for unknown, revoked and expired tokens.
        raise Forbidden("This enrolment token is not valid.")
    return token


def host_enrol(
    *,
    enrolment_secret: str,
    attributes: HostAttributes,
    agent_id: uuid.UUID | None = None,
    ip: str | None = None,
) -> tuple[Host, str]:
    """Enrols a sensor into the tenant owning the enrolment token; returns the host and its new credential.

    Enrolling again with the same ``agent_id`` in the same tenant rotates the credential (a
    re-imaged machine); an agent id enrolled in another tenant is refused.
    """
    token = _enrolment_token_for(enrolment_secret)
    tenant = token.tenant
    secret, lookup, digest = credential_generate(HOST_PREFIX)
    now = timezone.now()
    with transaction.atomic():
        host = Host.objects.select_for_update().filter(pk=agent_id).first() if agent_id else None
        if host is not None and host.tenant_id != tenant.pk:
            raise Conflict("This agent id is already enrolled.")
        action = "host.reenrol" if host is not None else "host.enrol"
        if host is None:
            # Not online until its first heartbeat says so.
            host = Host(tenant=tenant, enrolled_at=now, status=HostStatus.OFFLINE)
            if agent_id is not None:
                host.id = agent_id
        host.hostname = attributes.hostname
        host.platform = attributes.platform
        host.os_version = attributes.os_version
        host.tags = list(attributes.tags)
        host.site = attributes.site
        if attributes.sensor_build:
            host.sensor_build = attributes.sensor_build
        if attributes.content_versions:
            host.content_versions = attributes.content_versions
        host.credential_prefix = lookup
        host.credential_hash = digest
        host.enrolment_token = token
        host.changed_xid = CurrentTransactionId()  # new attributes: re-derive
        host.save()
        host.refresh_from_db(fields=["changed_xid"])
        EnrolmentToken.objects.filter(pk=token.pk).update(
            last_used_at=now, hosts_enrolled=F("hosts_enrolled") + 1
        )
        # a new host, or new attributes outside the heartbeat flush: the fleet counters count again
        transaction.on_commit(partial(counts_invalidate, tenant.pk))
        actor = Actor(kind=ActorKind.SYSTEM, id=str(token.pk), label=f"enrolment token {token.name}", ip=ip)
        audit_record(
            tenant=tenant,
            actor=actor,
            action=action,
            target=host,
            after={"hostname": host.hostname, "platform": host.platform, "site": host.site},
        )
    return host, secret


@transaction.atomic
def host_delete(*, tenant: Tenant, actor: Actor, host: Host) -> None:
    """Retires a host: its inventory row, crash reports and credential are gone."""
    before = {"hostname": host.hostname, "platform": host.platform, "sensor_build": host.sensor_build}
    audit_record(tenant=tenant, actor=actor, action="host.delete", target=host, before=before)
    Host.objects.filter(pk=host.pk, tenant=tenant).delete()
    transaction.on_commit(partial(counts_invalidate, tenant.pk))  # the fleet counters count it no more


def hosts_mark_update_offered(*, tenant_id: uuid.UUID, host_ids: list[uuid.UUID], at: datetime) -> int:
    """Records that the distribution side offered these hosts a new version at ``at``.

    Called by the rollout side when it publishes new desired state, so a host that stops
    reporting after an update is derived ``silent`` (not merely ``offline``). Not audited: it is
    a fact about delivery, the change that caused it is audited where it was made.
    """
    return Host.objects.filter(tenant_id=tenant_id, id__in=host_ids).update(update_offered_at=at)
