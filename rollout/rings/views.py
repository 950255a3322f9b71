from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_datetime
from django.views import View

from console.editing import is_uuid
from console.errors import ApplicationError, PreconditionFailed
from console.markup import notes_html
from console.scoping import OPERATE, READ, WRITE, TenantPageMixin
from rollout.consent.pages import consent_context, consent_post
from rollout.models import HostGroup, Ring, Rollout
from rollout.rings.admin import LIVE, RING_FIELDS, ring_create, ring_delete, ring_dict, ring_move, ring_update
from rollout.rings.api import rollout_detail
from rollout.rings.forecast import forecast_page, release_forecast
from rollout.rings.progress import LIVE_STATES, rollout_progress_view
from rollout.rings.transitions import rollout_halt, rollout_promote, rollout_resume, rollout_rollback


def attempt_action(fn: Callable[[], Any]) -> str:
    """'' when the service call succeeded, else the message to show."""
    try:
        fn()
    except ApplicationError as exc:
        detail = "; ".join(m for ms in (exc.errors or {}).values() for m in ms)
        return detail or exc.detail
    return ""


def rollout_rows(rollouts: list[Rollout]) -> list[dict[str, Any]]:
    """Rollouts with the progress of the live ones (in a ring or halted): the finished ones need none."""
    return [
        {"r": r, "p": rollout_progress_view(rollout_detail(r)) if r.state in LIVE_STATES else None}
        for r in rollouts
    ]


class RolloutListPage(TenantPageMixin, View):
    """The tenant's rollouts, newest first; the rows re-read themselves when a rollout changes."""

    model = Rollout
    scope_map: ClassVar[dict[str, str]] = {"GET": READ}

    def get(self, request: HttpRequest) -> HttpResponse:
        items = list(self.get_queryset().select_related("release").order_by("-created_at")[:100])
        template = (
            "rollout/_rollout_rows.html" if request.GET.get("fragment") == "rows" else "rollout/rollouts.html"
        )
        return render(request, template, {"rows": rollout_rows(items)})


class RolloutLiveMixin(TenantPageMixin):
    """Renders a rollout's page (or its live part alone) from ``rollout_detail``."""

    model = Rollout
    template_name = "rollout/rollout_detail.html"
    live_only = False  # the live part alone: no forecast, notes or override requests (re-fetched often)

    def get(self, request: HttpRequest, pk: Any, error: str = "", status: int = 200) -> HttpResponse:
        rollout = self.get_object(pk=pk)
        detail = rollout_detail(rollout)
        release = rollout.release
        detail["events"] = [{**e, "at_dt": parse_datetime(e["at"])} for e in detail["events"]]
        context = {
            "rollout": rollout,
            "d": detail,
            "p": rollout_progress_view(detail),
            "error": error,
            "can_operate": self.ctx.can(OPERATE),
        }
        if not self.live_only:
            context |= {
                "fc": forecast_page(release_forecast(self.tenant, release)) if release is not None else None,
                "notes_html": notes_html(detail["release_notes"]),
                "release_only": True,
                **(consent_context(self.tenant, self.ctx, release=release) if release is not None else {}),
            }
        return render(request, self.template_name, context, status=status)


class RolloutLivePage(RolloutLiveMixin, View):
    """The live part of a rollout's page alone, re-fetched when the events websocket says it changed."""

    scope_map: ClassVar[dict[str, str]] = {"GET": READ}
    template_name = "rollout/_rollout_live.html"
    live_only = True


class RolloutDetailPage(RolloutLiveMixin, View):
    scope_map: ClassVar[dict[str, str]] = {"GET": READ, "POST": OPERATE}

    def post(self, request: HttpRequest, pk: Any) -> HttpResponse:
        rollout = self.get_object(pk=pk)
        decided = consent_post(self.tenant, self.ctx, request, f"/rollout/rollouts/{rollout.pk}/")
        if decided is not None:
            return decided
        verb = request.POST.get("verb", "")
        reason = request.POST.get("reason", "")
        kw = {"tenant": self.tenant, "actor": self.ctx.actor, "rollout": rollout}
        actions: dict[str, Callable[[], Any]] = {
            "halt": lambda: rollout_halt(**kw, reason=reason),
            "resume": lambda: rollout_resume(**kw),
            "promote": lambda: rollout_promote(**kw),
            "rollback": lambda: rollout_rollback(**kw, reason=reason),
        }
        if verb not in actions:
            return self.get(request, pk, error="Unknown action.", status=400)
        error = attempt_action(actions[verb])
        if error:
            return self.get(request, pk, error=error, status=400)
        return redirect(f"/rollout/rollouts/{rollout.pk}/")


def _ring_form(request: HttpRequest) -> dict[str, str]:
    return {k: request.POST.get(k, "").strip() for k in RING_FIELDS if k in request.POST}


class RingsPage(TenantPageMixin, View):
    """The tenant's rings in order: add (placed last), move up / down, delete (confirmed)."""

    model = Ring
    scope_map: ClassVar[dict[str, str]] = {"GET": READ, "POST": WRITE}

    def context(self, **extra: Any) -> dict[str, Any]:
        return {
            "rings": list(self.get_queryset().select_related("group").order_by("order")),
            "groups": list(self.scoped(HostGroup.objects.all()).order_by("name")),
            "live": list(self.scoped(Rollout.objects.filter(state__in=LIVE)).order_by("created_at")),
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
                created = ring_create(**kw, data=dict(form))
            except ApplicationError as exc:
                ctx = self.context(form=form, errors=exc.errors, error="" if exc.errors else exc.detail)
                return render(request, "rollout/rings.html", ctx, status=400)
            messages.success(request, f"Ring {created.name!r} added as ring {created.order}.")
            return redirect("/rollout/rings/")
        ring = (
            self.get_queryset()
            .filter(pk__in=[v for v in [request.POST.get("ring", "")] if is_uuid(v)])
            .first()
        )
        if ring is None or kind not in ("move", "delete"):
            return HttpResponse(status=404 if kind in ("move", "delete") else 400)
        if kind == "move":
            error = attempt_action(
                lambda: ring_move(**kw, ring=ring, direction=request.POST.get("direction", ""))
            )
        else:
            version = request.POST.get("version", "")
            expected = int(version) if version.isascii() and version.isdigit() else None
            error = attempt_action(lambda: ring_delete(**kw, ring=ring, expected_version=expected))
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
        form = {k: ("" if v is None else str(v)) for k, v in ring_dict(ring).items()}
        return self.render_form(request, ring, form)

    def post(self, request: HttpRequest, pk: Any) -> HttpResponse:
        ring = self.get_object(pk=pk)
        form = _ring_form(request)
        version = request.POST.get("version", "")
        try:
            ring_update(
                tenant=self.tenant,
                actor=self.ctx.actor,
                ring=ring,
                data=dict(form),
                expected_version=int(version) if version.isascii() and version.isdigit() else None,
            )
        except PreconditionFailed as exc:
            return self.render_form(request, ring, {**form, "version": str(ring.version)}, error=exc.detail)
        except ApplicationError as exc:
            form["version"] = version
            return self.render_form(request, ring, form, exc.errors, "" if exc.errors else exc.detail)
        messages.success(request, f"Ring {ring.name!r} saved.")
        return redirect("/rollout/rings/")
