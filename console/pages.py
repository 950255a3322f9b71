from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views import View

from console import selectors
from console.access import ADMIN, READ
from console.errors import ApplicationError, InvalidInput
from console.scoping import TenantPageMixin


def parse_local_datetime(raw: str, field: str) -> datetime | None:
    """An ``<input type=datetime-local>`` value (UTC) or ISO time; blank is None."""
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        value = parse_datetime(raw)
    except ValueError:
        value = None
    if value is None:
        raise InvalidInput("Bad time.", errors={field: ["Use YYYY-MM-DD HH:MM."]})
    if timezone.is_naive(value):
        value = value.replace(tzinfo=UTC)
    return value


def form_errors(exc: ApplicationError) -> dict[str, list[str]]:
    """Field errors for the template, plus ``general`` (the summary shown above the form)."""
    return {**exc.errors, "general": [exc.detail]}


def int_or_none(raw: str, field: str, default: int) -> int:
    raw = (raw or "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise InvalidInput("Not a number.", errors={field: ["Give a whole number."]}) from exc


class ObjectActionPage(TenantPageMixin, View):
    """POST-only action on one tenant object (``pk`` in the URL); redirects back with a message."""

    scope_map: ClassVar[dict[str, str]] = {"POST": ADMIN}
    success_url = "/"
    done_message = "Done."
    # Most actions are one service call, ``service(tenant=, actor=, <target>=obj)``: declare those
    # two instead of writing ``act``.
    service: ClassVar[Callable[..., Any] | None] = None
    target: ClassVar[str] = ""

    def act(self, obj: Any) -> None:
        service = type(self).service
        if service is None:
            raise NotImplementedError
        service(tenant=self.tenant, actor=self.ctx.actor, **{self.target: obj})

    def post(self, request: HttpRequest, pk: str) -> HttpResponse:
        obj = self.get_object(pk=pk)
        try:
            self.act(obj)
        except ApplicationError as exc:
            messages.error(request, exc.detail)
        else:
            messages.success(request, self.done_message)
        return redirect(self.success_url)


AUDIT_PAGE_SIZE = 100


class AuditLogPage(TenantPageMixin, View):
    """The audit log with filters (actor, action, target, grant, time range), newest first, paged by id."""

    scope_map: ClassVar[dict[str, str]] = {"GET": READ}

    def get(self, request: HttpRequest) -> HttpResponse:
        try:
            # the times typed into the filter are in the zone the rows are shown in
            filters = selectors.AuditFilter.from_params(request.GET, zone=timezone.get_current_timezone())
            errors: dict[str, list[str]] = {}
        except InvalidInput as exc:
            filters, errors = selectors.AuditFilter(), exc.errors
        events = selectors.audit_event_list(tenant=self.tenant, filters=filters)
        before = request.GET.get("before", "")
        if before.isascii() and before.isdigit():
            events = events.filter(id__lt=int(before))
        page = list(events[: AUDIT_PAGE_SIZE + 1])
        more = len(page) > AUDIT_PAGE_SIZE
        page = page[:AUDIT_PAGE_SIZE]
        query = filters.as_query()
        next_query = {**query, "before": str(page[-1].id)} if more and page else None
        template = "console/audit_rows.html" if request.headers.get("HX-Request") else "console/audit.html"
        return render(
            request,
            template,
            {
                "events": page,
                "filters": {**query, **{k: request.GET.get(k, "") for k in ("since", "until")}},
                "errors": errors,
                "next_url": f"?{urlencode(next_query)}" if next_query else "",
                "export_query": urlencode(query),
                "zone_name": timezone.get_current_timezone_name(),
            },
            status=400 if errors else 200,
        )


class AuditExportPage(TenantPageMixin, View):
    scope_map: ClassVar[dict[str, str]] = {"GET": READ}
    kind = "csv"

    def get(self, request: HttpRequest) -> HttpResponseBase:
        try:
            filters = selectors.AuditFilter.from_params(request.GET, zone=timezone.get_current_timezone())
        except InvalidInput as exc:
            return HttpResponse(exc.detail, status=400, content_type="text/plain")
        events = selectors.audit_event_list(tenant=self.tenant, filters=filters)
        if self.kind == "csv":
            response = StreamingHttpResponse(
                selectors.audit_export_csv(events), content_type="text/csv; charset=utf-8"
            )
        else:
            response = StreamingHttpResponse(
                selectors.audit_export_json(events), content_type="application/json"
            )
        response["Content-Disposition"] = f'attachment; filename="audit-{self.tenant.slug}.{self.kind}"'
        return response
