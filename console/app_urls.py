"""Console's own pages and API routes (members, API clients, support, audit, sign-in extras)."""

from __future__ import annotations

from typing import Any

from django.urls import path

from console import api, pages, signin

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
    path("members/", pages.MembersPage.as_view(), name="console-members"),
    path("members/<uuid:pk>/role/", pages.MemberRolePage.as_view(), name="console-member-role"),
    path("members/<uuid:pk>/remove/", pages.MemberRemovePage.as_view(), name="console-member-remove"),
    path(
        "invitations/<uuid:pk>/revoke/",
        pages.InvitationRevokePage.as_view(),
        name="console-invitation-revoke",
    ),
    path("invitations/accept/<str:token>/", pages.invitation_accept, name="console-invitation-accept"),
    path("api-clients/", pages.ApiClientsPage.as_view(), name="console-api-clients"),
    path(
        "api-clients/<uuid:pk>/revoke/", pages.ApiClientRevokePage.as_view(), name="console-api-client-revoke"
    ),
    path(
        "api-clients/<uuid:pk>/rotate/", pages.ApiClientRotatePage.as_view(), name="console-api-client-rotate"
    ),
    path("support/", pages.SupportAccessPage.as_view(), name="console-support"),
    path(
        "support/requests/<uuid:pk>/approve/",
        pages.SupportRequestApprovePage.as_view(),
        name="console-support-request-approve",
    ),
    path(
        "support/requests/<uuid:pk>/deny/",
        pages.SupportRequestDenyPage.as_view(),
        name="console-support-request-deny",
    ),
    path(
        "support/grants/<uuid:pk>/revoke/",
        pages.SupportGrantRevokePage.as_view(),
        name="console-support-grant-revoke",
    ),
    path("audit/", pages.AuditLogPage.as_view(), name="console-audit"),
    path("audit/export.csv", pages.AuditExportPage.as_view(kind="csv"), name="console-audit-export-csv"),
    path("audit/export.json", pages.AuditExportPage.as_view(kind="json"), name="console-audit-export-json"),
    path("settings/security/", pages.SecurityPage.as_view(), name="console-security"),
    path("vendor/requests/", pages.vendor_request_create, name="vendor-request-create"),
    path("vendor/break-glass/", pages.vendor_break_glass, name="vendor-break-glass"),
    path("vendor/grants/<uuid:pk>/enter/", pages.vendor_grant_enter, name="vendor-grant-enter"),
    path("vendor/session/end/", pages.vendor_session_end, name="vendor-session-end"),
]

api_urlpatterns: list[Any] = [
    path("members/", api.MemberListApi.as_view(), name="api-members"),
    path("members/<uuid:pk>/", api.MemberDetailApi.as_view(), name="api-member"),
    path("invitations/", api.InvitationListApi.as_view(), name="api-invitations"),
    path("invitations/<uuid:pk>/", api.InvitationDetailApi.as_view(), name="api-invitation"),
    path("api-clients/", api.ApiClientListApi.as_view(), name="api-api-clients"),
    path("api-clients/<uuid:pk>/", api.ApiClientDetailApi.as_view(), name="api-api-client"),
    path("api-clients/<uuid:pk>/rotate/", api.ApiClientRotateApi.as_view(), name="api-api-client-rotate"),
    path("support/requests/", api.SupportRequestListApi.as_view(), name="api-support-requests"),
    path("support/requests/<uuid:pk>/", api.SupportRequestDetailApi.as_view(), name="api-support-request"),
    path(
        "support/requests/<uuid:pk>/approve/",
        api.SupportRequestApproveApi.as_view(),
        name="api-support-request-approve",
    ),
    path(
        "support/requests/<uuid:pk>/deny/",
        api.SupportRequestDenyApi.as_view(),
        name="api-support-request-deny",
    ),
    path("support/grants/", api.SupportGrantListApi.as_view(), name="api-support-grants"),
    path("support/grants/<uuid:pk>/", api.SupportGrantDetailApi.as_view(), name="api-support-grant"),
    path("tenant/", api.TenantSettingsApi.as_view(), name="api-tenant"),
    path("audit-events/", api.AuditEventListApi.as_view(), name="api-audit-events"),
    path("audit-events/export.csv", api.AuditExportCsvApi.as_view(), name="api-audit-export-csv"),
    path("audit-events/export.json", api.AuditExportJsonApi.as_view(), name="api-audit-export-json"),
    path(
        "vendor/support-requests/",
        api.VendorSupportRequestListApi.as_view(),
        name="api-vendor-support-requests",
    ),
    path("vendor/support-grants/", api.VendorSupportGrantListApi.as_view(), name="api-vendor-support-grants"),
    path("vendor/break-glass/", api.VendorBreakGlassApi.as_view(), name="api-vendor-break-glass"),
]
