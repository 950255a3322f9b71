from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, ClassVar

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from console.access import ADMIN, OPERATE, READ, WRITE
from console.editing import is_uuid
from console.errors import ApplicationError, InvalidInput
from rollout.consent.pages import consent_context, consent_post
from rollout.controls.freezes import (
    freeze_bypass_approve,
    freeze_bypass_request,
    freeze_create,
    freeze_lift_approve,
    freeze_lift_request,
)
from rollout.controls.pauses import pause_create, pause_holds_until, pause_resume
from rollout.controls.windows import WEEKDAYS, window_create, window_delete
from rollout.desired.changes import Outcome, RolloutPage, attempt, blast_out, preview_requested
from rollout.models import ContentCategory, Freeze, HostGroup, MaintenanceWindow, Pause, PauseScope
from rollout.resolver.recurrence import Recurrence, local_to_utc, next_occurrences, zone
from rollout.selectors.controls import active_pauses


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
        dry = preview_requested(request)
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
                    freeze_lift_request(
                        tenant=self.tenant,
                        actor=self.ctx.actor,
                        freeze=freeze,
                        reason=request.POST.get("reason", ""),
                    )
                    messages.info(request, "Asked to lift the freeze: a second admin must approve.")
                elif kind == "bypass_request":
                    freeze_bypass_request(
                        tenant=self.tenant,
                        actor=self.ctx.actor,
                        freeze=freeze,
                        reason=request.POST.get("reason", ""),
                    )
                    messages.info(
                        request, "Asked to let critical content through: a second admin must approve."
                    )
                elif kind == "bypass_approve":
                    approved = freeze_bypass_approve(tenant=self.tenant, actor=self.ctx.actor, freeze=freeze)
                    messages.success(
                        request, f"Critical content now passes the freeze. {approved.blast.summary()}"
                    )
                else:
                    lifted = freeze_lift_approve(tenant=self.tenant, actor=self.ctx.actor, freeze=freeze)
                    messages.success(request, f"Freeze lifted. {lifted.blast.summary()}")
            except ApplicationError as exc:
                messages.error(request, exc.detail)
            return redirect("/rollout/windows/")
        if kind == "window_delete":
            window = (
                self.get_queryset()
                .filter(pk__in=[v for v in [request.POST.get("window", "")] if is_uuid(v)])
                .first()
            )
            if window is None:
                return HttpResponse(status=404)
            outcome, errors, error = attempt(
                lambda: window_delete(
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
                    raise InvalidInput("Bad start.", errors={"starts_at": ["Enter a date and time."]})
                if ends is None:
                    raise InvalidInput("Bad end.", errors={"ends_at": ["Enter a date and time."]})
                return freeze_create(tenant=self.tenant, actor=self.ctx.actor, reason=form.get("reason", ""),
                                              starts_at=starts, ends_at=ends, dry_run=dry)  # fmt: skip
        else:

            def create() -> Outcome:
                try:
                    weekdays = [int(d) for d in form["weekdays"]]
                    minutes = int(form.get("duration_minutes") or 0)
                except ValueError:
                    raise InvalidInput(
                        "Bad number.", errors={"duration_minutes": ["Enter a number of minutes."]}
                    ) from None
                data = {"name": form.get("name", ""), "weekdays": weekdays, "start": form.get("start", ""),
                        "duration_minutes": minutes, "timezone": form.get("timezone", "")}  # fmt: skip
                return window_create(tenant=self.tenant, actor=self.ctx.actor, data=data, dry_run=dry)

        outcome, errors, error = attempt(create)
        if outcome is None:
            return self.page(request, self.context(form=form, errors=errors, error=error), status=400)
        if dry:
            return self.page(request, self.context(form=form, blast=blast_out(outcome.blast), previewed=True))
        return render(
            request,
            "rollout/saved.html",
            {"what": "Saved", "blast": blast_out(outcome.blast), "back": "/rollout/windows/"},
        )


def _local_dt(value: str, tz_name: str) -> datetime | None:
    parsed = parse_datetime(value) if value else None
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        return local_to_utc(parsed, zone(tz_name))
    return parsed


class PausesPage(RolloutPage):
    model = Pause
    template_name = "rollout/pauses.html"
    scope_map: ClassVar[dict[str, str]] = {"GET": READ, "POST": OPERATE}

    def context(self, **extra: Any) -> dict[str, Any]:
        now = timezone.now()
        active = active_pauses(self.tenant, now)
        resumes: list[tuple[Pause, datetime | None]] = []
        for pause in active:
            ends = pause_holds_until(
                started_at=pause.created_at, expires_at=pause.expires_at, category=pause.category
            )
            resumes.append((pause, ends))
        critical = list(ContentCategory.objects.filter(system_critical=True))
        tenant_pause = next((p for p in active if p.scope == "tenant"), None)
        critical_resume = (
            [
                (
                    c,
                    pause_holds_until(
                        started_at=tenant_pause.created_at, expires_at=tenant_pause.expires_at, category=c
                    ),
                )
                for c in critical
            ]
            if tenant_pause
            else []
        )
        history = self.get_queryset().select_related("group", "category").order_by("-created_at")[:30]
        return {"active": resumes, "history": history, "scopes": PauseScope.choices, "groups": HostGroup.objects.filter(tenant=self.tenant),
                "categories": ContentCategory.objects.all(), "critical_resume": critical_resume, "form": {}, "errors": {},
                **consent_context(self.tenant, self.ctx), **extra}  # fmt: skip

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.page(request, self.context())

    def post(self, request: HttpRequest) -> HttpResponseBase:
        dry = preview_requested(request)
        decided = consent_post(self.tenant, self.ctx, request, "/rollout/pauses/")
        if decided is not None:
            return decided
        if request.POST.get("form") == "resume":
            pause = self.get_queryset().filter(pk=request.POST.get("pause")).first()
            if pause is None:
                return HttpResponse(status=404)
            outcome, errors, error = attempt(
                lambda: pause_resume(tenant=self.tenant, actor=self.ctx.actor, pause=pause)
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
            return pause_create(tenant=self.tenant, actor=self.ctx.actor, scope=form.get("scope", ""), reason=form.get("reason", ""),
                                         group_id=form.get("group") or None, category_key=form.get("category") or None,
                                         expires_at=expires, dry_run=dry)  # fmt: skip

        outcome, errors, error = attempt(create)
        if outcome is None:
            return self.page(request, self.context(form=form, errors=errors, error=error), status=400)
        if dry:
            return self.page(
                request,
                self.context(form=form, blast=blast_out(outcome.blast), previewed=True, blast_hold=True),
            )
        return render(
            request,
            "rollout/saved.html",
            {
                "what": "Paused",
                "blast": blast_out(outcome.blast),
                "back": "/rollout/pauses/",
                "blast_hold": True,
            },
        )
