"""Policy as code: a tenant's groups, policies (with precedence), windows and freezes as YAML/JSON.

``policy_export`` writes the document; ``policy_plan`` compares a document with the tenant (create /
update / delete per object, plus the blast radius of applying it, measured in a rolled-back
savepoint); ``policy_apply`` applies it atomically. YAML is read with ``yaml.safe_load`` only.
Freezes are only ever added by an import: ending one early needs a second admin's approval.

A plan carries the fingerprint of the state it was made against (``policy_fingerprint``: a SHA-256
over the exported document). An apply that sends it back re-plans inside its transaction and is
refused (409) if the state moved, naming the objects that changed: the digest of each object at
plan time is kept in Redis for ``PLAN_TTL_SECONDS`` under the tenant and fingerprint.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import yaml
from django.utils.dateparse import parse_datetime

from console.access import Actor
from console.audit import audit_record
from console.errors import ApplicationError, Conflict, InvalidInput
from console.models import Tenant
from console.redis import redis_client
from rollout.controls.freezes import freeze_create
from rollout.controls.windows import window_create, window_delete, window_update
from rollout.desired.blast import BlastRadius
from rollout.desired.changes import blast_out, run_measured
from rollout.groups.services import (
    host_group_create,
    host_group_delete,
    host_group_members_change,
    host_group_update,
)
from rollout.models import (
    ContentCategory,
    ContentUpdatePolicy,
    Freeze,
    HostGroup,
    HostGroupMember,
    MaintenanceWindow,
    SensorUpdatePolicy,
)
from rollout.policies.code_schema import policy_document_errors
from rollout.policies.defaults import policy_defaults_ensure
from rollout.policies.events import POLICY_IMPORTED
from rollout.policies.plans import (
    fingerprint_of,
    plan_key,
    plan_remember,
    policy_state_digests,
    state_changes,
)
from rollout.policies.services import (
    content_policy_create,
    content_policy_delete,
    content_policy_reorder,
    content_policy_update,
    sensor_policy_create,
    sensor_policy_delete,
    sensor_policy_reorder,
    sensor_policy_update,
)

FORMAT_VERSION = 1


MAX_DOCUMENT = 2 * 1024 * 1024
PLAN_FINGERPRINT_RE = re.compile(r"^[0-9a-f]{32}$")


def policy_export(tenant: Tenant) -> dict[str, Any]:
    """The tenant's update control as one plain document (stable order, names as references)."""
    groups = list(HostGroup.objects.filter(tenant=tenant).order_by("name"))
    members: dict[Any, list[str]] = {}
    for group_id, host_id in HostGroupMember.objects.filter(tenant=tenant).values_list("group_id", "host_id"):
        members.setdefault(group_id, []).append(str(host_id))
    sensor = SensorUpdatePolicy.objects.filter(tenant=tenant).prefetch_related("groups")
    content = (
        ContentUpdatePolicy.objects.filter(tenant=tenant)
        .select_related("category")
        .prefetch_related("groups", "windows")
    )
    return {
        "version": FORMAT_VERSION,
        "tenant": tenant.slug,
        "groups": [
            {
                "name": g.name,
                "description": g.description,
                "rule": g.rule_text or None,
                "static_members": sorted(members.get(g.pk, [])),
            }
            for g in groups
        ],
        "windows": [
            {
                "name": w.name,
                "weekdays": list(w.weekdays),
                "start": w.start.strftime("%H:%M"),
                "duration_minutes": w.duration_minutes,
                "timezone": w.timezone,
            }
            for w in MaintenanceWindow.objects.filter(tenant=tenant).order_by("name")
        ],
        "sensor_policies": [
            {
                "name": p.name,
                "platform": p.platform,
                "default": p.is_default,
                "target": p.target,
                "update_blocks": p.update_blocks,
                "timezone": p.timezone,
                "uninstall_protection": p.uninstall_protection,
                "groups": sorted(g.name for g in p.groups.all()),
            }
            for p in sorted(sensor, key=lambda p: (p.platform, p.is_default, p.precedence, p.name))
        ],
        "content_policies": [
            {
                "name": p.name,
                "category": p.category.key,
                "default": p.is_default,
                "mode": p.mode,
                "windows": sorted(w.name for w in p.windows.all()),
                "critical_bypass_windows": p.critical_bypass_windows,
                "groups": sorted(g.name for g in p.groups.all()),
            }
            for p in sorted(content, key=lambda p: (p.category.key, p.is_default, p.precedence, p.name))
        ],
        "freezes": [
            {"reason": f.reason, "starts_at": f.starts_at.isoformat(), "ends_at": f.ends_at.isoformat()}
            for f in Freeze.objects.filter(tenant=tenant, lifted_at__isnull=True).order_by("starts_at")
        ],
    }


def policy_dump(document: dict[str, Any], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(document, indent=2, sort_keys=False)
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True)


def policy_load(text: str) -> dict[str, Any]:
    """Parses YAML or JSON (``yaml.safe_load``: no object construction); raises ``InvalidInput``."""
    if len(text) > MAX_DOCUMENT:
        raise InvalidInput("The document is too large.", errors={"document": ["At most 2 MB."]})
    try:
        data = yaml.safe_load(text)
    except RecursionError:
        raise InvalidInput(
            "The document nests too deeply.", errors={"document": ["Nested too deeply to read."]}
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise InvalidInput(
            "The document is not valid YAML or JSON.", errors={"document": [f"{exc}{where}"[:500]]}
        ) from None
    if not isinstance(data, dict):
        raise InvalidInput(
            "The document must be a mapping.", errors={"document": ["Expected a mapping at the top."]}
        )
    if data.get("version") != FORMAT_VERSION:
        raise InvalidInput(
            "Unsupported format.", errors={"version": [f"Expected version: {FORMAT_VERSION}."]}
        )
    data, errors = policy_document_errors(data)
    if errors:
        raise InvalidInput("The document does not match the policy format.", errors=errors)
    for key in ("groups", "windows", "sensor_policies", "content_policies", "freezes"):
        value = data.get(key, [])
        names = [str(item.get("name")) for item in value if "name" in item]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise InvalidInput("Duplicate names.", errors={key: [f"Listed twice: {', '.join(dupes)}."]})
        data[key] = value
    return data


def _stale_plan(tenant: Tenant, fingerprint: str, digests: dict[str, str], plan: Plan) -> Conflict:
    raw = redis_client().get(plan_key(tenant, fingerprint))
    changed = state_changes(json.loads(raw), digests) if raw else []
    if changed:
        listed = "; ".join(f"{c['kind']} {c['name']!r} {c['change']}" for c in changed[:20])
        more = f" (and {len(changed) - 20} more)" if len(changed) > 20 else ""
        message = f"Changed since the plan: {listed}{more}."
    else:
        message = "The state changed since the plan (what changed is no longer known: plan again)."
    return Conflict(
        "The policy state changed since this plan was made: nothing was applied. Review the new plan.",
        errors={"plan_fingerprint": [message]},
        codes={"plan_fingerprint": ["stale_plan"]},
        changed=changed,
        plan={"fingerprint": plan.fingerprint, "actions": plan.actions},
    )


@dataclass
class Plan:
    actions: list[dict[str, str]] = field(default_factory=list)
    blast: BlastRadius | None = None
    fingerprint: str = ""

    def add(self, action: str, kind: str, name: str) -> None:
        self.actions.append({"action": action, "kind": kind, "name": name})

    def as_dict(self) -> dict[str, Any]:

        counts: dict[str, int] = {}
        for a in self.actions:
            counts[a["action"]] = counts.get(a["action"], 0) + 1
        return {
            "fingerprint": self.fingerprint,
            "actions": self.actions,
            "counts": counts,
            "blast_radius": blast_out(self.blast) if self.blast else None,
        }


def _prefixed(exc: ApplicationError, prefix: str) -> InvalidInput:
    errors = {f"{prefix}.{k}" if k != "__all__" else prefix: v for k, v in exc.errors.items()} or {
        prefix: [exc.detail]
    }
    return InvalidInput(exc.detail, errors=errors)


def _same(a: dict[str, Any], b: dict[str, Any], keys: list[str]) -> bool:
    return all(a.get(k) == b.get(k) for k in keys)


def _apply(tenant: Tenant, actor: Actor, doc: dict[str, Any], plan: Plan, current: dict[str, Any]) -> None:
    # windows
    windows = {w.name: w for w in MaintenanceWindow.objects.filter(tenant=tenant)}
    existing_windows = {w["name"]: w for w in current["windows"]}
    for i, item in enumerate(doc["windows"]):
        name = str(item.get("name", ""))
        data = {k: item.get(k) for k in ("name", "weekdays", "start", "duration_minutes", "timezone")}
        try:
            if name in windows:
                if not _same(existing_windows[name], item, list(data)):
                    window_update(
                        tenant=tenant, actor=actor, window=windows[name], expected_version=None, data=data
                    )
                    plan.add("update", "window", name)
            else:
                windows[name] = window_create(tenant=tenant, actor=actor, data=data).obj
                plan.add("create", "window", name)
        except ApplicationError as exc:
            raise _prefixed(exc, f"windows[{i}]") from None
    # groups
    groups = {g.name: g for g in HostGroup.objects.filter(tenant=tenant)}
    existing_groups = {g["name"]: g for g in current["groups"]}
    for i, item in enumerate(doc["groups"]):
        name = str(item.get("name", ""))
        rule = item.get("rule")
        members = [str(m) for m in item.get("static_members") or []]
        try:
            if name in groups:
                before = existing_groups[name]
                changed = False
                if before["rule"] != rule or before["description"] != (item.get("description") or ""):
                    host_group_update(
                        tenant=tenant,
                        actor=actor,
                        group=groups[name],
                        expected_version=None,
                        description=item.get("description") or "",
                        rule_text=rule or "",
                    )
                    changed = True
                add = sorted(set(members) - set(before["static_members"]))
                remove = sorted(set(before["static_members"]) - set(members))
                if add or remove:
                    host_group_members_change(
                        tenant=tenant, actor=actor, group=groups[name], add=add, remove=remove
                    )
                    changed = True
                if changed:
                    plan.add("update", "group", name)
            else:
                group = host_group_create(
                    tenant=tenant,
                    actor=actor,
                    name=name,
                    description=item.get("description") or "",
                    rule_text=rule,
                ).obj
                if members:
                    host_group_members_change(tenant=tenant, actor=actor, group=group, add=members)
                groups[name] = group
                plan.add("create", "group", name)
        except ApplicationError as exc:
            raise _prefixed(exc, f"groups[{i}]") from None

    def group_ids(names: Any, prefix: str) -> list[str]:
        out = []
        for n in names or []:
            if n not in groups:
                raise InvalidInput("Unknown group.", errors={f"{prefix}.groups": [f"No group named {n!r}."]})
            out.append(str(groups[n].pk))
        return out

    # sensor policies
    sensor = {p.name: p for p in SensorUpdatePolicy.objects.filter(tenant=tenant)}
    existing_sensor = {p["name"]: p for p in current["sensor_policies"]}
    keep_sensor: set[str] = set()
    order: dict[str, list[str]] = {}
    for i, item in enumerate(doc["sensor_policies"]):
        prefix = f"sensor_policies[{i}]"
        name = str(item.get("name", ""))
        try:
            ids = group_ids(item.get("groups"), prefix)
            changes = {
                "target": item.get("target"),
                "update_blocks": item.get("update_blocks") or [],
                "timezone": item.get("timezone") or "UTC",
                "uninstall_protection": bool(item.get("uninstall_protection", True)),
                "groups": ids,
            }
            if item.get("default"):
                default = next(
                    (p for p in sensor.values() if p.is_default and p.platform == item.get("platform")), None
                )
                if default is None:
                    raise InvalidInput(
                        "Unknown platform.",
                        errors={"platform": [f"No default for {item.get('platform')!r}."]},
                    )
                keep_sensor.add(default.name)
                if not _same(
                    existing_sensor.get(default.name, {}),
                    item,
                    ["target", "update_blocks", "timezone", "uninstall_protection"],
                ):
                    sensor_policy_update(
                        tenant=tenant,
                        actor=actor,
                        policy=default,
                        expected_version=None,
                        changes={**changes, "groups": [], "name": name or default.name},
                    )
                    plan.add("update", "sensor_policy", default.name)
                continue
            if name in sensor:
                policy = sensor[name]
                if policy.platform != item.get("platform"):
                    raise InvalidInput(
                        "Platform cannot change.", errors={"platform": ["Delete and recreate instead."]}
                    )
                if not _same(
                    existing_sensor[name],
                    {**item, "groups": sorted(item.get("groups") or [])},
                    ["target", "update_blocks", "timezone", "uninstall_protection", "groups"],
                ):
                    sensor_policy_update(
                        tenant=tenant, actor=actor, policy=policy, expected_version=None, changes=changes
                    )
                    plan.add("update", "sensor_policy", name)
            else:
                policy = sensor_policy_create(
                    tenant=tenant,
                    actor=actor,
                    name=name,
                    platform=str(item.get("platform")),
                    target=str(item.get("target")),
                    update_blocks=changes["update_blocks"],
                    timezone_name=changes["timezone"],
                    uninstall_protection=changes["uninstall_protection"],
                    group_ids=ids,
                ).obj
                sensor[name] = policy
                plan.add("create", "sensor_policy", name)
            keep_sensor.add(name)
            order.setdefault(policy.platform, []).append(str(policy.pk))
        except ApplicationError as exc:
            raise _prefixed(exc, prefix) from None
    for name, policy in sensor.items():
        if name not in keep_sensor and not policy.is_default:
            sensor_policy_delete(tenant=tenant, actor=actor, policy=policy, expected_version=None)
            plan.add("delete", "sensor_policy", name)
    for platform, ids in order.items():
        sensor_policy_reorder(tenant=tenant, actor=actor, platform=platform, order=ids)
    # content policies
    content = {
        p.name: p for p in ContentUpdatePolicy.objects.filter(tenant=tenant).select_related("category")
    }
    existing_content = {p["name"]: p for p in current["content_policies"]}
    keep_content: set[str] = set()
    content_order: dict[str, list[str]] = {}
    for i, item in enumerate(doc["content_policies"]):
        prefix = f"content_policies[{i}]"
        name = str(item.get("name", ""))
        try:
            ids = group_ids(item.get("groups"), prefix)
            window_names = item.get("windows") or []
            unknown = [w for w in window_names if w not in windows]
            if unknown:
                raise InvalidInput(
                    "Unknown window.",
                    errors={"windows": [f"No window named {', '.join(map(str, unknown))}."]},
                )
            changes = {
                "mode": item.get("mode"),
                "critical_bypass_windows": bool(item.get("critical_bypass_windows", True)),
                "windows": [str(windows[w].pk) for w in window_names],
                "groups": ids,
            }
            comparable = {**item, "groups": sorted(item.get("groups") or []), "windows": sorted(window_names)}
            keys = ["mode", "critical_bypass_windows", "windows", "groups"]
            category = ContentCategory.objects.filter(key=item.get("category")).first()
            if category is None:
                raise InvalidInput(
                    "Unknown category.", errors={"category": [f"Unknown category {item.get('category')!r}."]}
                )
            if item.get("default"):
                default_c = next(
                    (p for p in content.values() if p.is_default and p.category_id == category.pk), None
                )
                if default_c is None:
                    raise InvalidInput(
                        "No default.", errors={"category": ["This tenant has no default policy for it yet."]}
                    )
                keep_content.add(default_c.name)
                if not _same(existing_content.get(default_c.name, {}), comparable, keys[:-1]):
                    content_policy_update(
                        tenant=tenant,
                        actor=actor,
                        policy=default_c,
                        expected_version=None,
                        changes={**changes, "groups": []},
                    )
                    plan.add("update", "content_policy", default_c.name)
                continue
            if name in content:
                cpolicy = content[name]
                if not _same(existing_content[name], comparable, keys):
                    content_policy_update(
                        tenant=tenant, actor=actor, policy=cpolicy, expected_version=None, changes=changes
                    )
                    plan.add("update", "content_policy", name)
            else:
                cpolicy = content_policy_create(
                    tenant=tenant,
                    actor=actor,
                    name=name,
                    category=category,
                    mode=str(item.get("mode")),
                    window_ids=changes["windows"],
                    critical_bypass_windows=changes["critical_bypass_windows"],
                    group_ids=ids,
                ).obj
                content[name] = cpolicy
                plan.add("create", "content_policy", name)
            keep_content.add(name)
            content_order.setdefault(category.key, []).append(str(cpolicy.pk))
        except ApplicationError as exc:
            raise _prefixed(exc, prefix) from None
    for name, cpolicy in content.items():
        if name not in keep_content and not cpolicy.is_default:
            content_policy_delete(tenant=tenant, actor=actor, policy=cpolicy, expected_version=None)
            plan.add("delete", "content_policy", name)
    for key, ids in content_order.items():
        content_policy_reorder(
            tenant=tenant, actor=actor, category=ContentCategory.objects.get(key=key), order=ids
        )
    # deletions of groups and windows no longer in the document
    wanted_groups = {str(item.get("name")) for item in doc["groups"]}
    for name, group in groups.items():
        if name not in wanted_groups:
            try:
                host_group_delete(tenant=tenant, actor=actor, group=group, expected_version=None)
            except ApplicationError as exc:
                raise _prefixed(exc, f"groups ({name})") from None
            plan.add("delete", "group", name)
    wanted_windows = {str(item.get("name")) for item in doc["windows"]}
    for name, window in windows.items():
        if name not in wanted_windows:
            window_delete(tenant=tenant, actor=actor, window=window, expected_version=None)
            plan.add("delete", "window", name)
    # freezes: only added
    have = {(f["reason"], f["starts_at"]) for f in current["freezes"]}
    for i, item in enumerate(doc["freezes"]):
        starts = _when(item.get("starts_at"), f"freezes[{i}].starts_at")
        ends = _when(item.get("ends_at"), f"freezes[{i}].ends_at")
        if (item.get("reason"), starts.isoformat()) in have:
            continue
        try:
            freeze_create(
                tenant=tenant,
                actor=actor,
                reason=str(item.get("reason") or ""),
                starts_at=starts,
                ends_at=ends,
            )
        except ApplicationError as exc:
            raise _prefixed(exc, f"freezes[{i}]") from None
        plan.add("create", "freeze", str(item.get("reason")))


def _when(value: Any, field_name: str) -> datetime:
    if isinstance(value, datetime):
        parsed: datetime | None = value
    else:
        parsed = parse_datetime(str(value or ""))
    if parsed is None or parsed.tzinfo is None:
        raise InvalidInput("Bad time.", errors={field_name: ["An ISO 8601 time with an offset is needed."]})
    return parsed


def policy_import(
    *, tenant: Tenant, actor: Actor, text: str, dry_run: bool, expected_fingerprint: str | None = None
) -> Plan:
    """Plans (``dry_run``) or applies a document atomically; both report the same actions and blast
    radius, and the fingerprint of the state planned against. ``expected_fingerprint`` (from a plan)
    binds an apply to that state: if it moved, ``Conflict`` names what changed and nothing is applied.
    """
    doc = policy_load(text)
    policy_defaults_ensure(tenant=tenant, actor=actor)
    plan = Plan()

    def change() -> None:
        current = policy_export(tenant)
        digests = policy_state_digests(current)
        plan.fingerprint = fingerprint_of(digests)
        if dry_run:
            plan_remember(tenant, plan.fingerprint, digests)
        _apply(tenant, actor, doc, plan, current)
        if expected_fingerprint and expected_fingerprint != plan.fingerprint:
            # Re-planned against the state as it is now; raising rolls all of it back.
            raise _stale_plan(tenant, expected_fingerprint, digests, plan)
        audit_record(
            tenant=tenant,
            actor=actor,
            action=POLICY_IMPORTED,
            target_type="rollout.policy",
            after={"actions": plan.actions[:200]},
        )

    _, blast = run_measured(tenant, change, dry_run=dry_run)
    plan.blast = blast
    return plan
