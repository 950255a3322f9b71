from __future__ import annotations

from typing import Any, ClassVar

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views import View

from console.access import ADMIN
from console.api_clients.services import (
    TENANT_API_SCOPES,
    api_client_create,
    api_client_revoke,
    api_client_rotate,
)
from console.errors import ApplicationError
from console.models import ApiClient
from console.pages import ObjectActionPage, form_errors, int_or_none, parse_local_datetime
from console.scoping import TenantPageMixin


class ApiClientsPage(TenantPageMixin, View):
    model = ApiClient
    scope_map: ClassVar[dict[str, str]] = {"GET": ADMIN, "POST": ADMIN}

    def render_page(
        self,
        request: HttpRequest,
        *,
        form: dict[str, Any] | None = None,
        errors: Any = None,
        status: int = 200,
    ) -> HttpResponse:
        return render(
            request,
            "console/api_clients.html",
            {
                "clients": self.get_queryset().order_by("-created_at"),
                "scopes": sorted(TENANT_API_SCOPES),
                "form": form or {"scopes": ["read"]},
                "errors": errors or {},
                "new_token": request.session.pop("console_new_token", None),
            },
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render_page(request)

    def post(self, request: HttpRequest) -> HttpResponse:
        form: dict[str, Any] = {
            "name": request.POST.get("name", ""),
            "scopes": request.POST.getlist("scopes"),
            "expires_at": request.POST.get("expires_at", ""),
            "allowed_ips": request.POST.get("allowed_ips", ""),
            "rate_limit_per_minute": request.POST.get("rate_limit_per_minute", ""),
        }
        try:
            rate = int_or_none(form["rate_limit_per_minute"], "rate_limit_per_minute", 0) or None
            client, token = api_client_create(
                tenant=self.tenant,
                actor=self.ctx.actor,
                name=form["name"],
                scopes=form["scopes"],
                expires_at=parse_local_datetime(form["expires_at"], "expires_at"),
                allowed_ips=[ip for ip in form["allowed_ips"].replace(",", " ").split() if ip],
                rate_limit_per_minute=rate,
            )
        except ApplicationError as exc:
            return self.render_page(request, form=form, errors=form_errors(exc), status=400)
        request.session["console_new_token"] = {"name": client.name, "token": token}
        return redirect("console-api-clients")


class ApiClientRevokePage(ObjectActionPage):
    model = ApiClient
    success_url = "/api-clients/"
    done_message = "API client revoked."
    service = api_client_revoke
    target = "client"


class ApiClientRotatePage(ObjectActionPage):
    model = ApiClient
    success_url = "/api-clients/"
    done_message = "New token issued; the old one no longer works."

    def act(self, obj: ApiClient) -> None:
        client, token = api_client_rotate(tenant=self.tenant, actor=self.ctx.actor, client=obj)
        self.request.session["console_new_token"] = {"name": client.name, "token": token}
