from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views import View

from console.access import OPERATE, READ
from console.inbox.selectors import notification_list, notifications_unread_count
from console.inbox.services import notification_mark_read, notifications_mark_all_read
from console.models import Notification
from console.pages import ObjectActionPage
from console.scoping import TenantPageMixin

PAGE_SIZE = 100


class NotificationsPage(TenantPageMixin, View):
    """The notification centre: the tenant's kept live events, newest first, unread ones marked."""

    model = Notification
    scope_map: ClassVar[dict[str, str]] = {"GET": READ, "POST": OPERATE}

    def get(self, request: HttpRequest) -> HttpResponse:
        unread_only = request.GET.get("unread") == "1"
        items = list(notification_list(self.tenant, unread_only=unread_only)[:PAGE_SIZE])
        context: dict[str, Any] = {
            "notifications": items,
            "unread_only": unread_only,
            "unread": notifications_unread_count(self.tenant),
            "can_mark": self.ctx.can(OPERATE),
        }
        return render(request, "console/notifications.html", context)

    def post(self, request: HttpRequest) -> HttpResponse:
        count = notifications_mark_all_read(tenant=self.tenant, actor=self.ctx.actor)
        messages.success(request, f"Marked {count} notification{'s' if count != 1 else ''} read.")
        return redirect("/notifications/")


class NotificationReadPage(ObjectActionPage):
    model = Notification
    scope_map: ClassVar[dict[str, str]] = {"POST": OPERATE}
    success_url = "/notifications/"
    done_message = "Marked read."
    service = notification_mark_read
    target = "notification"


class BellFragment(TenantPageMixin, View):
    """The bell alone, re-fetched (htmx) when a notification arrives or someone reads one."""

    model = Notification
    scope_map: ClassVar[dict[str, str]] = {"GET": READ}

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(
            request, "console/_bell.html", {"inbox_unread": notifications_unread_count(self.tenant)}
        )
