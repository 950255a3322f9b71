"""A policy plan's fingerprint: one digest per object of the tenant's exported policy state (and one per
section for its order), so an apply can be bound to the state it was planned against and a stale plan
can name what moved since. The digests of a plan are kept in Redis for ``PLAN_TTL_SECONDS``."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from console.models import Tenant
from console.redis import redis_client

PLAN_TTL_SECONDS = 24 * 3600
SECTIONS = {
    "groups": "group",
    "windows": "window",
    "sensor_policies": "sensor_policy",
    "content_policies": "content_policy",
    "freezes": "freeze",
}


def digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def policy_state_digests(document: dict[str, Any]) -> dict[str, str]:
    """One digest per object of an exported document, keyed ``kind:name`` (a freeze by its reason
    and start), plus one per section for its order (precedence is part of the state)."""
    digests: dict[str, str] = {}
    for section, kind in SECTIONS.items():
        items = document.get(section, [])
        names = []
        for item in items:
            name = str(item.get("name") or f"{item.get('reason')} @ {item.get('starts_at')}")
            names.append(name)
            digests[f"{kind}:{name}"] = digest(item)
        digests[f"order:{section}"] = digest(names)
    return digests


def policy_fingerprint(document: dict[str, Any]) -> str:
    """The fingerprint of a tenant's policy state: stable across exports of the same state."""
    return fingerprint_of(policy_state_digests(document))


def fingerprint_of(digests: dict[str, str]) -> str:
    return digest(digests)[:32]


def plan_key(tenant: Tenant, fingerprint: str) -> str:
    return f"policy-plan:{tenant.pk}:{fingerprint}"


def plan_remember(tenant: Tenant, fingerprint: str, digests: dict[str, str]) -> None:
    redis_client().set(plan_key(tenant, fingerprint), json.dumps(digests), ex=PLAN_TTL_SECONDS)


def state_changes(before: dict[str, str], after: dict[str, str]) -> list[dict[str, str]]:
    """What moved between two digest maps, as ``{change, kind, name}`` rows (order changes included)."""
    out = []
    for key in sorted(set(before) | set(after)):
        if before.get(key) == after.get(key):
            continue
        kind, _, name = key.partition(":")
        if kind == "order":
            if key in before and key in after:
                out.append({"change": "reordered", "kind": SECTIONS.get(name, name), "name": name})
            continue
        change = "created" if key not in before else "deleted" if key not in after else "updated"
        out.append({"change": change, "kind": kind, "name": name})
    return out
