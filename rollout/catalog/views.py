from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views import View

from console.access import Actor
from console.errors import ApplicationError
from console.markup import notes_html
from console.models import Tenant
from rollout.catalog.contracts import sensor_capabilities_declare
from rollout.catalog.services import STAGE_ORDER, content_release_stage_set, sensor_build_stage_set
from rollout.catalog.validation import FIELD_TYPES
from rollout.consent.selectors import override_states_by_tenant
from rollout.desired.changes import preview_requested
from rollout.models import (
    ContentCategory,
    ContentRelease,
    ContentStage,
    OverrideRequest,
    ReleaseBuildCheck,
    Rollout,
    RolloutState,
    SensorBuild,
    SensorCapability,
    TemplateType,
)
from rollout.rings.start import tenants_to_start
from rollout.rings.vendor import release_halt, release_recall
from rollout.rings.views import attempt_action
from rollout.selectors.state import builds_for, catalog_state, n_levels
from telemetry.models import Host, Platform


def next_stages(release: ContentRelease) -> list[tuple[str, str]]:
    """The stages a release can move forward to (a recall has its own confirmed path)."""
    if release.stage == ContentStage.RECALLED:
        return []
    index = STAGE_ORDER.index(ContentStage(release.stage))
    return [(s.value, s.label) for s in STAGE_ORDER[index + 1 :]]


def move_effect(release: ContentRelease, stage: str) -> dict[str, Any]:
    """What moving ``release`` to ``stage`` reaches: the tenants whose first ring starts it now
    (the canary cohort), and for early access / GA every tenant whose policies follow that stage."""
    starting = Tenant.objects.filter(pk__in=tenants_to_start(release)).order_by("name")
    effect: dict[str, Any] = {
        "starting": list(starting.values_list("name", flat=True)),
        "starting_hosts": Host.objects.filter(tenant__in=starting).count(),
        "everyone": stage in (ContentStage.EARLY_ACCESS, ContentStage.GA),
    }
    if effect["everyone"]:
        effect["tenants"] = Tenant.objects.count()
        effect["hosts"] = Host.objects.count()
    return effect


class VendorCatalogPage(LoginRequiredMixin, View):
    """Release engineering's view of the catalog: builds with N levels (and what promoting a build
    would shift, for how many hosts), content releases with notes (rendered safely) and validation
    reports, and stage changes (which re-run the validation gate)."""

    def context(self, **extra: Any) -> dict[str, Any]:
        catalog = catalog_state()
        capabilities: dict[Any, list[SensorCapability]] = {}
        for cap in SensorCapability.objects.select_related("template_type"):
            capabilities.setdefault(cap.build_id, []).append(cap)
        platforms = []
        for platform in Platform.values:
            levels = n_levels(platform, catalog)
            platforms.append(
                {
                    "platform": platform,
                    "builds": [(b, capabilities.get(b.pk, [])) for b in builds_for(platform)],
                    "levels": [("N" if i == 0 else f"N-{i}", b.version) for i, b in enumerate(levels)],
                }
            )
        recent = list(
            ContentRelease.objects.select_related("category").defer("instances").order_by("-created_at")[:50]
        )
        now = timezone.now()
        asked = set(OverrideRequest.objects.filter(release__in=recent).values_list("release_id", flat=True))
        cells: dict[Any, list[ReleaseBuildCheck]] = {}
        for check in ReleaseBuildCheck.objects.filter(release__in=recent):
            cells.setdefault(check.release_id, []).append(check)
        releases = [
            {
                "release": r,
                "notes_html": notes_html(r.notes),
                "next_stages": next_stages(r),
                "matrix": cells.get(r.pk, []),
                "overrides": override_states_by_tenant(r, now) if r.pk in asked else [],
                "blocked_everywhere": bool(cells.get(r.pk))
                and all(c.status == "incompatible" for c in cells[r.pk]),
            }
            for r in recent
        ]
        return {
            "platforms": platforms,
            "releases": releases,
            "categories": ContentCategory.objects.all(),
            "templates": TemplateType.objects.all(),
            "build_stages": ["early_adopter", "ga", "withdrawn"],
            "all_builds": SensorBuild.objects.order_by("platform", "-released_at"),
            "field_types": FIELD_TYPES,
            "can_edit": getattr(self.request.user, "vendor_role", "") == "release_engineer",
            **extra,
        }

    def get(self, request: HttpRequest) -> HttpResponse:
        if not getattr(request.user, "vendor_role", ""):
            return HttpResponse("This page is for vendor staff.", status=403)
        return render(request, "rollout/vendor_catalog.html", self.context())

    def post(self, request: HttpRequest) -> HttpResponse:

        if getattr(request.user, "vendor_role", "") != "release_engineer":
            return HttpResponse("Only release engineers change the catalog.", status=403)
        actor = Actor.for_user(request.user, request)  # type: ignore[arg-type]
        stage = request.POST.get("stage", "")
        try:
            if request.POST.get("form") == "capability":
                return self.capability_post(request, actor)
            if request.POST.get("form") == "release":
                release = ContentRelease.objects.filter(pk=request.POST.get("release", "")).first()
                if release is None:
                    return HttpResponse(status=404)
                return self.release_move(request, actor, release, stage)
            build = SensorBuild.objects.filter(pk=request.POST.get("build", "")).first()
            if build is None:
                return HttpResponse(status=404)
            result = sensor_build_stage_set(
                actor=actor, build=build, stage=stage, dry_run=preview_requested(request)
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

    def release_move(
        self, request: HttpRequest, actor: Actor, release: ContentRelease, stage: str
    ) -> HttpResponse:
        """A stage change is shown with what it reaches and needs a reason before it happens."""
        allowed = dict(next_stages(release))
        if stage not in allowed:
            message = f"Choose a stage after {release.get_stage_display()}."
            return render(request, "rollout/vendor_catalog.html",
                          self.context(error=message, problems=[]), status=400)  # fmt: skip
        reason = request.POST.get("reason", "").strip()
        move = {"release": release, "stage": stage, "stage_label": allowed[stage], "reason": reason,
                "effect": move_effect(release, stage), "errors": {}}  # fmt: skip
        if preview_requested(request) or not reason:
            if not preview_requested(request):
                move["errors"] = {"reason": ["Say why this release moves (it is kept in the audit log)."]}
            status = 400 if move["errors"] else 200
            return render(request, "rollout/vendor_catalog.html", self.context(move=move), status=status)
        moved = content_release_stage_set(actor=actor, release=release, stage=stage, reason=reason)
        label = f"{release.category.name} {release.version} is now {allowed[stage].lower()}."
        if moved.stage != stage:
            label = (
                f"{release.category.name} {release.version} is at least twice the size of the "
                f"previous release: approved by {moved.first_approver}, it waits for a second approver."
            )
        return render(request, "rollout/vendor_catalog.html", self.context(message=label))

    def capability_post(self, request: HttpRequest, actor: Actor) -> HttpResponse:
        """Declares one template type for an existing build (the form keeps what was typed on error)."""
        build = SensorBuild.objects.filter(pk=request.POST.get("build", "")).first()
        if build is None:
            return HttpResponse(status=404)
        types = [t.strip() for t in request.POST.get("accepted_types", "").split(",") if t.strip()]
        raw: dict[str, Any] = {
            "template_type": request.POST.get("template_type", ""),
            "accepted_types": types,
        }
        for key in ("input_count", "max_bytes", "max_entries"):
            value = request.POST.get(key, "").strip()
            if value:
                raw[key] = int(value) if value.isascii() and value.isdigit() else value
        try:
            sensor_capabilities_declare(actor=actor, build=build, capabilities=[raw])
        except ApplicationError as exc:
            errors = [m for messages in exc.errors.values() for m in messages] or [exc.detail]
            return render(
                request,
                "rollout/vendor_catalog.html",
                self.context(capability_errors=errors, capability_form=request.POST),
                status=exc.status,
            )
        return render(
            request,
            "rollout/vendor_catalog.html",
            self.context(message=f"{build} now declares {raw['template_type']}."),
        )


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
                    "live": RolloutState.IN_RING in states,
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
            error = attempt_action(lambda: release_recall(release=release, actor=actor, reason=reason))
        else:
            error = attempt_action(lambda: release_halt(release=release, actor=actor, reason=reason))
        if error:
            return render(request, "rollout/vendor_releases.html", self.context(error=error), status=400)
        return redirect("/vendor/releases/")
