"""Rollout's pages and API routes (mounted by console/urls.py)."""

from __future__ import annotations

from typing import Any

from django.urls import path

from rollout import api, api_rollouts, sync_api, views, views_rollouts, views_sync

api_urlpatterns: list[Any] = [
    # vendor catalog
    path("vendor/sensor-builds/", api.VendorBuildListView.as_view(), name="api-vendor-builds"),
    path(
        "vendor/sensor-builds/<uuid:pk>/stage",
        api.VendorBuildStageView.as_view(),
        name="api-vendor-build-stage",
    ),
    path("vendor/content-categories/", api.VendorCategoryListView.as_view(), name="api-vendor-categories"),
    path("vendor/template-types/", api.VendorTemplateListView.as_view(), name="api-vendor-templates"),
    path("vendor/content-releases/", api.VendorReleaseListView.as_view(), name="api-vendor-releases"),
    path(
        "vendor/content-releases/validate",
        api.VendorReleaseValidateView.as_view(),
        name="api-vendor-validate",
    ),
    path(
        "vendor/content-releases/<uuid:pk>", api.VendorReleaseDetailView.as_view(), name="api-vendor-release"
    ),
    path(
        "vendor/content-releases/<uuid:pk>/stage",
        api.VendorReleaseStageView.as_view(),
        name="api-vendor-release-stage",
    ),
    # tenant
    path("catalog/", api.CatalogView.as_view(), name="api-catalog"),
    path("hosts/<uuid:pk>/explain", api.HostExplainView.as_view(), name="api-host-explain"),
    path("hosts/<uuid:pk>/desired", sync_api.HostDesiredView.as_view(), name="api-host-desired"),
    path("sync/", sync_api.SyncStatusView.as_view(), name="api-sync"),
    path("sync/resync", sync_api.SyncResyncView.as_view(), name="api-sync-resync"),
    path("host-groups/", api.HostGroupListView.as_view(), name="api-host-groups"),
    path("host-groups/preview", api.HostGroupPreviewView.as_view(), name="api-host-group-preview"),
    path("host-groups/<uuid:pk>", api.HostGroupDetailView.as_view(), name="api-host-group"),
    path("host-groups/<uuid:pk>/members", api.HostGroupMembersView.as_view(), name="api-host-group-members"),
    path("sensor-policies/", api.SensorPolicyListView.as_view(), name="api-sensor-policies"),
    path(
        "sensor-policies/precedence", api.SensorPolicyPrecedenceView.as_view(), name="api-sensor-precedence"
    ),
    path("sensor-policies/<uuid:pk>", api.SensorPolicyDetailView.as_view(), name="api-sensor-policy"),
    path("content-policies/", api.ContentPolicyListView.as_view(), name="api-content-policies"),
    path(
        "content-policies/precedence",
        api.ContentPolicyPrecedenceView.as_view(),
        name="api-content-precedence",
    ),
    path("content-policies/<uuid:pk>", api.ContentPolicyDetailView.as_view(), name="api-content-policy"),
    path("windows/", api.WindowListView.as_view(), name="api-windows"),
    path("windows/<uuid:pk>", api.WindowDetailView.as_view(), name="api-window"),
    path("freezes/", api.FreezeListView.as_view(), name="api-freezes"),
    path("freezes/<uuid:pk>", api.FreezeDetailView.as_view(), name="api-freeze"),
    path(
        "freezes/<uuid:pk>/lift-request", api.FreezeLiftRequestView.as_view(), name="api-freeze-lift-request"
    ),
    path(
        "freezes/<uuid:pk>/lift-approve", api.FreezeLiftApproveView.as_view(), name="api-freeze-lift-approve"
    ),
    path(
        "freezes/<uuid:pk>/bypass-request",
        api.FreezeBypassRequestView.as_view(),
        name="api-freeze-bypass-request",
    ),
    path(
        "freezes/<uuid:pk>/bypass-approve",
        api.FreezeBypassApproveView.as_view(),
        name="api-freeze-bypass-approve",
    ),
    path("pauses/", api.PauseListView.as_view(), name="api-pauses"),
    path("pauses/<uuid:pk>/resume", api.PauseResumeView.as_view(), name="api-pause-resume"),
    path("policy/export", api.PolicyExportView.as_view(), name="api-policy-export"),
    path("policy/import", api.PolicyImportView.as_view(), name="api-policy-import"),
    # staged rollouts, webhooks, vendor global halt / recall
    path("rings/", api_rollouts.RingListView.as_view(), name="api-rings"),
    path("rings/order", api_rollouts.RingOrderView.as_view(), name="api-rings-order"),
    path("rings/<uuid:pk>", api_rollouts.RingDetailView.as_view(), name="api-ring"),
    path("rollouts/", api_rollouts.RolloutListView.as_view(), name="api-rollouts"),
    path("rollouts/<uuid:pk>", api_rollouts.RolloutDetailView.as_view(), name="api-rollout"),
    path("rollouts/<uuid:pk>/halt", api_rollouts.RolloutHaltView.as_view(), name="api-rollout-halt"),
    path("rollouts/<uuid:pk>/resume", api_rollouts.RolloutResumeView.as_view(), name="api-rollout-resume"),
    path("rollouts/<uuid:pk>/promote", api_rollouts.RolloutPromoteView.as_view(), name="api-rollout-promote"),
    path(
        "rollouts/<uuid:pk>/rollback", api_rollouts.RolloutRollbackView.as_view(), name="api-rollout-rollback"
    ),
    path("webhooks/", api_rollouts.WebhookListView.as_view(), name="api-webhooks"),
    path("webhooks/<uuid:pk>", api_rollouts.WebhookDetailView.as_view(), name="api-webhook"),
    path(
        "vendor/content-releases/<uuid:pk>/halt",
        api_rollouts.VendorReleaseHaltView.as_view(),
        name="api-vendor-release-halt",
    ),
    path(
        "vendor/content-releases/<uuid:pk>/recall",
        api_rollouts.VendorReleaseRecallView.as_view(),
        name="api-vendor-release-recall",
    ),
]

urlpatterns: list[Any] = views.urlpatterns + views_rollouts.urlpatterns + views_sync.urlpatterns
