"""Console's own pages and API routes (members, API clients, support, audit, sign-in extras)."""

from __future__ import annotations

from typing import Any

from django.urls import path

from console import signin
from console.api import AuditEventListApi, AuditExportCsvApi, AuditExportJsonApi
from console.api_clients.api import ApiClientDetailApi, ApiClientListApi, ApiClientRotateApi
from console.api_clients.pages import ApiClientRevokePage, ApiClientRotatePage, ApiClientsPage
from console.inbox.api import NotificationListApi, NotificationReadAllApi, NotificationReadApi
from console.inbox.pages import BellFragment, NotificationReadPage, NotificationsPage
from console.pages import AuditExportPage, AuditLogPage
from console.people.api import (
    InvitationDetailApi,
    InvitationListApi,
    MemberDetailApi,
    MemberListApi,
    TenantSettingsApi,
)
from console.people.pages import (
    InvitationRevokePage,
    MemberRemovePage,
    MemberRolePage,
    MembersPage,
    SecurityPage,
    invitation_accept_page,
)
from console.support.api import (
    SupportGrantDetailApi,
    SupportGrantListApi,
    SupportRequestApproveApi,
    SupportRequestDenyApi,
    SupportRequestDetailApi,
    SupportRequestListApi,
    VendorBreakGlassApi,
    VendorSupportGrantListApi,
    VendorSupportRequestListApi,
)
from console.support.pages import (
    SupportAccessPage,
    SupportGrantRevokePage,
    SupportRequestApprovePage,
    SupportRequestDenyPage,
    vendor_break_glass,
    vendor_grant_enter,
    vendor_request_create,
    vendor_session_end,
)

urlpatterns: list[Any] = [
    path("login/two-factor/", signin.login_two_factor, name="login-two-factor"),
    path("account/two-factor/", signin.account_two_factor, name="account-two-factor"),
    path("password-reset/", signin.PasswordResetView.as_view(), name="password-reset"),
    path("password-reset/sent/", signin.PasswordResetDoneView.as_view(), name="password-reset-done"),
    path(
        "password-reset/<uidb64>/<token>/",
        signin.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path("password-reset/done/", signin.PasswordResetCompleteView.as_view(), name="password-reset-complete"),
    path("members/", MembersPage.as_view(), name="console-members"),
    path("members/<uuid:pk>/role/", MemberRolePage.as_view(), name="console-member-role"),
    path("members/<uuid:pk>/remove/", MemberRemovePage.as_view(), name="console-member-remove"),
    path(
        "invitations/<uuid:pk>/revoke/",
        InvitationRevokePage.as_view(),
        name="console-invitation-revoke",
    ),
    path("invitations/accept/<str:token>/", invitation_accept_page, name="console-invitation-accept"),
    path("api-clients/", ApiClientsPage.as_view(), name="console-api-clients"),
    path("api-clients/<uuid:pk>/revoke/", ApiClientRevokePage.as_view(), name="console-api-client-revoke"),
    path("api-clients/<uuid:pk>/rotate/", ApiClientRotatePage.as_view(), name="console-api-client-rotate"),
    path("support/", SupportAccessPage.as_view(), name="console-support"),
    path(
        "support/requests/<uuid:pk>/approve/",
        SupportRequestApprovePage.as_view(),
        name="console-support-request-approve",
    ),
    path(
        "support/requests/<uuid:pk>/deny/",
        SupportRequestDenyPage.as_view(),
        name="console-support-request-deny",
    ),
    path(
        "support/grants/<uuid:pk>/revoke/",
        SupportGrantRevokePage.as_view(),
        name="console-support-grant-revoke",
    ),
    path("notifications/", NotificationsPage.as_view(), name="console-notifications"),
    path("notifications/bell/", BellFragment.as_view(), name="console-notifications-bell"),
    path("notifications/<uuid:pk>/read/", NotificationReadPage.as_view(), name="console-notification-read"),
    path("audit/", AuditLogPage.as_view(), name="console-audit"),
    path("audit/export.csv", AuditExportPage.as_view(kind="csv"), name="console-audit-export-csv"),
    path("audit/export.json", AuditExportPage.as_view(kind="json"), name="console-audit-export-json"),
    path("settings/security/", SecurityPage.as_view(), name="console-security"),
    path("vendor/requests/", vendor_request_create, name="vendor-request-create"),
    path("vendor/break-glass/", vendor_break_glass, name="vendor-break-glass"),
    path("vendor/grants/<uuid:pk>/enter/", vendor_grant_enter, name="vendor-grant-enter"),
    path("vendor/session/end/", vendor_session_end, name="vendor-session-end"),
]

api_urlpatterns: list[Any] = [
    path("members/", MemberListApi.as_view(), name="api-members"),
    path("members/<uuid:pk>/", MemberDetailApi.as_view(), name="api-member"),
    path("invitations/", InvitationListApi.as_view(), name="api-invitations"),
    path("invitations/<uuid:pk>/", InvitationDetailApi.as_view(), name="api-invitation"),
    path("api-clients/", ApiClientListApi.as_view(), name="api-api-clients"),
    path("api-clients/<uuid:pk>/", ApiClientDetailApi.as_view(), name="api-api-client"),
    path("api-clients/<uuid:pk>/rotate/", ApiClientRotateApi.as_view(), name="api-api-client-rotate"),
    path("support/requests/", SupportRequestListApi.as_view(), name="api-support-requests"),
    path("support/requests/<uuid:pk>/", SupportRequestDetailApi.as_view(), name="api-support-request"),
    path(
        "support/requests/<uuid:pk>/approve/",
        SupportRequestApproveApi.as_view(),
        name="api-support-request-approve",
    ),
    path(
        "support/requests/<uuid:pk>/deny/",
        SupportRequestDenyApi.as_view(),
        name="api-support-request-deny",
    ),
    path("support/grants/", SupportGrantListApi.as_view(), name="api-support-grants"),
    path("support/grants/<uuid:pk>/", SupportGrantDetailApi.as_view(), name="api-support-grant"),
    path("tenant/", TenantSettingsApi.as_view(), name="api-tenant"),
    path("notifications/", NotificationListApi.as_view(), name="api-notifications"),
    path("notifications/read-all/", NotificationReadAllApi.as_view(), name="api-notifications-read-all"),
    path("notifications/<uuid:pk>/read/", NotificationReadApi.as_view(), name="api-notification-read"),
    path("audit-events/", AuditEventListApi.as_view(), name="api-audit-events"),
    path("audit-events/export.csv", AuditExportCsvApi.as_view(), name="api-audit-export-csv"),
    path("audit-events/export.json", AuditExportJsonApi.as_view(), name="api-audit-export-json"),
    path(
        "vendor/support-requests/",
        VendorSupportRequestListApi.as_view(),
        name="api-vendor-support-requests",
    ),
    path("vendor/support-grants/", VendorSupportGrantListApi.as_view(), name="api-vendor-support-grants"),
    path("vendor/break-glass/", VendorBreakGlassApi.as_view(), name="api-vendor-break-glass"),
]
