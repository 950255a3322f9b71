"""Foundation pages: sign-in, tenant switching, the tenant home."""

from __future__ import annotations

from typing import Any, cast

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods
from django.views.generic import TemplateView

from console.access import SESSION_TENANT_KEY, membership_for, user_tenants
from console.models import User
from console.scoping import TenantPageMixin
from console.signin import LoginView
from console.support.pages import vendor_home_page

__all__ = ["HomeView", "LoginView", "LogoutView", "tenant_switch", "vendor_home"]


class LogoutView(auth_views.LogoutView):
    pass


class HomeView(TenantPageMixin, TemplateView):
    """The tenant's landing page; apps higher up replace it with the fleet dashboard."""

    template_name = "console/home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["role"] = self.ctx.role
        return context


@login_required
@require_http_methods(["GET", "POST"])
def tenant_switch(request: HttpRequest) -> HttpResponseBase:
    """Lists the user's tenants and makes the chosen one current for this session."""
    user = cast(User, request.user)
    next_url = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    if getattr(user, "is_vendor_staff", False):
        return redirect("/vendor/")
    if request.method == "POST":
        membership = membership_for(user, request.POST.get("tenant", ""))
        if membership is not None:
            request.session[SESSION_TENANT_KEY] = str(membership.tenant_id)
            return redirect(next_url)
        return render(
            request,
            "console/tenants.html",
            {
                "tenants": user_tenants(user),
                "next": next_url,
                "error": "Choose one of your tenants.",
            },
            status=400,
        )
    return render(request, "console/tenants.html", {"tenants": user_tenants(user), "next": next_url})


def vendor_home(request: HttpRequest) -> HttpResponse:
    """Vendor staff's landing page (their grants and requests; release pages live in rollout)."""

    return vendor_home_page(request)
