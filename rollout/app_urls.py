"""Rollout's pages and API routes (mounted by console/urls.py)."""

from __future__ import annotations

from typing import Any

from django.urls import path

from rollout.catalog.api import (
    CatalogView,
    VendorBuildListView,
    VendorBuildStageView,
    VendorCategoryListView,
    VendorReleaseDetailView,
    VendorReleaseListView,
    VendorReleaseStageView,
    VendorReleaseValidateView,
    VendorTemplateListView,
)
from rollout.catalog.matrix_api import VendorBuildCapabilitiesView, VendorReleaseMatrixView
from rollout.catalog.views import VendorCatalogPage, VendorReleasesPage
from rollout.consent.api import (
    OverrideApproveView,
    OverrideDeclineView,
    OverrideRequestListView,
    OverrideRuleListView,
    OverrideRuleRevokeView,
    VendorOverrideRequestView,
)
from rollout.controls.api import (
    FreezeBypassApproveView,
    FreezeBypassRequestView,
    FreezeDetailView,
    FreezeLiftApproveView,
    FreezeLiftRequestView,
    FreezeListView,
    PauseListView,
    PauseResumeView,
    WindowDetailView,
    WindowListView,
)
from rollout.controls.views import PausesPage, WindowsPage
from rollout.desired.api import HostDesiredView, HostExplainView, SyncResyncView, SyncStatusView
from rollout.desired.views import HostWhyPage, SyncPage
from rollout.groups.api import (
    HostGroupDetailView,
    HostGroupListView,
    HostGroupMembersView,
    HostGroupPreviewView,
)
from rollout.groups.views import GroupDetailPage, GroupListPage, GroupPreviewPage
from rollout.notifications.api import (
    WebhookDetailView,
    WebhookListView,
    WebhookRedeliverView,
    WebhookRotateSecretView,
    WebhookTestView,
)
from rollout.notifications.views import WebhooksPage
from rollout.overview import OverviewFragment
from rollout.policies.api import (
    ContentPolicyDetailView,
    ContentPolicyListView,
    ContentPolicyPrecedenceView,
    SensorPolicyDetailView,
    SensorPolicyListView,
    SensorPolicyPrecedenceView,
)
from rollout.policies.code_api import PolicyExportView, PolicyImportView, PolicySchemaView
from rollout.policies.views import PolicyCodePage, PolicyDetailPage, PolicyListPage
from rollout.rings.api import (
    RingDetailView,
    RingListView,
    RingOrderView,
    RolloutDetailView,
    RolloutHaltView,
    RolloutListView,
    RolloutPromoteView,
    RolloutResumeView,
    RolloutRollbackView,
    VendorReleaseHaltView,
    VendorReleaseRecallView,
)
from rollout.rings.forecast_api import ReleaseForecastView, RolloutForecastView
from rollout.rings.views import RingEditPage, RingsPage, RolloutDetailPage, RolloutListPage, RolloutLivePage

api_urlpatterns: list[Any] = [
    # vendor catalog
    path("vendor/sensor-builds/", VendorBuildListView.as_view(), name="api-vendor-builds"),
    path(
        "vendor/sensor-builds/<uuid:pk>/stage/",
        VendorBuildStageView.as_view(),
        name="api-vendor-build-stage",
    ),
    path(
        "vendor/sensor-builds/<uuid:pk>/capabilities/",
        VendorBuildCapabilitiesView.as_view(),
        name="api-vendor-build-capabilities",
    ),
    path(
        "vendor/content-releases/<uuid:pk>/matrix/",
        VendorReleaseMatrixView.as_view(),
        name="api-vendor-release-matrix",
    ),
    path("vendor/content-categories/", VendorCategoryListView.as_view(), name="api-vendor-categories"),
    path("vendor/template-types/", VendorTemplateListView.as_view(), name="api-vendor-templates"),
    path("vendor/content-releases/", VendorReleaseListView.as_view(), name="api-vendor-releases"),
    path(
        "vendor/content-releases/validate/",
        VendorReleaseValidateView.as_view(),
        name="api-vendor-validate",
    ),
    path("vendor/content-releases/<uuid:pk>/", VendorReleaseDetailView.as_view(), name="api-vendor-release"),
    path(
        "vendor/content-releases/<uuid:pk>/stage/",
        VendorReleaseStageView.as_view(),
        name="api-vendor-release-stage",
    ),
    path(
        "vendor/content-releases/<uuid:pk>/override-requests/",
        VendorOverrideRequestView.as_view(),
        name="api-vendor-release-overrides",
    ),
    # tenant
    path("catalog/", CatalogView.as_view(), name="api-catalog"),
    path("hosts/<uuid:pk>/explain/", HostExplainView.as_view(), name="api-host-explain"),
    path("hosts/<uuid:pk>/desired/", HostDesiredView.as_view(), name="api-host-desired"),
    path("sync/", SyncStatusView.as_view(), name="api-sync"),
    path("sync/resync/", SyncResyncView.as_view(), name="api-sync-resync"),
    path("host-groups/", HostGroupListView.as_view(), name="api-host-groups"),
    path("host-groups/preview/", HostGroupPreviewView.as_view(), name="api-host-group-preview"),
    path("host-groups/<uuid:pk>/", HostGroupDetailView.as_view(), name="api-host-group"),
    path("host-groups/<uuid:pk>/members/", HostGroupMembersView.as_view(), name="api-host-group-members"),
    path("sensor-policies/", SensorPolicyListView.as_view(), name="api-sensor-policies"),
    path("sensor-policies/precedence/", SensorPolicyPrecedenceView.as_view(), name="api-sensor-precedence"),
    path("sensor-policies/<uuid:pk>/", SensorPolicyDetailView.as_view(), name="api-sensor-policy"),
    path("content-policies/", ContentPolicyListView.as_view(), name="api-content-policies"),
    path(
        "content-policies/precedence/",
        ContentPolicyPrecedenceView.as_view(),
        name="api-content-precedence",
    ),
    path("content-policies/<uuid:pk>/", ContentPolicyDetailView.as_view(), name="api-content-policy"),
    path("windows/", WindowListView.as_view(), name="api-windows"),
    path("windows/<uuid:pk>/", WindowDetailView.as_view(), name="api-window"),
    path("freezes/", FreezeListView.as_view(), name="api-freezes"),
    path("freezes/<uuid:pk>/", FreezeDetailView.as_view(), name="api-freeze"),
    path("freezes/<uuid:pk>/lift-request/", FreezeLiftRequestView.as_view(), name="api-freeze-lift-request"),
    path("freezes/<uuid:pk>/lift-approve/", FreezeLiftApproveView.as_view(), name="api-freeze-lift-approve"),
    path(
        "freezes/<uuid:pk>/bypass-request/",
        FreezeBypassRequestView.as_view(),
        name="api-freeze-bypass-request",
    ),
    path(
        "freezes/<uuid:pk>/bypass-approve/",
        FreezeBypassApproveView.as_view(),
        name="api-freeze-bypass-approve",
    ),
    path("pauses/", PauseListView.as_view(), name="api-pauses"),
    path("pauses/<uuid:pk>/resume/", PauseResumeView.as_view(), name="api-pause-resume"),
    path("policy/export/", PolicyExportView.as_view(), name="api-policy-export"),
    path("policy/import/", PolicyImportView.as_view(), name="api-policy-import"),
    path("policy/schema.json", PolicySchemaView.as_view(), name="api-policy-schema"),
    path("override-requests/", OverrideRequestListView.as_view(), name="api-override-requests"),
    path(
        "override-requests/<uuid:pk>/approve/",
        OverrideApproveView.as_view(),
        name="api-override-request-approve",
    ),
    path(
        "override-requests/<uuid:pk>/decline/",
        OverrideDeclineView.as_view(),
        name="api-override-request-decline",
    ),
    path("override-rules/", OverrideRuleListView.as_view(), name="api-override-rules"),
    path(
        "override-rules/<uuid:pk>/revoke/", OverrideRuleRevokeView.as_view(), name="api-override-rule-revoke"
    ),
    # staged rollouts, webhooks, vendor global halt / recall
    path("rings/", RingListView.as_view(), name="api-rings"),
    path("rings/order/", RingOrderView.as_view(), name="api-rings-order"),
    path("rings/<uuid:pk>/", RingDetailView.as_view(), name="api-ring"),
    path("rollouts/", RolloutListView.as_view(), name="api-rollouts"),
    path("rollouts/<uuid:pk>/", RolloutDetailView.as_view(), name="api-rollout"),
    path("rollouts/<uuid:pk>/forecast/", RolloutForecastView.as_view(), name="api-rollout-forecast"),
    path("releases/<uuid:pk>/forecast/", ReleaseForecastView.as_view(), name="api-release-forecast"),
    path("rollouts/<uuid:pk>/halt/", RolloutHaltView.as_view(), name="api-rollout-halt"),
    path("rollouts/<uuid:pk>/resume/", RolloutResumeView.as_view(), name="api-rollout-resume"),
    path("rollouts/<uuid:pk>/promote/", RolloutPromoteView.as_view(), name="api-rollout-promote"),
    path("rollouts/<uuid:pk>/rollback/", RolloutRollbackView.as_view(), name="api-rollout-rollback"),
    path("webhooks/", WebhookListView.as_view(), name="api-webhooks"),
    path("webhooks/<uuid:pk>/", WebhookDetailView.as_view(), name="api-webhook"),
    path("webhooks/<uuid:pk>/test/", WebhookTestView.as_view(), name="api-webhook-test"),
    path(
        "webhooks/<uuid:pk>/rotate-secret/",
        WebhookRotateSecretView.as_view(),
        name="api-webhook-rotate-secret",
    ),
    path(
        "webhooks/<uuid:pk>/deliveries/<uuid:delivery_pk>/redeliver/",
        WebhookRedeliverView.as_view(),
        name="api-webhook-redeliver",
    ),
    path(
        "vendor/content-releases/<uuid:pk>/halt/",
        VendorReleaseHaltView.as_view(),
        name="api-vendor-release-halt",
    ),
    path(
        "vendor/content-releases/<uuid:pk>/recall/",
        VendorReleaseRecallView.as_view(),
        name="api-vendor-release-recall",
    ),
]

urlpatterns: list[Any] = [
    path("rollout/groups/", GroupListPage.as_view(), name="rollout-groups"),
    path("rollout/groups/preview/", GroupPreviewPage.as_view(), name="rollout-group-preview"),
    path("rollout/groups/<uuid:pk>/", GroupDetailPage.as_view(), name="rollout-group"),
    path("rollout/policies/", PolicyListPage.as_view(), name="rollout-policies"),
    path("rollout/policies/<str:kind>/<uuid:pk>/", PolicyDetailPage.as_view(), name="rollout-policy"),
    path("rollout/windows/", WindowsPage.as_view(), name="rollout-windows"),
    path("rollout/pauses/", PausesPage.as_view(), name="rollout-pauses"),
    path("rollout/hosts/<uuid:pk>/why/", HostWhyPage.as_view(), name="rollout-host-why"),
    path("rollout/policy-as-code/", PolicyCodePage.as_view(), name="rollout-policy-code"),
    path("vendor/catalog/", VendorCatalogPage.as_view(), name="rollout-vendor-catalog"),
    path("rollout/rings/", RingsPage.as_view(), name="rollout-rings"),
    path("rollout/rings/<uuid:pk>/", RingEditPage.as_view(), name="rollout-ring"),
    path("rollout/rollouts/", RolloutListPage.as_view(), name="rollout-rollouts"),
    path("rollout/rollouts/<uuid:pk>/", RolloutDetailPage.as_view(), name="rollout-rollout"),
    path("rollout/rollouts/<uuid:pk>/live/", RolloutLivePage.as_view(), name="rollout-rollout-live"),
    path("rollout/overview/", OverviewFragment.as_view(), name="rollout-overview"),
    path("rollout/webhooks/", WebhooksPage.as_view(), name="rollout-webhooks"),
    path("vendor/releases/", VendorReleasesPage.as_view(), name="rollout-vendor-releases"),
    path("rollout/sync/", SyncPage.as_view(), name="rollout-sync"),
]
