"""Rollout pages: host groups (with live rule preview), policies and precedence, windows and
freezes (week view), pauses, "why is this host on X?", policy as code, and the vendor's catalog.

Every change shows its blast radius first (a dry run through the same service) and again once saved.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, ClassVar

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views import View

from console.access import ADMIN, OPERATE, READ, WRITE, Actor
from console.errors import ApplicationError, PreconditionFailed
from console.scoping import TenantPageMixin
from rollout import policy_code, selectors, services
from rollout.models import (
    ContentCategory,
    ContentRelease,
    ContentUpdatePolicy,
    Freeze,
    HostGroup,
    MaintenanceWindow,
    Pause,
    PauseScope,
    SensorBuild,
    SensorUpdatePolicy,
    TemplateType,
)
from rollout.presenters import ZERO_MATCH_WARNING, blast_out, notes_html, resolution_out
from rollout.recurrence import Recurrence, next_occurrences, zone
from rollout.rules import RuleError, rule_parse
from rollout.services import Outcome
from telemetry.models import Host, Platform

DEFAULTS_ACTOR = Actor.system("rollout defaults")
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
STALE_MESSAGE = (
    "Someone else changed this while you were editing. Their version is shown below; apply your change again."
)


def blocks_text(blocks: list[dict[str, Any]]) -> str:
    """Update blocks as the edit form shows them: one ``Mon,Tue 09:00-17:00`` per line."""
    return "\n".join(
        f"{','.join(WEEKDAYS[d] for d in b.get('weekdays', []))} {b.get('start')}-{b.get('end')}"
        for b in blocks
    )


def blocks_parse(text: str) -> list[dict[str, Any]]:
    """The form's lines back to ``[{weekdays, start, end}]``; the service validates the values."""
    full = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    names = {d.lower(): i for i, d in enumerate(WEEKDAYS)} | {d: i for i, d in enumerate(full)}
    out: list[dict[str, Any]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        days, _, span = line.partition(" ")
        start, _, end = span.strip().partition("-")
        try:
            weekdays = [int(d) if d.strip().isdigit() else names[d.strip().lower()] for d in days.split(",")]
        except KeyError:
            raise services.InvalidInput(
                "Bad weekday.",
                errors={"update_blocks": [f"Line {number}: use days like Mon,Tue then 09:00-17:00."]},
            ) from None
        out.append({"weekdays": weekdays, "start": start.strip(), "end": end.strip()})
    return out


def _attempt(fn: Callable[[], Outcome]) -> tuple[Outcome | None, dict[str, list[str]], str]:
    """(outcome, field errors, general error) of a service call made from a form."""
    try:
        return fn(), {}, ""
    except PreconditionFailed:
        return None, {}, STALE_MESSAGE
    except ApplicationError as exc:
        return None, exc.errors, exc.detail if not exc.errors else ""


def _dry(request: HttpRequest) -> bool:
    return request.POST.get("action", "preview") != "save"


def _ids(request: HttpRequest, name: str) -> list[str]:
    return [v for v in request.POST.getlist(name) if v]


class RolloutPage(TenantPageMixin, View):
    template_name = ""

    def page(self, request: HttpRequest, context: dict[str, Any], status: int = 200) -> HttpResponse:
        return render(request, self.template_name, context, status=status)


# --- host groups ---------------------------------------------------------------------------------


class GroupListPage(RolloutPage):
    model = HostGroup
    template_name = "rollout/groups.html"
    scope_map: ClassVar[dict[str, str]] = {"GET": READ, "POST": WRITE}

    def context(self, **extra: Any) -> dict[str, Any]:
        groups = list(self.get_queryset().order_by("name", "id"))
        counts = selectors.group_member_counts(self.tenant, groups)
        rows = [{"group": g, "count": counts.get(str(g.pk), 0)} for g in groups]
        return {"rows": rows, "form": {}, "errors": {}, **extra}

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.page(request, self.context())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = {k: request.POST.get(k, "") for k in ("name", "description", "rule_text")}
        dry = _dry(request)
        outcome, errors, error = _attempt(
            lambda: services.host_group_create(
                tenant=self.tenant, actor=self.ctx.actor, name=form["name"], description=form["description"],
                rule_text=form["rule_text"], dry_run=dry,
            )
        )  # fmt: skip
        if outcome is None:
            return self.page(request, self.context(form=form, errors=errors, error=error), status=400)
        blast = blast_out(outcome.blast)
        if dry:
            return self.page(request, self.context(form=form, blast=blast, previewed=True))
        return render(request, "rollout/saved.html", {"what": f"Host group {outcome.obj.name!r} created", "blast": blast,
                                                      "back": f"/rollout/groups/{outcome.obj.pk}/"})  # fmt: skip


class GroupPreviewPage(RolloutPage):
    """The live preview fragment (htmx): count and first hosts, or the parse error with its column."""

    model = HostGroup
    template_name = "rollout/_rule_preview.html"
    scope_map: ClassVar[dict[str, str]] = {"POST": READ}

    def post(self, request: HttpRequest) -> HttpResponse:
        text = request.POST.get("rule_text", "").strip()
        if not text:
            return self.page(request, {"empty_rule": True})
        try:
            rule = rule_parse(text)
        except RuleError as exc:
            return self.page(request, {"parse_error": exc.message, "position": exc.position, "text": text})
        preview = selectors.rule_preview(self.tenant, rule)
        return self.page(
            request, {"preview": preview, "warning": ZERO_MATCH_WARNING if preview.empty else ""}
        )


class GroupDetailPage(RolloutPage):
    model = HostGroup
    template_name = "rollout/group_detail.html"
    scope_map: ClassVar[dict[str, str]] = {"GET": READ, "POST": WRITE}

    def context(self, group: HostGroup, **extra: Any) -> dict[str, Any]:
        hosts = selectors.group_hosts(self.tenant, group).order_by("hostname", "id")
        form = {
            "name": group.name,
            "description": group.description,
            "rule_text": group.rule_text,
            "version": group.version,
        }
        return {"group": group, "hosts": hosts[:50], "count": hosts.count(), "form": form, "errors": {},
                "static_count": group.members.count(), **extra}  # fmt: skip

    def get(self, request: HttpRequest, pk: Any) -> HttpResponse:
        return self.page(request, self.context(self.get_object(pk=pk)))

    def post(self, request: HttpRequest, pk: Any) -> HttpResponseBase:
        group = self.get_object(pk=pk)
        kind = request.POST.get("form", "edit")
        dry = _dry(request)
        version = int(request.POST.get("version") or 0) or None
        form = {k: request.POST.get(k, "") for k in ("name", "description", "rule_text")} | {
            "version": version
        }
        if kind == "delete":
            outcome, errors, error = _attempt(lambda: services.host_group_delete(
                tenant=self.tenant, actor=self.ctx.actor, group=group, expected_version=version, dry_run=dry))  # fmt: skip
            if outcome is not None and not dry:
                messages.success(request, f"Deleted {group.name}. {outcome.blast.summary()}")
                return redirect("/rollout/groups/")
        elif kind == "members":

            def members() -> Outcome:
                add = [v.strip() for v in request.POST.get("add", "").split() if v.strip()]
                upload = request.FILES.get("csv")
                if upload is not None:
                    add += services.members_from_csv(self.tenant, upload.read().decode("utf-8", "replace"))
                remove = _ids(request, "remove")
                return services.host_group_members_change(tenant=self.tenant, actor=self.ctx.actor, group=group, add=add,
                                                          remove=remove, expected_version=version, dry_run=dry)  # fmt: skip

            outcome, errors, error = _attempt(members)
        else:
            outcome, errors, error = _attempt(lambda: services.host_group_update(
                tenant=self.tenant, actor=self.ctx.actor, group=group, expected_version=version, name=str(form["name"]),
                description=str(form["description"]), rule_text=str(form["rule_text"]), dry_run=dry))  # fmt: skip
        if outcome is None:
            group.refresh_from_db()
            context = self.context(group, errors=errors, error=error)
            if error != STALE_MESSAGE:
                context["form"] = form
            return self.page(request, context, status=409 if error == STALE_MESSAGE else 400)
        blast = blast_out(outcome.blast)
        if dry:
            context = self.context(group, blast=blast, previewed=kind)
            context["form"] = form
            context["pending"] = request.POST
            return self.page(request, context)
        return render(request, "rollout/saved.html", {"what": f"Host group {group.name!r} saved", "blast": blast,
                                                      "back": f"/rollout/groups/{group.pk}/"})  # fmt: skip


# --- policies ------------------------------------------------------------------------------------


class PolicyListPage(RolloutPage):
    model = SensorUpdatePolicy
    template_name = "rollout/policies.html"
    scope_map: ClassVar[dict[str, str]] = {"GET": READ, "POST": WRITE}

    def context(self, **extra: Any) -> dict[str, Any]:
        services.policy_defaults_ensure(tenant=self.tenant, actor=DEFAULTS_ACTOR)
        catalog = selectors.catalog_state()
        sensor = []
        for platform in Platform.values:
            policies = list(
                self.get_queryset()
                .filter(platform=platform)
                .prefetch_related("groups")
                .order_by("is_default", "precedence")
            )
            levels = selectors.n_levels(platform, catalog)
            sensor.append({"platform": platform, "policies": policies,
                           "levels": [("N" if i == 0 else f"N-{i}", b.version) for i, b in enumerate(levels)]})  # fmt: skip
        content = []
        for category in ContentCategory.objects.all():
            policies = list(
                self.scoped(ContentUpdatePolicy.objects.filter(category=category)).prefetch_related("groups", "windows")
                .order_by("is_default", "precedence")
            )  # fmt: skip
            content.append({"category": category, "policies": policies})
        return {"sensor": sensor, "content": content, "groups": HostGroup.objects.filter(tenant=self.tenant),
                "windows": MaintenanceWindow.objects.filter(tenant=self.tenant), "platforms": Platform.choices,
                "categories": ContentCategory.objects.all(), "form": {}, "errors": {}, **extra}  # fmt: skip

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.page(request, self.context())

    def post(self, request: HttpRequest) -> HttpResponse:
        kind = request.POST.get("form", "sensor")
        dry = _dry(request)
        form: dict[str, Any] = dict(request.POST.items()) | {
            "groups": _ids(request, "groups"),
            "windows": _ids(request, "windows"),
            "kind": kind,
        }
        if kind == "content":
            category = ContentCategory.objects.filter(key=form.get("category", "")).first()

            def create() -> Outcome:
                if category is None:
                    raise services.InvalidInput(
                        "Choose a category.", errors={"category": ["Choose a category."]}
                    )
                return services.content_policy_create(
                    tenant=self.tenant, actor=self.ctx.actor, name=form.get("name", ""), category=category,
                    mode=form.get("mode", ""), window_ids=form["windows"], group_ids=form["groups"],
                    critical_bypass_windows=form.get("critical_bypass_windows") == "on", dry_run=dry,
                )  # fmt: skip
        else:

            def create() -> Outcome:
                return services.sensor_policy_create(
                    tenant=self.tenant, actor=self.ctx.actor, name=form.get("name", ""), platform=form.get("platform", ""),
                    target=form.get("target", ""), timezone_name=form.get("timezone") or "UTC",
                    uninstall_protection=form.get("uninstall_protection") == "on", group_ids=form["groups"], dry_run=dry,
                )  # fmt: skip

        outcome, errors, error = _attempt(create)
        if outcome is None:
            return self.page(request, self.context(form=form, errors=errors, error=error), status=400)
        blast = blast_out(outcome.blast)
        if dry:
            return self.page(request, self.context(form=form, blast=blast, previewed=True))
        return render(request, "rollout/saved.html", {"what": f"Policy {outcome.obj.name!r} created", "blast": blast,
                                                      "back": "/rollout/policies/"})  # fmt: skip


def _policy(view: RolloutPage, kind: str, pk: Any) -> Any:
    from django.http import Http404

    model = SensorUpdatePolicy if kind == "sensor" else ContentUpdatePolicy
    try:
        return view.scoped(model.objects.all()).get(pk=pk)
    except (model.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


class PolicyDetailPage(RolloutPage):
    model = SensorUpdatePolicy
    template_name = "rollout/policy_detail.html"
    scope_map: ClassVar[dict[str, str]] = {"GET": READ, "POST": WRITE}

    def context(self, kind: str, policy: Any, **extra: Any) -> dict[str, Any]:
        form = {
            "name": policy.name,
            "version": policy.version,
            "groups": [str(g.pk) for g in policy.groups.all()],
        }
        if kind == "sensor":
            form |= {
                "target": policy.target,
                "timezone": policy.timezone,
                "uninstall_protection": policy.uninstall_protection,
                "update_blocks": blocks_text(policy.update_blocks),
            }
            levels = selectors.n_levels(policy.platform)
            extra.setdefault(
                "levels", [("n" if i == 0 else f"n-{i}", b.version) for i, b in enumerate(levels)]
            )
        else:
            form |= {"mode": policy.mode, "critical_bypass_windows": policy.critical_bypass_windows,
                     "windows": [str(w.pk) for w in policy.windows.all()]}  # fmt: skip
        return {"kind": kind, "policy": policy, "form": form, "errors": {}, "groups": HostGroup.objects.filter(tenant=self.tenant),
                "windows": MaintenanceWindow.objects.filter(tenant=self.tenant), **extra}  # fmt: skip

    def get(self, request: HttpRequest, kind: str, pk: Any) -> HttpResponse:
        return self.page(request, self.context(kind, _policy(self, kind, pk)))

    def post(self, request: HttpRequest, kind: str, pk: Any) -> HttpResponseBase:
        policy = _policy(self, kind, pk)
        dry = _dry(request)
        action = request.POST.get("form", "edit")
        version = int(request.POST.get("version") or 0) or None
        if action in ("up", "down"):
            outcome, errors, error = _attempt(lambda: services.policy_move(
                tenant=self.tenant, actor=self.ctx.actor, policy=policy, direction=action, dry_run=dry))  # fmt: skip
            if outcome is not None and not dry:
                return render(request, "rollout/saved.html", {"what": f"Moved {policy.name!r} {action}", "blast": blast_out(outcome.blast),
                                                              "back": "/rollout/policies/"})  # fmt: skip
            return render(request, "rollout/confirm_move.html", {"policy": policy, "kind": kind, "direction": action,
                          "blast": blast_out(outcome.blast) if outcome else None, "error": error or str(errors)})  # fmt: skip
        if action == "delete":
            fn: Callable[[], Outcome] = lambda: (  # noqa: E731
                services.sensor_policy_delete if kind == "sensor" else services.content_policy_delete
            )(tenant=self.tenant, actor=self.ctx.actor, policy=policy, expected_version=version, dry_run=dry)
        else:
            changes: dict[str, Any] = {"name": request.POST.get("name", "")}
            if not policy.is_default:
                changes["groups"] = _ids(request, "groups")
            if kind == "sensor":
                changes |= {"target": request.POST.get("target", ""), "timezone": request.POST.get("timezone") or "UTC",
                            "uninstall_protection": request.POST.get("uninstall_protection") == "on"}  # fmt: skip

                def fn() -> Outcome:
                    changes["update_blocks"] = blocks_parse(request.POST.get("update_blocks", ""))
                    return services.sensor_policy_update(
                        tenant=self.tenant,
                        actor=self.ctx.actor,
                        policy=policy,
                        expected_version=version,
                        changes=changes,
                        dry_run=dry,
                    )

            else:
                changes |= {"mode": request.POST.get("mode", ""), "windows": _ids(request, "windows"),
                            "critical_bypass_windows": request.POST.get("critical_bypass_windows") == "on"}  # fmt: skip
                fn = lambda: services.content_policy_update(  # noqa: E731
                    tenant=self.tenant,
                    actor=self.ctx.actor,
                    policy=policy,
                    expected_version=version,
                    changes=changes,
                    dry_run=dry,
                )
        outcome, errors, error = _attempt(fn)
        if outcome is None:
            policy.refresh_from_db()
            context = self.context(kind, policy, errors=errors, error=error)
            if error != STALE_MESSAGE:
                context["form"] |= dict(request.POST.items()) | {
                    "groups": _ids(request, "groups"),
                    "windows": _ids(request, "windows"),
                }
            return self.page(request, context, status=409 if error == STALE_MESSAGE else 400)
        blast = blast_out(outcome.blast)
        if dry:
            context = self.context(kind, policy, blast=blast, previewed=action)
            context["form"] |= dict(request.POST.items()) | {"groups": _ids(request, "groups"), "windows": _ids(request, "windows"),
                                                             "uninstall_protection": request.POST.get("uninstall_protection") == "on",
                                                             "critical_bypass_windows": request.POST.get("critical_bypass_windows") == "on"}  # fmt: skip
            return self.page(request, context)
        return render(request, "rollout/saved.html", {"what": f"Policy {policy.name!r} saved", "blast": blast,
                                                      "back": "/rollout/policies/"})  # fmt: skip


# --- windows and freezes -------------------------------------------------------------------------


def _week(
    windows: list[MaintenanceWindow], freezes: list[Freeze], tz_name: str, now: datetime
) -> list[dict[str, Any]]:
    tz = zone(tz_name)
    days: list[dict[str, Any]] = []
    start_day = now.astimezone(tz).date()
    for offset in range(7):
        date = start_day + timedelta(days=offset)
        days.append({"date": date, "label": f"{WEEKDAYS[date.weekday()]} {date:%d %b}", "items": []})
    by_date = {d["date"]: d for d in days}
    for window in windows:
        rec = Recurrence(frozenset(window.weekdays), window.start, window.duration_minutes, window.timezone)
        for start, end in next_occurrences(rec, now, 7):
            local = start.astimezone(tz)
            if local.date() in by_date:
                by_date[local.date()]["items"].append(
                    {"kind": "window", "name": window.name, "start": local, "end": end.astimezone(tz)}
                )
    for freeze in freezes:
        for day in days:
            day_start = datetime.combine(day["date"], datetime.min.time(), tzinfo=tz)
            if freeze.starts_at < day_start + timedelta(days=1) and freeze.ends_at > day_start:
                day["items"].append({"kind": "freeze", "name": freeze.reason, "start": freeze.starts_at.astimezone(tz),
                                     "end": freeze.ends_at.astimezone(tz)})  # fmt: skip
    for day in days:
        day["items"].sort(key=lambda i: i["start"])
        for item in day["items"]:  # formatted here: the template's |date would convert to UTC
            item["label"] = f"{item['start']:%H:%M %Z} to {item['end']:%H:%M %Z}"
    return days


class WindowsPage(RolloutPage):
    model = MaintenanceWindow
    template_name = "rollout/windows.html"
    scope_map: ClassVar[dict[str, str]] = {"GET": READ, "POST": WRITE}

    def context(self, **extra: Any) -> dict[str, Any]:
        now = timezone.now()
        windows = list(self.get_queryset().order_by("name"))
        freezes = list(self.scoped(Freeze.objects.all()).order_by("-starts_at")[:50])
        active_freezes = [f for f in freezes if f.lifted_at is None and f.ends_at > now]
        return {"windows": windows, "freezes": freezes, "week": _week(windows, active_freezes, self.tenant.timezone, now),
                "tenant_tz": self.tenant.timezone, "weekdays": list(enumerate(WEEKDAYS)), "form": {}, "errors": {},
                "now": now, "is_admin": self.ctx.can(ADMIN), **extra}  # fmt: skip

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.page(request, self.context())

    def post(self, request: HttpRequest) -> HttpResponseBase:
        kind = request.POST.get("form", "window")
        dry = _dry(request)
        form: dict[str, Any] = dict(request.POST.items()) | {
            "kind": kind,
            "weekdays": request.POST.getlist("weekdays"),
        }
        if kind in ("lift_request", "lift_approve", "bypass_request", "bypass_approve"):
            if not self.ctx.can(ADMIN):
                return HttpResponse("Only admins may lift a freeze.", status=403)
            try:
                freeze = self.scoped(Freeze.objects.filter(pk=request.POST.get("freeze", ""))).first()
            except ValidationError:
                freeze = None
            if freeze is None:
                return HttpResponse(status=404)
            try:
                if kind == "lift_request":
                    services.freeze_lift_request(
                        tenant=self.tenant,
                        actor=self.ctx.actor,
                        freeze=freeze,
                        reason=request.POST.get("reason", ""),
                    )
                    messages.info(request, "Asked to lift the freeze: a second admin must approve.")
                elif kind == "bypass_request":
                    services.freeze_bypass_request(
                        tenant=self.tenant,
                        actor=self.ctx.actor,
                        freeze=freeze,
                        reason=request.POST.get("reason", ""),
                    )
                    messages.info(
                        request, "Asked to let critical content through: a second admin must approve."
                    )
                elif kind == "bypass_approve":
                    approved = services.freeze_bypass_approve(
                        tenant=self.tenant, actor=self.ctx.actor, freeze=freeze
                    )
                    messages.success(
                        request, f"Critical content now passes the freeze. {approved.blast.summary()}"
                    )
                else:
                    lifted = services.freeze_lift_approve(
                        tenant=self.tenant, actor=self.ctx.actor, freeze=freeze
                    )
                    messages.success(request, f"Freeze lifted. {lifted.blast.summary()}")
            except ApplicationError as exc:
                messages.error(request, exc.detail)
            return redirect("/rollout/windows/")
        if kind == "window_delete":
            window = (
                self.get_queryset()
                .filter(pk__in=[v for v in [request.POST.get("window", "")] if _is_uuid(v)])
                .first()
            )
            if window is None:
                return HttpResponse(status=404)
            outcome, errors, error = _attempt(
                lambda: services.window_delete(
                    tenant=self.tenant,
                    actor=self.ctx.actor,
                    window=window,
                    expected_version=int(request.POST.get("version") or 0) or None,
                    dry_run=dry,
                )
            )
            if outcome is None:
                return self.page(
                    request, self.context(errors=errors, error=error), status=409 if error else 400
                )
            if dry:
                return self.page(
                    request,
                    self.context(blast=blast_out(outcome.blast), previewed=True, pending_delete=window),
                )
            return render(
                request,
                "rollout/saved.html",
                {
                    "what": f"Window {window.name!r} deleted",
                    "blast": blast_out(outcome.blast),
                    "back": "/rollout/windows/",
                },
            )
        if kind == "freeze":

            def create() -> Outcome:
                starts, ends = (
                    _local_dt(form.get("starts_at", ""), self.tenant.timezone),
                    _local_dt(form.get("ends_at", ""), self.tenant.timezone),
                )
                if starts is None:
                    raise services.InvalidInput(
                        "Bad start.", errors={"starts_at": ["Enter a date and time."]}
                    )
                if ends is None:
                    raise services.InvalidInput("Bad end.", errors={"ends_at": ["Enter a date and time."]})
                return services.freeze_create(tenant=self.tenant, actor=self.ctx.actor, reason=form.get("reason", ""),
                                              starts_at=starts, ends_at=ends, dry_run=dry)  # fmt: skip
        else:

            def create() -> Outcome:
                try:
                    weekdays = [int(d) for d in form["weekdays"]]
                    minutes = int(form.get("duration_minutes") or 0)
                except ValueError:
                    raise services.InvalidInput(
                        "Bad number.", errors={"duration_minutes": ["Enter a number of minutes."]}
                    ) from None
                data = {"name": form.get("name", ""), "weekdays": weekdays, "start": form.get("start", ""),
                        "duration_minutes": minutes, "timezone": form.get("timezone", "")}  # fmt: skip
                return services.window_create(
                    tenant=self.tenant, actor=self.ctx.actor, data=data, dry_run=dry
                )

        outcome, errors, error = _attempt(create)
        if outcome is None:
            return self.page(request, self.context(form=form, errors=errors, error=error), status=400)
        if dry:
            return self.page(request, self.context(form=form, blast=blast_out(outcome.blast), previewed=True))
        return render(
            request,
            "rollout/saved.html",
            {"what": "Saved", "blast": blast_out(outcome.blast), "back": "/rollout/windows/"},
        )


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _local_dt(value: str, tz_name: str) -> datetime | None:
    parsed = parse_datetime(value) if value else None
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        from rollout.recurrence import local_to_utc

        return local_to_utc(parsed, zone(tz_name))
    return parsed


# --- pauses --------------------------------------------------------------------------------------


class PausesPage(RolloutPage):
    model = Pause
    template_name = "rollout/pauses.html"
    scope_map: ClassVar[dict[str, str]] = {"GET": READ, "POST": OPERATE}

    def context(self, **extra: Any) -> dict[str, Any]:
        now = timezone.now()
        active = selectors.active_pauses(self.tenant, now)
        resumes: list[tuple[Pause, datetime | None]] = []
        for pause in active:
            if pause.category and pause.category.system_critical and pause.category.max_pause_hours:
                cap = pause.created_at + timedelta(hours=pause.category.max_pause_hours)
                resumes.append((pause, min(cap, pause.expires_at) if pause.expires_at else cap))
            else:
                resumes.append((pause, pause.expires_at))
        critical = list(ContentCategory.objects.filter(system_critical=True))
        tenant_pause = next((p for p in active if p.scope == "tenant"), None)
        critical_resume = (
            [(c, tenant_pause.created_at + timedelta(hours=c.max_pause_hours or 0)) for c in critical]
            if tenant_pause
            else []
        )
        history = self.get_queryset().select_related("group", "category").order_by("-created_at")[:30]
        return {"active": resumes, "history": history, "scopes": PauseScope.choices, "groups": HostGroup.objects.filter(tenant=self.tenant),
                "categories": ContentCategory.objects.all(), "critical_resume": critical_resume, "form": {}, "errors": {}, **extra}  # fmt: skip

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.page(request, self.context())

    def post(self, request: HttpRequest) -> HttpResponseBase:
        dry = _dry(request)
        if request.POST.get("form") == "resume":
            pause = self.get_queryset().filter(pk=request.POST.get("pause")).first()
            if pause is None:
                return HttpResponse(status=404)
            outcome, errors, error = _attempt(
                lambda: services.pause_resume(tenant=self.tenant, actor=self.ctx.actor, pause=pause)
            )
            if outcome is not None:
                messages.success(request, f"Resumed. {outcome.blast.summary()}")
            else:
                messages.error(request, error or str(errors))
            return redirect("/rollout/pauses/")
        form: dict[str, Any] = dict(request.POST.items())

        def create() -> Outcome:
            expires = (
                _local_dt(form.get("expires_at", ""), self.tenant.timezone)
                if form.get("expires_at")
                else None
            )
            return services.pause_create(tenant=self.tenant, actor=self.ctx.actor, scope=form.get("scope", ""), reason=form.get("reason", ""),
                                         group_id=form.get("group") or None, category_key=form.get("category") or None,
                                         expires_at=expires, dry_run=dry)  # fmt: skip

        outcome, errors, error = _attempt(create)
        if outcome is None:
            return self.page(request, self.context(form=form, errors=errors, error=error), status=400)
        if dry:
            return self.page(request, self.context(form=form, blast=blast_out(outcome.blast), previewed=True))
        return render(
            request,
            "rollout/saved.html",
            {"what": "Paused", "blast": blast_out(outcome.blast), "back": "/rollout/pauses/"},
        )


# --- why is this host on X -----------------------------------------------------------------------


class HostWhyPage(RolloutPage):
    model = Host
    template_name = "rollout/host_why.html"
    scope_map: ClassVar[dict[str, str]] = {"GET": READ}

    def get(self, request: HttpRequest, pk: Any) -> HttpResponse:
        host = self.get_object(pk=pk)
        services.policy_defaults_ensure(tenant=self.tenant, actor=DEFAULTS_ACTOR)
        resolution = resolution_out(selectors.host_explain(self.tenant, host, timezone.now()))
        groups = [
            g
            for g in selectors.groups_for_tenant(self.tenant)
            if str(g.pk) in selectors.host_group_ids(self.tenant, host)
        ]
        return self.page(request, {"host": host, "resolution": resolution, "groups": groups})


# --- policy as code ------------------------------------------------------------------------------


class PolicyCodePage(RolloutPage):
    model = SensorUpdatePolicy
    template_name = "rollout/policy_code.html"
    scope_map: ClassVar[dict[str, str]] = {"GET": READ, "POST": WRITE}

    def get(self, request: HttpRequest) -> HttpResponse:
        fmt = request.GET.get("download")
        if fmt in ("yaml", "json"):
            services.policy_defaults_ensure(tenant=self.tenant, actor=DEFAULTS_ACTOR)
            text = policy_code.policy_dump(policy_code.policy_export(self.tenant), fmt)
            response = HttpResponse(
                text, content_type="application/json" if fmt == "json" else "application/yaml"
            )
            response["Content-Disposition"] = f'attachment; filename="{self.tenant.slug}-policy.{fmt}"'
            return response
        current = policy_code.policy_dump(policy_code.policy_export(self.tenant), "yaml")
        return self.page(request, {"document": current, "errors": {}})

    def post(self, request: HttpRequest) -> HttpResponse:
        text = request.POST.get("document", "")
        dry = _dry(request)
        try:
            plan = policy_code.policy_import(tenant=self.tenant, actor=self.ctx.actor, text=text, dry_run=dry)
        except ApplicationError as exc:
            return self.page(
                request, {"document": text, "errors": exc.errors, "error": exc.detail}, status=400
            )
        return self.page(
            request, {"document": text, "plan": plan.as_dict(), "applied": not dry, "errors": {}}
        )


# --- vendor catalog ------------------------------------------------------------------------------


class VendorCatalogPage(LoginRequiredMixin, View):
    """Release engineering's view of the catalog: builds with N levels (and what promoting a build
    would shift, for how many hosts), content releases with notes (rendered safely) and validation
    reports, and stage changes (which re-run the validation gate)."""

    def context(self, **extra: Any) -> dict[str, Any]:
        catalog = selectors.catalog_state()
        platforms = []
        for platform in Platform.values:
            levels = selectors.n_levels(platform, catalog)
            platforms.append(
                {
                    "platform": platform,
                    "builds": selectors.builds_for(platform),
                    "levels": [("N" if i == 0 else f"N-{i}", b.version) for i, b in enumerate(levels)],
                }
            )
        releases = [
            {"release": r, "notes_html": notes_html(r.notes)}
            for r in ContentRelease.objects.select_related("category")
            .defer("instances")
            .order_by("-created_at")[:50]
        ]
        return {
            "platforms": platforms,
            "releases": releases,
            "categories": ContentCategory.objects.all(),
            "templates": TemplateType.objects.all(),
            "build_stages": ["early_adopter", "ga", "withdrawn"],
            "release_stages": ["canary", "early_access", "ga", "recalled"],
            "can_edit": getattr(self.request.user, "vendor_role", "") == "release_engineer",
            **extra,
        }

    def get(self, request: HttpRequest) -> HttpResponse:
        if not getattr(request.user, "vendor_role", ""):
            return HttpResponse("This page is for vendor staff.", status=403)
        return render(request, "rollout/vendor_catalog.html", self.context())

    def post(self, request: HttpRequest) -> HttpResponse:
        from console.access import Actor

        if getattr(request.user, "vendor_role", "") != "release_engineer":
            return HttpResponse("Only release engineers change the catalog.", status=403)
        actor = Actor.for_user(request.user, request)  # type: ignore[arg-type]
        stage = request.POST.get("stage", "")
        try:
            if request.POST.get("form") == "release":
                release = ContentRelease.objects.filter(pk=request.POST.get("release", "")).first()
                if release is None:
                    return HttpResponse(status=404)
                services.content_release_stage_set(actor=actor, release=release, stage=stage)
                return render(
                    request,
                    "rollout/vendor_catalog.html",
                    self.context(message=f"{release.category.key} {release.version} is now {stage}."),
                )
            build = SensorBuild.objects.filter(pk=request.POST.get("build", "")).first()
            if build is None:
                return HttpResponse(status=404)
            result = services.sensor_build_stage_set(
                actor=actor, build=build, stage=stage, dry_run=_dry(request)
            )
        except ValidationError:
            return HttpResponse(status=404)
        except ApplicationError as exc:
            problems = exc.errors.get("instances", []) if exc.errors else []
            return render(
                request,
                "rollout/vendor_catalog.html",
                self.context(error=exc.detail, problems=problems),
                status=exc.status,
            )
        return render(
            request,
            "rollout/vendor_catalog.html",
            self.context(
                shift={
                    "build": build,
                    "stage": stage,
                    "shifts": result["shifts"],
                    "dry_run": result["dry_run"],
                }
            ),
        )


urlpatterns: list[Any] = [
    path("rollout/groups/", GroupListPage.as_view(), name="rollout-groups"),
    path("rollout/groups/preview/", GroupPreviewPage.as_view(), name="rollout-group-preview"),
    path("rollout/groups/<uuid:pk>/", GroupDetailPage.as_view(), name="rollout-group"),
    path("rollout/policies/", PolicyListPage.as_view(), name="rollout-policies"),
    path("rollout/policies/<str:kind>/<uuid:pk>/", PolicyDetailPage.as_view(), name="rollout-policy"),
    path("rollout/windows/", WindowsPage.as_view(), name="rollout-windows"),
    path("rollout/pauses/", PausesPage.as_view(), name="rollout-pauses"),
    path("rollout/hosts/<uuid:pk>/why/", HostWhyPage.as_view(), name="rollout-host-why"),
    path("rollout/policy-as-code/", PolicyCodePage.as_view(), name="rollout-policy-code"),
    path("vendor/catalog/", VendorCatalogPage.as_view(), name="rollout-vendor-catalog"),
]
