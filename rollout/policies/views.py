from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render

from console.access import READ, WRITE
from console.errors import ApplicationError, Conflict, InvalidInput
from rollout.controls.windows import blocks_parse, blocks_text
from rollout.desired.changes import (
    STALE_MESSAGE,
    Outcome,
    RolloutPage,
    attempt,
    blast_out,
    posted_ids,
    preview_requested,
)
from rollout.models import (
    BuildStage,
    ContentCategory,
    ContentRelease,
    ContentStage,
    ContentUpdatePolicy,
    HostGroup,
    MaintenanceWindow,
    SensorBuild,
    SensorUpdatePolicy,
)
from rollout.policies.code import PLAN_FINGERPRINT_RE, policy_dump, policy_export, policy_import
from rollout.policies.pickers import mode_posted, pickers_check, target_posted
from rollout.policies.services import (
    CONTENT,
    SENSOR,
    PolicyKind,
    policy_create,
    policy_delete,
    policy_move,
    policy_update,
)
from rollout.rings.forecast import (
    forecast_page,
    forecast_release_for_category,
    release_forecast,
    release_forecast_after,
)
from rollout.selectors.state import catalog_state, n_levels
from telemetry.models import Platform


def picker_choices(*, platform: str = "", category: ContentCategory | None = None) -> dict[str, Any]:
    """What the target and mode pickers offer to pin: the catalog's builds and valid releases."""
    builds = SensorBuild.objects.exclude(stage=BuildStage.WITHDRAWN).order_by("platform", "-released_at")
    releases = (
        ContentRelease.objects.filter(valid=True)
        .exclude(stage__in=(ContentStage.RECALLED, ContentStage.INTERNAL))
        .select_related("category")
        .order_by("category__name", "-created_at")
    )
    return {
        "builds": builds.filter(platform=platform) if platform else builds,
        "releases": releases.filter(category=category) if category else releases,
    }


class PolicyListPage(RolloutPage):
    model = SensorUpdatePolicy
    template_name = "rollout/policies.html"
    scope_map: ClassVar[dict[str, str]] = {"GET": READ, "POST": WRITE}

    def context(self, **extra: Any) -> dict[str, Any]:
        catalog = catalog_state()
        sensor = []
        for platform in Platform.values:
            policies = list(
                self.get_queryset()
                .filter(platform=platform)
                .prefetch_related("groups")
                .order_by("is_default", "precedence")
            )
            levels = n_levels(platform, catalog)
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
                "categories": ContentCategory.objects.all(), "form": {}, "errors": {}, **picker_choices(), **extra}  # fmt: skip

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.page(request, self.context())

    def post(self, request: HttpRequest) -> HttpResponse:
        kind = request.POST.get("form", "sensor")
        dry = preview_requested(request)
        form: dict[str, Any] = dict(request.POST.items()) | {
            "groups": posted_ids(request, "groups"),
            "windows": posted_ids(request, "windows"),
            "kind": kind,
            "target": target_posted(request.POST),
            "mode": mode_posted(request.POST),
        }
        spec = CONTENT if kind == "content" else SENSOR

        def create() -> Outcome:
            pickers_check(request.POST)
            if spec is CONTENT:
                category = ContentCategory.objects.filter(key=form.get("category", "")).first()
                if category is None:
                    raise InvalidInput("Choose a category.", errors={"category": ["Choose a category."]})
                scope: dict[str, Any] = {"category": category}
                fields = {"mode": form.get("mode", ""), "critical_bypass_windows": form.get("critical_bypass_windows") == "on"}  # fmt: skip
            else:
                scope = {"platform": form.get("platform", "")}
                fields = {"target": form.get("target", ""), "update_blocks": None, "timezone": form.get("timezone") or "UTC",
                          "uninstall_protection": form.get("uninstall_protection") == "on"}  # fmt: skip
            return policy_create(
                spec, tenant=self.tenant, actor=self.ctx.actor, name=form.get("name", ""), scope=scope,
                fields=fields, group_ids=form["groups"], window_ids=form["windows"], dry_run=dry,
            )  # fmt: skip

        outcome, errors, error = attempt(create)
        if outcome is None:
            return self.page(request, self.context(form=form, errors=errors, error=error), status=400)
        blast = blast_out(outcome.blast)
        if dry:
            return self.page(request, self.context(form=form, blast=blast, previewed=True))
        return render(request, "rollout/saved.html", {"what": f"Policy {outcome.obj.name!r} created", "blast": blast,
                                                      "back": "/rollout/policies/"})  # fmt: skip


def _picked(request: HttpRequest) -> dict[str, str]:
    """The target and mode as the pickers posted them (a form re-renders with them)."""
    return {"target": target_posted(request.POST), "mode": mode_posted(request.POST)}


def _kind(kind: str) -> PolicyKind:
    """The policy kind a page URL names (``sensor`` or ``content``)."""
    return SENSOR if kind == "sensor" else CONTENT


def _policy(view: RolloutPage, kind: str, pk: Any) -> Any:
    model = _kind(kind).model
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
            levels = n_levels(policy.platform)
            extra.setdefault(
                "levels", [("n" if i == 0 else f"n-{i}", b.version) for i, b in enumerate(levels)]
            )
        else:
            form |= {"mode": policy.mode, "critical_bypass_windows": policy.critical_bypass_windows,
                     "windows": [str(w.pk) for w in policy.windows.all()]}  # fmt: skip
        pinnable = (
            picker_choices(platform=policy.platform)
            if kind == "sensor"
            else picker_choices(category=policy.category)
        )
        return {"kind": kind, "policy": policy, "form": form, "errors": {}, "groups": HostGroup.objects.filter(tenant=self.tenant),
                "windows": MaintenanceWindow.objects.filter(tenant=self.tenant), **pinnable, **extra}  # fmt: skip

    def get(self, request: HttpRequest, kind: str, pk: Any) -> HttpResponse:
        return self.page(request, self.context(kind, _policy(self, kind, pk)))

    def forecast(self, policy: ContentUpdatePolicy, changes: dict[str, Any]) -> dict[str, Any] | None:
        """The exposure forecast of the category's newest release now and after the previewed edit."""
        release = forecast_release_for_category(policy.category_id)
        if release is None:
            return None
        now = release_forecast(self.tenant, release)
        after = release_forecast_after(self.tenant, release, lambda: policy_update(
            CONTENT, tenant=self.tenant, actor=self.ctx.actor, policy=policy, expected_version=None,
            changes=changes, dry_run=False,
        ))  # fmt: skip
        return forecast_page(after, now)

    def post(self, request: HttpRequest, kind: str, pk: Any) -> HttpResponseBase:
        policy = _policy(self, kind, pk)
        dry = preview_requested(request)
        action = request.POST.get("form", "edit")
        version = int(request.POST.get("version") or 0) or None
        if action in ("up", "down"):
            outcome, errors, error = attempt(lambda: policy_move(
                tenant=self.tenant, actor=self.ctx.actor, policy=policy, direction=action, dry_run=dry))  # fmt: skip
            if outcome is not None and not dry:
                return render(request, "rollout/saved.html", {"what": f"Moved {policy.name!r} {action}", "blast": blast_out(outcome.blast),
                                                              "back": "/rollout/policies/"})  # fmt: skip
            return render(request, "rollout/confirm_move.html", {"policy": policy, "kind": kind, "direction": action,
                          "blast": blast_out(outcome.blast) if outcome else None, "error": error or str(errors)})  # fmt: skip
        spec = _kind(kind)
        if action == "delete":
            fn: Callable[[], Outcome] = lambda: policy_delete(  # noqa: E731
                spec, tenant=self.tenant, actor=self.ctx.actor, policy=policy, expected_version=version, dry_run=dry
            )  # fmt: skip
        else:
            changes: dict[str, Any] = {"name": request.POST.get("name", "")}
            if not policy.is_default:
                changes["groups"] = posted_ids(request, "groups")
            if spec is SENSOR:
                changes |= {"target": target_posted(request.POST), "timezone": request.POST.get("timezone") or "UTC",
                            "uninstall_protection": request.POST.get("uninstall_protection") == "on"}  # fmt: skip
            else:
                changes |= {"mode": mode_posted(request.POST), "windows": posted_ids(request, "windows"),
                            "critical_bypass_windows": request.POST.get("critical_bypass_windows") == "on"}  # fmt: skip

            def fn() -> Outcome:
                pickers_check(request.POST)
                if spec is SENSOR:
                    # Parsed inside the attempt: a malformed block is a field error on the page.
                    changes["update_blocks"] = blocks_parse(request.POST.get("update_blocks", ""))
                return policy_update(
                    spec, tenant=self.tenant, actor=self.ctx.actor, policy=policy, expected_version=version,
                    changes=changes, dry_run=dry,
                )  # fmt: skip

        outcome, errors, error = attempt(fn)
        if outcome is None:
            policy.refresh_from_db()
            context = self.context(kind, policy, errors=errors, error=error)
            if error != STALE_MESSAGE:
                context["form"] |= dict(request.POST.items()) | {
                    "groups": posted_ids(request, "groups"),
                    "windows": posted_ids(request, "windows"),
                    **_picked(request),
                }
            return self.page(request, context, status=409 if error == STALE_MESSAGE else 400)
        blast = blast_out(outcome.blast)
        if dry:
            context = self.context(kind, policy, blast=blast, previewed=action)
            if spec is CONTENT and action == "edit":
                context["fc"] = self.forecast(policy, changes)
            context["form"] |= dict(request.POST.items()) | {"groups": posted_ids(request, "groups"), "windows": posted_ids(request, "windows"),
                                                             "uninstall_protection": request.POST.get("uninstall_protection") == "on",
                                                             "critical_bypass_windows": request.POST.get("critical_bypass_windows") == "on",
                                                             **_picked(request)}  # fmt: skip
            return self.page(request, context)
        return render(request, "rollout/saved.html", {"what": f"Policy {policy.name!r} saved", "blast": blast,
                                                      "back": "/rollout/policies/"})  # fmt: skip


class PolicyCodePage(RolloutPage):
    model = SensorUpdatePolicy
    template_name = "rollout/policy_code.html"
    scope_map: ClassVar[dict[str, str]] = {"GET": READ, "POST": WRITE}

    def get(self, request: HttpRequest) -> HttpResponse:
        fmt = request.GET.get("download")
        if fmt in ("yaml", "json"):
            text = policy_dump(policy_export(self.tenant), fmt)
            response = HttpResponse(
                text, content_type="application/json" if fmt == "json" else "application/yaml"
            )
            response["Content-Disposition"] = f'attachment; filename="{self.tenant.slug}-policy.{fmt}"'
            return response
        current = policy_dump(policy_export(self.tenant), "yaml")
        return self.page(request, {"document": current, "errors": {}})

    def post(self, request: HttpRequest) -> HttpResponse:
        text = request.POST.get("document", "")
        dry = preview_requested(request)
        # "Apply" after "Show plan" applies that plan only: the preview's fingerprint rides along.
        fingerprint = request.POST.get("plan_fingerprint", "")
        expected = fingerprint if not dry and PLAN_FINGERPRINT_RE.fullmatch(fingerprint) else None
        try:
            plan = policy_import(
                tenant=self.tenant,
                actor=self.ctx.actor,
                text=text,
                dry_run=dry,
                expected_fingerprint=expected,
            )
        except ApplicationError as exc:
            context = {"document": text, "errors": exc.errors, "error": exc.detail}
            if isinstance(exc, Conflict) and "plan" in exc.extra:
                context["plan"] = exc.extra["plan"]  # the new plan, to review before applying again
            return self.page(request, context, status=exc.status if isinstance(exc, Conflict) else 400)
        return self.page(
            request, {"document": text, "plan": plan.as_dict(), "applied": not dry, "errors": {}}
        )
