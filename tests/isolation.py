"""Tenant isolation registry: every URL that carries an object id must be registered here.

How it works
------------
``tests/console/test_isolation.py`` walks Django's URL resolver. For every route (API under
``/api/v1/`` and pages alike) whose pattern has URL kwargs, it looks the route's *name* up in
``ROUTES``. A route that is neither registered nor exempted FAILS the test: a new endpoint cannot
ship without someone proving that another tenant gets 404 for it.

For a registered route the test creates an object owned by **acme** with your factory, then
calls the URL with every HTTP method the view implements, as **globex** (its owner through a
session, and a globex API token holding every tenant scope). Each call must answer 404 (or 405
when the method is not implemented), exactly like a missing object, and acme's audit log must not
grow (nothing was mutated). As a control, acme's own owner must *not* get 404 on GET (when the
view has GET), so a factory that builds the wrong thing is caught too.

Registering your routes (telemetry, rollout, ...)
-------------------------------------------------
Create ``tests/<app>/isolation_routes.py`` (it is imported automatically, see ``APPS``) with::

    from tests.isolation import register

    @register("api-host-detail", "host-detail")      # URL-pattern names, as in app_urls.py
    def _host(tenant):                               # acme, a console.models.Tenant
        host = HostFactory(tenant=tenant)
        return {"pk": host.pk}                       # the URL kwargs

A factory gets the acme ``Tenant`` and returns the kwargs for ``reverse(name, kwargs=...)``.
Routes whose kwargs are not tenant objects (password-reset tokens, invitation links, a vendor
staff member's own grants) go in ``exempt(name, reason)``, with the test that covers them instead.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any

from console.models import Tenant

Factory = Callable[[Tenant], dict[str, Any]]

ROUTES: dict[str, Factory] = {}
EXEMPT: dict[str, str] = {}
APPS = ("console", "telemetry", "rollout")


def register(*names: str) -> Callable[[Factory], Factory]:
    """Registers ``factory`` for each URL-pattern name in ``names``."""

    def decorate(factory: Factory) -> Factory:
        for name in names:
            if name in ROUTES:
                raise ValueError(f"isolation route {name!r} registered twice")
            ROUTES[name] = factory
        return factory

    return decorate


def exempt(name: str, reason: str) -> None:
    """A route with kwargs that are not another tenant's object; ``reason`` names what covers it."""
    if not reason.strip():
        raise ValueError("an exemption needs a reason")
    EXEMPT[name] = reason


def load_registrations() -> None:
    for app in APPS:
        try:
            import_module(f"tests.{app}.isolation_routes")
        except ModuleNotFoundError as exc:
            if exc.name != f"tests.{app}.isolation_routes":
                raise
