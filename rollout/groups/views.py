from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render

from console.access import READ, WRITE
from rollout.desired.changes import (
    STALE_MESSAGE,
    Outcome,
    RolloutPage,
    attempt,
    blast_out,
    posted_ids,
    preview_requested,
)
from rollout.groups.services import (
    ZERO_MATCH_WARNING,
    host_group_create,
    host_group_delete,
    host_group_members_change,
    host_group_update,
    members_from_csv,
)
from rollout.models import HostGroup
from rollout.selectors.groups import group_hosts, group_member_counts, rule_preview
from rollout.selectors.rules import RuleError, rule_parse


class GroupListPage(RolloutPage):
    model = HostGroup
    template_name = "rollout/groups.html"
    scope_map: ClassVar[dict[str, str]] = {"GET": READ, "POST": WRITE}

    def context(self, **extra: Any) -> dict[str, Any]:
        groups = list(self.get_queryset().order_by("name", "id"))
        counts = group_member_counts(self.tenant, groups)
        rows = [{"group": g, "count": counts.get(str(g.pk), 0)} for g in groups]
        return {"rows": rows, "form": {}, "errors": {}, **extra}

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.page(request, self.context())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = {k: request.POST.get(k, "") for k in ("name", "description", "rule_text")}
        dry = preview_requested(request)
        outcome, errors, error = attempt(
            lambda: host_group_create(
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
        preview = rule_preview(self.tenant, rule)
        return self.page(
            request, {"preview": preview, "warning": ZERO_MATCH_WARNING if preview.empty else ""}
        )


class GroupDetailPage(RolloutPage):
    model = HostGroup
    template_name = "rollout/group_detail.html"
    scope_map: ClassVar[dict[str, str]] = {"GET": READ, "POST": WRITE}

    def context(self, group: HostGroup, **extra: Any) -> dict[str, Any]:
        hosts = group_hosts(self.tenant, group).order_by("hostname", "id")
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
        dry = preview_requested(request)
        version = int(request.POST.get("version") or 0) or None
        form = {k: request.POST.get(k, "") for k in ("name", "description", "rule_text")} | {
            "version": version
        }
        if kind == "delete":
            outcome, errors, error = attempt(lambda: host_group_delete(
                tenant=self.tenant, actor=self.ctx.actor, group=group, expected_version=version, dry_run=dry))  # fmt: skip
            if outcome is not None and not dry:
                messages.success(request, f"Deleted {group.name}. {outcome.blast.summary()}")
                return redirect("/rollout/groups/")
        elif kind == "members":

            def members() -> Outcome:
                add = [v.strip() for v in request.POST.get("add", "").split() if v.strip()]
                upload = request.FILES.get("csv")
                if upload is not None:
                    add += members_from_csv(self.tenant, upload.read().decode("utf-8", "replace"))
                remove = posted_ids(request, "remove")
                return host_group_members_change(tenant=self.tenant, actor=self.ctx.actor, group=group, add=add,
                                                          remove=remove, expected_version=version, dry_run=dry)  # fmt: skip

            outcome, errors, error = attempt(members)
        else:
            outcome, errors, error = attempt(lambda: host_group_update(
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
