"""Plain-dict views of rollout objects, shared by the API, the pages and policy-as-code."""

from __future__ import annotations

from typing import Any

import markdown
import nh3

from rollout.blast import BlastRadius
from rollout.models import (
    ContentCategory,
    ContentRelease,
    ContentUpdatePolicy,
    Freeze,
    HostGroup,
    MaintenanceWindow,
    Pause,
    SensorBuild,
    SensorUpdatePolicy,
    TemplateType,
)
from rollout.resolver import Decision, Resolution

ZERO_MATCH_WARNING = "The rule matches no hosts right now. That is allowed, but check it is what you meant."


def notes_html(text: str) -> str:
    """Release notes: Markdown rendered, then sanitised (no scripts, no event handlers, safe links)."""
    html = markdown.markdown(text or "", extensions=["fenced_code", "tables"], output_format="html")
    return nh3.clean(html, link_rel="noopener noreferrer nofollow")


def build_out(build: SensorBuild) -> dict[str, Any]:
    return {
        "id": str(build.pk),
        "platform": build.platform,
        "version": build.version,
        "release_line": build.release_line,
        "stage": build.stage,
        "released_at": build.released_at.isoformat(),
        "notes": build.notes,
    }


def category_out(category: ContentCategory) -> dict[str, Any]:
    return {
        "id": str(category.pk),
        "key": category.key,
        "name": category.name,
        "system_critical": category.system_critical,
        "max_pause_hours": category.max_pause_hours,
    }


def template_out(template: TemplateType) -> dict[str, Any]:
    return {
        "id": str(template.pk),
        "name": template.name,
        "field_count": template.field_count,
        "field_types": list(template.field_types),
        "min_sensor_build": template.min_sensor_build,
    }


def release_out(release: ContentRelease, *, with_instances: bool = False) -> dict[str, Any]:
    out = {
        "id": str(release.pk),
        "category": release.category.key,
        "version": release.version,
        "stage": release.stage,
        "critical": release.critical,
        "digest": release.digest,
        "valid": release.valid,
        "validation_report": release.validation_report,
        "notes": release.notes,
        "notes_html": notes_html(release.notes),
        "created_at": release.created_at.isoformat(),
        "early_access_at": release.early_access_at.isoformat() if release.early_access_at else None,
        "ga_at": release.ga_at.isoformat() if release.ga_at else None,
        "instance_count": len(release.instances) if isinstance(release.instances, list) else 0,
    }
    if with_instances:
        out["instances"] = release.instances
    return out


def group_out(group: HostGroup, host_count: int | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": str(group.pk),
        "name": group.name,
        "description": group.description,
        "rule_text": group.rule_text,
        "rule": group.rule,
        "static_members": group.members.count(),
        "version": group.version,
        "updated_at": group.updated_at.isoformat(),
    }
    if host_count is not None:
        out["host_count"] = host_count
        out["warnings"] = [ZERO_MATCH_WARNING] if host_count == 0 else []
    return out


def sensor_policy_out(policy: SensorUpdatePolicy) -> dict[str, Any]:
    return {
        "id": str(policy.pk),
        "name": policy.name,
        "platform": policy.platform,
        "target": policy.target,
        "update_blocks": policy.update_blocks,
        "timezone": policy.timezone,
        "uninstall_protection": policy.uninstall_protection,
        "is_default": policy.is_default,
        "precedence": None if policy.is_default else policy.precedence,
        "groups": [{"id": str(g.pk), "name": g.name} for g in policy.groups.all()],
        "version": policy.version,
    }


def content_policy_out(policy: ContentUpdatePolicy) -> dict[str, Any]:
    return {
        "id": str(policy.pk),
        "name": policy.name,
        "category": policy.category.key,
        "mode": policy.mode,
        "windows": [{"id": str(w.pk), "name": w.name} for w in policy.windows.all()],
        "critical_bypass_windows": policy.critical_bypass_windows,
        "is_default": policy.is_default,
        "precedence": None if policy.is_default else policy.precedence,
        "groups": [{"id": str(g.pk), "name": g.name} for g in policy.groups.all()],
        "version": policy.version,
    }


def window_out(window: MaintenanceWindow) -> dict[str, Any]:
    return {
        "id": str(window.pk),
        "name": window.name,
        "weekdays": list(window.weekdays),
        "start": window.start.strftime("%H:%M"),
        "duration_minutes": window.duration_minutes,
        "timezone": window.timezone,
        "version": window.version,
    }


def freeze_out(freeze: Freeze) -> dict[str, Any]:
    return {
        "id": str(freeze.pk),
        "reason": freeze.reason,
        "starts_at": freeze.starts_at.isoformat(),
        "ends_at": freeze.ends_at.isoformat(),
        "created_by": freeze.created_by,
        "lift_requested_by": freeze.lift_requested_by or None,
        "lift_requested_at": freeze.lift_requested_at.isoformat() if freeze.lift_requested_at else None,
        "lift_reason": freeze.lift_reason or None,
        "lifted_by": freeze.lifted_by or None,
        "lifted_at": freeze.lifted_at.isoformat() if freeze.lifted_at else None,
        "bypass_requested_by": freeze.bypass_requested_by or None,
        "bypass_reason": freeze.bypass_reason or None,
        "bypass_approved_by": freeze.bypass_approved_by or None,
        "bypass_approved_at": freeze.bypass_approved_at.isoformat() if freeze.bypass_approved_at else None,
    }


def pause_out(pause: Pause) -> dict[str, Any]:
    return {
        "id": str(pause.pk),
        "scope": pause.scope,
        "group": {"id": str(pause.group.pk), "name": pause.group.name} if pause.group else None,
        "category": pause.category.key if pause.category else None,
        "reason": pause.reason,
        "created_by": pause.created_by,
        "created_at": pause.created_at.isoformat(),
        "expires_at": pause.expires_at.isoformat() if pause.expires_at else None,
        "resumed_at": pause.resumed_at.isoformat() if pause.resumed_at else None,
        "resumed_by": pause.resumed_by or None,
    }


def decision_out(decision: Decision) -> dict[str, Any]:
    return {
        "subject": decision.subject,
        "current": decision.current,
        "target": decision.target,
        "desired": decision.desired,
        "rule": decision.rule,
        "reason": decision.reason,
        "policy": {"id": decision.policy_id, "name": decision.policy_name} if decision.policy_id else None,
        "group": {"id": decision.group_id, "name": decision.group_name} if decision.group_id else None,
        "pause_id": decision.pause_id,
        "freeze_id": decision.freeze_id,
        "window_id": decision.window_id,
    }


def resolution_out(resolution: Resolution) -> dict[str, Any]:
    return {
        "host_id": resolution.host_id,
        "at": resolution.at.isoformat(),
        "sensor": decision_out(resolution.sensor),
        "content": {key: decision_out(d) for key, d in resolution.content.items()},
    }


def blast_out(blast: BlastRadius) -> dict[str, Any]:
    return {**blast.as_dict(), "summary": blast.summary()}
