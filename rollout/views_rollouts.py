"""Pages of staged rollouts (list, detail with per-ring progress and the operator verbs), webhooks
(admin-managed, with the delivery log) and the vendor's global halt / recall."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views import View

from console.access import Actor
from console.errors import ApplicationError, PreconditionFailed
from console.scoping import ADMIN, OPERATE, READ, WRITE, TenantPageMixin
from rollout import ring_services, rollouts, vendor_stages, webhooks
from rollout.api_rollouts import rollout_detail
from rollout.models import (
    ContentRelease,
    ContentStage,
    HostGroup,
    Ring,
    Rollout,
    WebhookDelivery,
    WebhookEndpoint,
)
from rollout.presenters import notes_html
from rollout.views import _is_uuid


def _try(fn: Callable[[], Any]) -> str:
    """'' when the service call succeeded, else the message to show."""
    try:
        fn()
    except ApplicationError as exc:
        detail = "; ".join(m for ms in (exc.errors or {}).values() for m in ms)
        return detail or exc.detail
    return ""


class RolloutListPage(TenantPageMixin, View):
    model = Rollout
    scope_map: ClassVar[dict[str, str]] = {"GET": READ}

    def get(self, request: HttpRequest) -> HttpResponse:
        items = self.get_queryset().select_related("release").order_by("-created_at")[:100]
        return render(request, "rollout/rollouts.html", {"rollouts": items})


class RolloutDetailPage(TenantPageMixin, View):
    model = Rollout
    scope_map: ClassVar[dict[str, str]] = {"GET": READ, "POST": OPERATE}

    def get(self, request: HttpRequest, pk: Any, error: str = "", status: int = 200) -> HttpResponse:
        rollout = self.get_object(pk=pk)
        detail = rollout_detail(rollout)
        context = {
            "rollout": rollout,
            "d": detail,
            "notes_html": notes_html(detail["release_notes"]),
            "error": error,
            "can_operate": self.ctx.can(OPERATE),
        }
        return render(request, "rollout/rollout_detail.html", context, status=status)

    def post(self, request: HttpRequest, pk: Any) -> HttpResponse:
        rollout = self.get_object(pk=pk)
        verb = request.POST.get("verb", "")
        reason = request.POST.get("reason", "")
        kw = {"tenant": self.tenant, "actor": self.ctx.actor, "rollout": rollout}
        actions: dict[str, Callable[[], Any]] = {
            "halt": lambda: rollouts.rollout_halt(**kw, reason=reason),
            "resume": lambda: rollouts.rollout_resume(**kw),
            "promote": lambda: rollouts.rollout_promote(**kw),
            "rollback": lambda: rollouts.rollout_rollback(**kw, reason=reason),
        }
        if verb not in actions:
            return self.get(request, pk, error="Unknown action.", status=400)
        error = _try(actions[verb])
        if error:
            return self.get(request, pk, error=error, status=400)
        return redirect(f"/rollout/rollouts/{rollout.pk}/")


def _ring_form(request: HttpRequest) -> dict[str, str]:
    return {k: request.POST.get(k, "").strip() for k in ring_services.RING_FIELDS if k in request.POST}


class RingsPage(TenantPageMixin, View):
    """The tenant's rings in order: add (placed last), move up / down, delete (confirmed)."""

    model = Ring
    scope_map: ClassVar[dict[str, str]] = {"GET": READ, "POST": WRITE}

    def context(self, **extra: Any) -> dict[str, Any]:
        return {
            "rings": list(self.get_queryset().select_related("group").order_by("order")),
            "groups": list(self.scoped(HostGroup.objects.all()).order_by("name")),
            "live": list(self.scoped(Rollout.objects.filter(state__in=rollouts.LIVE)).order_by("created_at")),
            "can_write": self.ctx.can(WRITE),
            "form": {},
            "errors": {},
            "error": "",
            **extra,
        }

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "rollout/rings.html", self.context())

    def post(self, request: HttpRequest) -> HttpResponse:
        kind = request.POST.get("form", "")
        kw = {"tenant": self.tenant, "actor": self.ctx.actor}
        if kind == "create":
            form = _ring_form(request)
            try:
                created = ring_services.ring_create(**kw, data=dict(form))
            except ApplicationError as exc:
                ctx = self.context(form=form, errors=exc.errors, error="" if exc.errors else exc.detail)
                return render(request, "rollout/rings.html", ctx, status=400)
            messages.success(request, f"Ring {created.name!r} added as ring {created.order}.")
            return redirect("/rollout/rings/")
        ring = (
            self.get_queryset()
            .filter(pk__in=[v for v in [request.POST.get("ring", "")] if _is_uuid(v)])
            .first()
        )
        if ring is None or kind not in ("move", "delete"):
            return HttpResponse(status=404 if kind in ("move", "delete") else 400)
        if kind == "move":
            error = _try(
                lambda: ring_services.ring_move(**kw, ring=ring, direction=request.POST.get("direction", ""))
            )
        else:
            version = request.POST.get("version", "")
            expected = int(version) if version.isdigit() else None
            error = _try(lambda: ring_services.ring_delete(**kw, ring=ring, expected_version=expected))
        if error:
            return render(request, "rollout/rings.html", self.context(error=error), status=409)
        messages.success(request, f"Ring {ring.name!r} {'moved' if kind == 'move' else 'deleted'}.")
        return redirect("/rollout/rings/")


class RingEditPage(TenantPageMixin, View):
    """One ring's hosts (group or percentage), soak and gate thresholds."""

    model = Ring
    scope_map: ClassVar[dict[str, str]] = {"GET": READ, "POST": WRITE}

    def render_form(
        self, request: HttpRequest, ring: Ring, form: dict[str, Any], errors: Any = None, error: str = ""
    ) -> HttpResponse:
        context = {
            "ring": ring,
            "form": form,
            "errors": errors or {},
            "error": error,
            "groups": list(self.scoped(HostGroup.objects.all()).order_by("name")),
            "can_write": self.ctx.can(WRITE),
        }
        return render(request, "rollout/ring_edit.html", context, status=400 if (errors or error) else 200)

    def get(self, request: HttpRequest, pk: Any) -> HttpResponse:
        ring = self.get_object(pk=pk)
        form = {k: ("" if v is None else str(v)) for k, v in rollouts.ring_dict(ring).items()}
        return self.render_form(request, ring, form)

    def post(self, request: HttpRequest, pk: Any) -> HttpResponse:
        ring = self.get_object(pk=pk)
        form = _ring_form(request)
        version = request.POST.get("version", "")
        try:
            ring_services.ring_update(
                tenant=self.tenant,
                actor=self.ctx.actor,
                ring=ring,
                data=dict(form),
                expected_version=int(version) if version.isdigit() else None,
            )
        except PreconditionFailed as exc:
            return self.render_form(request, ring, {**form, "version": str(ring.version)}, error=exc.detail)
        except ApplicationError as exc:
            form["version"] = version
            return self.render_form(request, ring, form, exc.errors, "" if exc.errors else exc.detail)
        messages.success(request, f"Ring {ring.name!r} saved.")
        return redirect("/rollout/rings/")


class WebhooksPage(TenantPageMixin, View):
    model = WebhookEndpoint
    scope_map: ClassVar[dict[str, str]] = {"GET": READ, "POST": ADMIN}

    def context(self, **extra: Any) -> dict[str, Any]:
        endpoints = list(self.get_queryset().order_by("name"))
        deliveries = (
            self.scoped(WebhookDelivery.objects.all())
            .select_related("endpoint")
            .order_by("-created_at")[:100]
        )
        return {
            "endpoints": endpoints,
            "deliveries": deliveries,
            "events": webhooks.EVENTS,
            "form": {},
            "errors": {},
            "can_admin": self.ctx.can(ADMIN),
            **extra,
        }

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "rollout/webhooks.html", self.context())

    def post(self, request: HttpRequest) -> HttpResponse:
        if request.POST.get("form") == "delete":
            endpoint = self.get_queryset().filter(pk=request.POST.get("webhook") or None).first()
            if endpoint is None:
                return HttpResponse(status=404)
            webhooks.webhook_delete(tenant=self.tenant, actor=self.ctx.actor, endpoint=endpoint)
            return redirect("/rollout/webhooks/")
        form = dict(request.POST.items())
        try:
            _, secret = webhooks.webhook_create(
                tenant=self.tenant,
                actor=self.ctx.actor,
                name=request.POST.get("name", ""),
                url=request.POST.get("url", ""),
                events=request.POST.getlist("events"),
            )
        except ApplicationError as exc:
            ctx = self.context(form=form, errors=exc.errors, error="" if exc.errors else exc.detail)
            return render(request, "rollout/webhooks.html", ctx, status=400)
        return render(request, "rollout/webhooks.html", self.context(secret=secret))


class VendorReleasesPage(LoginRequiredMixin, View):
    """Release engineering: where each release stands across tenants, and the global halt / recall."""

    def context(self, **extra: Any) -> dict[str, Any]:
        releases = []
        for release in (
            ContentRelease.objects.select_related("category").defer("instances").order_by("-created_at")[:50]
        ):
            states: dict[str, int] = {}
            for state in Rollout.objects.filter(
                subject=f"content:{release.category.key}", version=release.version
            ).values_list("state", flat=True):
                states[state] = states.get(state, 0) + 1
            releases.append(
                {
                    "release": release,
                    "states": sorted(states.items()),
                    "notes_html": notes_html(release.notes),
                }
            )
        return {
            "releases": releases,
            "can_edit": getattr(self.request.user, "vendor_role", "") == "release_engineer",
            "recalled": ContentStage.RECALLED,
            **extra,
        }

    def get(self, request: HttpRequest) -> HttpResponse:
        if not getattr(request.user, "vendor_role", ""):
            return HttpResponse("This page is for vendor staff.", status=403)
        return render(request, "rollout/vendor_releases.html", self.context())

    def post(self, request: HttpRequest) -> HttpResponse:
        if getattr(request.user, "vendor_role", "") != "release_engineer":
            return HttpResponse("Only release engineers halt or recall releases.", status=403)
        actor = Actor.for_user(request.user, request)  # type: ignore[arg-type]
        try:
            release = (
                ContentRelease.objects.select_related("category")
                .filter(pk=request.POST.get("release", ""))
                .first()
            )
        except ValidationError:
            release = None
        if release is None:
            return HttpResponse(status=404)
        reason = request.POST.get("reason", "")
        if request.POST.get("verb") == "recall":
            error = _try(lambda: vendor_stages.release_recall(release=release, actor=actor, reason=reason))
        else:
            error = _try(lambda: vendor_stages.release_halt(release=release, actor=actor, reason=reason))
        if error:
            return render(request, "rollout/vendor_releases.html", self.context(error=error), status=400)
        return redirect("/vendor/releases/")


urlpatterns: list[Any] = [
    path("rollout/rings/", RingsPage.as_view(), name="rollout-rings"),
    path("rollout/rings/<uuid:pk>/", RingEditPage.as_view(), name="rollout-ring"),
    path("rollout/rollouts/", RolloutListPage.as_view(), name="rollout-rollouts"),
    path("rollout/rollouts/<uuid:pk>/", RolloutDetailPage.as_view(), name="rollout-rollout"),
    path("rollout/webhooks/", WebhooksPage.as_view(), name="rollout-webhooks"),
    path("vendor/releases/", VendorReleasesPage.as_view(), name="rollout-vendor-releases"),
]
