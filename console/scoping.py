"""The one place tenant scoping happens, for API views and for pages. It fails closed.

Subclasses say which model they serve (``queryset``) and which permission each HTTP method needs
(``scope_map``); they get ``self.tenant`` / ``self.ctx`` and querysets already filtered to the
tenant. Overriding ``get_queryset`` / ``get_object`` is refused at import time; the only way to an
unscoped queryset is ``dangerously_get_unscoped_queryset`` (grep for it in review).
"""

from __future__ import annotations

from typing import Any, ClassVar, cast
from urllib.parse import quote

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect, render
from rest_framework import exceptions, generics
from rest_framework.request import Request

from console.access import (
    ADMIN,
    OPERATE,
    READ,
    WRITE,
    Actor,
    NoTenantSelected,
    TenantContext,
    refusal_reason,
    resolve_context,
    two_factor_missing,
)
from console.errors import Forbidden, NotFound
from console.models import ApiClient
from console.timezones import zone_activate

DEFAULT_SCOPE_MAP: dict[str, str] = {
    "GET": READ,
    "HEAD": READ,
    "OPTIONS": READ,
    "POST": WRITE,
    "PUT": WRITE,
    "PATCH": WRITE,
    "DELETE": WRITE,
}
_FINAL = ("get_queryset", "get_object")

__all__ = ["ADMIN", "OPERATE", "READ", "WRITE", "TenantAPIView", "TenantPageMixin", "scope_required"]


def _refuse_unscoped_overrides(cls: type) -> None:
    for name in _FINAL:
        if name in cls.__dict__:
            raise TypeError(
                f"{cls.__qualname__} overrides {name}(); tenant-scoped views must use "
                "filter_queryset_for_view() instead (the base class applies the tenant filter)."
            )


def _scoped(queryset: QuerySet[Any], ctx: TenantContext) -> QuerySet[Any]:
    model = queryset.model
    field_names = {f.name for f in model._meta.get_fields()}
    if "tenant" not in field_names:
        raise TypeError(f"{model.__name__} has no tenant field; it cannot be served by a tenant-scoped view")
    return queryset.filter(tenant=ctx.tenant)


def permission_for(scope_map: dict[str, str], method: str) -> str | None:
    """The permission ``method`` needs; HEAD and OPTIONS default to GET's (a view that maps only
    GET still answers HEAD and OPTIONS instead of 405)."""
    permission = scope_map.get(method)
    if permission is None and method in ("HEAD", "OPTIONS"):
        permission = scope_map.get("GET")
    return permission


def scope_required(ctx: TenantContext, permission: str) -> None:
    if not ctx.can(permission):
        raise Forbidden(f"Your role does not allow this action (needs '{permission}').")


class TenantAPIView(generics.GenericAPIView):
    """Base of every tenant API endpoint: resolves the tenant once, checks the per-method scope."""

    scope_map: ClassVar[dict[str, str]] = DEFAULT_SCOPE_MAP
    ctx: TenantContext
    lookup_field = "pk"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _refuse_unscoped_overrides(cls)

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        api_client = request.auth if isinstance(request.auth, ApiClient) else None
        user = None if api_client is not None else request.user
        try:
            ctx = resolve_context(
                user=user,
                api_client=api_client,
                session=request.session if api_client is None and hasattr(request, "session") else None,
                request=request._request,
                tenant_hint=request.headers.get("X-Tenant") or None,
            )
        except NoTenantSelected as exc:
            raise exceptions.ValidationError(
                {"X-Tenant": ["You belong to several tenants: name one with the X-Tenant header."]}
            ) from exc
        if ctx is None:
            raise exceptions.PermissionDenied("No tenant access for these credentials.")
        if api_client is None and two_factor_missing(request.user, ctx):
            raise Forbidden("This tenant requires two-factor sign-in: verify at /account/two-factor/.")
        self.ctx = ctx
        request._request.tenant_ctx = ctx  # type: ignore[attr-defined]
        permission = permission_for(self.scope_map, request.method or "GET")
        if permission is None:
            raise exceptions.MethodNotAllowed(request.method or "")
        scope_required(ctx, permission)

    @property
    def tenant(self) -> Any:
        return self.ctx.tenant

    def get_queryset(self) -> QuerySet[Any]:
        return self.filter_queryset_for_view(_scoped(self._base_queryset(), self.ctx))

    def _base_queryset(self) -> QuerySet[Any]:
        base = type(self).queryset
        assert base is not None, f"{type(self).__name__} must set queryset"
        return cast("QuerySet[Any]", base).all()

    def filter_queryset_for_view(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        """Hook for subclasses: narrow (never widen) the already tenant-scoped queryset."""
        return queryset

    def get_object(self) -> Any:
        lookup_value = self.kwargs.get(self.lookup_url_kwarg or self.lookup_field)
        try:
            obj = self.get_queryset().get(**{self.lookup_field: lookup_value})
        except (self.get_queryset().model.DoesNotExist, ValueError, TypeError) as exc:
            raise NotFound() from exc
        except Exception as exc:  # malformed UUID etc. answer like a missing object
            from django.core.exceptions import ValidationError

            if isinstance(exc, ValidationError):
                raise NotFound() from exc
            raise
        self.check_object_permissions(self.request, obj)
        return obj

    def scoped(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        """Any other tenant-owned queryset, filtered to this tenant."""
        return _scoped(queryset, self.ctx)

    def dangerously_get_unscoped_queryset(self) -> QuerySet[Any]:
        return self._base_queryset()


class TenantPageMixin(LoginRequiredMixin):
    """Base of every tenant page: the same resolution and per-method scope as the API."""

    scope_map: ClassVar[dict[str, str]] = DEFAULT_SCOPE_MAP
    model: type[Model] | None = None
    ctx: TenantContext

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _refuse_unscoped_overrides(cls)

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        try:
            ctx = resolve_context(
                user=request.user,
                api_client=None,
                session=request.session,
                request=request,
            )
        except NoTenantSelected:
            return redirect(f"/tenants/?next={request.get_full_path()}")
        if ctx is None:
            if getattr(request.user, "is_vendor_staff", False):
                return redirect("/vendor/")
            return redirect("/tenants/")
        if two_factor_missing(request.user, ctx):
            return redirect(f"/account/two-factor/?next={quote(request.get_full_path())}")
        self.ctx = ctx
        request.tenant_ctx = ctx  # type: ignore[attr-defined]
        zone_activate(request.user, ctx.tenant)
        permission = permission_for(self.scope_map, request.method or "GET")
        if permission is None or not ctx.can(permission):
            return render(request, "403.html", {"reason": refusal_reason(ctx, permission or "")}, status=403)
        return super().dispatch(request, *args, **kwargs)

    @property
    def tenant(self) -> Any:
        return self.ctx.tenant

    def get_queryset(self) -> QuerySet[Any]:
        assert self.model is not None, f"{type(self).__name__} must set model"
        return self.filter_queryset_for_view(_scoped(self.model._default_manager.all(), self.ctx))

    def filter_queryset_for_view(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset

    def get_object(self, **lookup: Any) -> Any:
        """The tenant's object matching ``lookup``; a missing or foreign one raises Http404 alike."""
        from django.core.exceptions import ValidationError
        from django.http import Http404

        try:
            return self.get_queryset().get(**lookup)
        except (ValidationError, ValueError, TypeError) as exc:
            raise Http404 from exc
        except self.get_queryset().model.DoesNotExist as exc:
            raise Http404 from exc

    def scoped(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return _scoped(queryset, self.ctx)


class VendorAPIView(generics.GenericAPIView):
    """Base of vendor endpoints (release engineering, telemetry pipeline).

    Callers: a vendor API client (``tenant`` empty) holding one of ``vendor_scopes``, or a signed-in
    vendor staff member whose role is in ``vendor_roles``. Tenants' credentials get 403.
    """

    vendor_scopes: ClassVar[frozenset[str]] = frozenset({"vendor"})
    vendor_roles: ClassVar[frozenset[str]] = frozenset({"release_engineer"})
    read_roles: ClassVar[frozenset[str]] = frozenset({"release_engineer", "support_lead", "support_engineer"})

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)

        client = request.auth if isinstance(request.auth, ApiClient) else None
        if client is not None:
            if client.tenant_id is not None or not set(client.scopes) & self.vendor_scopes:
                raise exceptions.PermissionDenied("This endpoint needs a vendor API client.")
            self.actor = Actor.for_api_client(client, request._request)
            return
        user = request.user
        role = getattr(user, "vendor_role", "")
        allowed = self.read_roles if request.method in ("GET", "HEAD", "OPTIONS") else self.vendor_roles
        if not role or role not in allowed:
            raise exceptions.PermissionDenied("This endpoint is for vendor staff.")
        self.actor = Actor.for_user(user, request._request)  # type: ignore[arg-type]
