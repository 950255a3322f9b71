"""Pages of the telemetry app: the live fleet dashboard (tenant home), hosts, enrolment tokens."""

from __future__ import annotations

import base64
import binascii
import uuid
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views import View
from django.views.generic import TemplateView

from console.access import ADMIN, READ
from console.errors import ApplicationError, InvalidInput
from console.scoping import TenantPageMixin
from telemetry import selectors, services
from telemetry.fleet import fleet_current
from telemetry.ingest import last_flush_at
from telemetry.models import EnrolmentToken, Host, HostStatus, Platform

PAGE_SIZE = 50


class DashboardView(TenantPageMixin, TemplateView):
    """The tenant home: live counts, version adoption and a status time series over a websocket."""

    template_name = "telemetry/dashboard.html"
    scope_map = {"GET": READ, "HEAD": READ}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        try:
            current = fleet_current(self.tenant.pk)
        except Exception:  # Redis down: the page still renders, the socket shows its state
            current = {"seq": 0, "snapshot": selectors.fleet_snapshot(self.tenant.pk)}
        snapshot = current["snapshot"]
        context.update(
            {
                "snapshot": snapshot,
                "statuses": [
                    (s, HostStatus(s).label, snapshot["status"].get(s, 0)) for s in HostStatus.values
                ],
                "flushed_at": last_flush_at(),
                "groups": selectors.fleet_group_counts(self.tenant.pk),
                "role": self.ctx.role,
            }
        )
        return context


def _cursor_encode(host: Host) -> str:
    return base64.urlsafe_b64encode(f"{host.hostname}\x00{host.pk}".encode()).decode()


def _cursor_decode(raw: str) -> tuple[str, uuid.UUID] | None:
    try:
        hostname, _, host_id = base64.urlsafe_b64decode(raw.encode()).decode().partition("\x00")
        return hostname, uuid.UUID(host_id)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None


class HostListPage(TenantPageMixin, TemplateView):
    """Search and filter the tenant's hosts; keyset pagination on (hostname, id)."""

    template_name = "telemetry/hosts.html"
    model = Host
    scope_map = {"GET": READ, "HEAD": READ}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        params = self.request.GET
        errors: dict[str, list[str]] = {}
        try:
            queryset = selectors.host_filters_apply(
                self.get_queryset(), tenant_id=self.tenant.pk, params=params
            )
        except InvalidInput as exc:
            errors = exc.errors
            queryset = self.get_queryset().none()
        total, more_than = selectors.host_count(queryset)
        after = _cursor_decode(params["after"]) if params.get("after") else None
        if after is not None:
            # hostname >= h is the index range; the tie on hostname is broken by id.
            queryset = queryset.filter(hostname__gte=after[0]).exclude(hostname=after[0], id__lte=after[1])
        hosts = list(queryset.order_by("hostname", "id")[: PAGE_SIZE + 1])
        more = len(hosts) > PAGE_SIZE
        hosts = hosts[:PAGE_SIZE]
        query = params.copy()
        query.pop("after", None)
        first_query = query.urlencode()
        if more:
            query["after"] = _cursor_encode(hosts[-1])
        context.update(
            {
                "hosts": hosts,
                "total": total,
                "total_is_lower_bound": more_than,
                "first_query": first_query,
                "next_query": query.urlencode() if more else "",
                "errors": errors,
                "filters": {name: params.get(name, "") for name in selectors.HOST_FILTERS},
                "statuses": HostStatus.choices,
                "platforms": Platform.choices,
                "groups": selectors.host_groups(self.tenant.pk),
            }
        )
        return context


class HostDetailPage(TenantPageMixin, TemplateView):
    template_name = "telemetry/host_detail.html"
    model = Host
    scope_map = {"GET": READ, "HEAD": READ}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        host = self.get_object(pk=kwargs["pk"])
        context["host"] = host
        context["content_versions"] = sorted(host.content_versions.items())
        context["crashes"] = selectors.host_crash_events(tenant_id=self.tenant.pk, host_id=host.pk)
        return context


class EnrolmentTokenPage(TenantPageMixin, View):
    """Tenant admins create enrolment tokens (shown once) and see who enrolled with which."""

    model = EnrolmentToken
    scope_map = {"GET": ADMIN, "HEAD": ADMIN, "POST": ADMIN}

    def _render(self, request: HttpRequest, status: int = 200, **extra: Any) -> HttpResponse:
        context = {"tokens": self._tokens(), "name": "", "errors": {}, **extra}
        return render(request, "telemetry/enrolment_tokens.html", context, status=status)

    def _tokens(self) -> list[EnrolmentToken]:
        return list(self.get_queryset().order_by("-created_at")[:200])

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request)

    def post(self, request: HttpRequest) -> HttpResponse:
        name = request.POST.get("name", "")
        try:
            token, secret = services.enrolment_token_create(
                tenant=self.tenant, actor=self.ctx.actor, name=name
            )
        except ApplicationError as exc:
            return self._render(request, status=400, name=name, errors=exc.errors)
        return self._render(request, status=201, created=token, secret=secret)


class EnrolmentTokenRevokePage(TenantPageMixin, View):
    model = EnrolmentToken
    scope_map = {"POST": ADMIN}

    def post(self, request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
        token = self.get_object(pk=pk)
        services.enrolment_token_revoke(tenant=self.tenant, actor=self.ctx.actor, token=token)
        messages.success(request, f"Enrolment token {token.name} revoked; no new host can enrol with it.")
        return redirect("enrolment-tokens")
