"""Contains all the data models used in inputs/outputs"""

from .accepted_types_enum import AcceptedTypesEnum
from .actor_kind_enum import ActorKindEnum
from .agreement_out import AgreementOut
from .api_client_created import ApiClientCreated
from .api_client_list_input_request import ApiClientListInputRequest
from .api_client_out import ApiClientOut
from .api_scope_enum import ApiScopeEnum
from .audit_event_out import AuditEventOut
from .blast_change_out import BlastChangeOut
from .blast_radius_out import BlastRadiusOut
from .blast_radius_out_by_group import BlastRadiusOutByGroup
from .blast_radius_out_by_platform import BlastRadiusOutByPlatform
from .build_in_request import BuildInRequest
from .build_out import BuildOut
from .build_page_out import BuildPageOut
from .build_page_out_n_levels import BuildPageOutNLevels
from .build_share_out import BuildShareOut
from .build_stage_out import BuildStageOut
from .build_stage_out_tenants import BuildStageOutTenants
from .capabilities_in_request import CapabilitiesInRequest
from .capabilities_out import CapabilitiesOut
from .capability_io import CapabilityIO
from .capability_io_request import CapabilityIORequest
from .catalog_out import CatalogOut
from .catalog_out_sensor_levels import CatalogOutSensorLevels
from .category_in_request import CategoryInRequest
from .category_out import CategoryOut
from .category_page import CategoryPage
from .cell_out import CellOut
from .cell_out_status_enum import CellOutStatusEnum
from .content_order_in_request import ContentOrderInRequest
from .content_policy_in_request import ContentPolicyInRequest
from .content_policy_out import ContentPolicyOut
from .content_policy_outcome import ContentPolicyOutcome
from .content_policy_page import ContentPolicyPage
from .content_policy_precedence_outcome import ContentPolicyPrecedenceOutcome
from .content_release_page import ContentReleasePage
from .content_share_out import ContentShareOut
from .decision_out import DecisionOut
from .delete_outcome import DeleteOutcome
from .delivery_out import DeliveryOut
from .doc_content_policy_out import DocContentPolicyOut
from .doc_freeze_out import DocFreezeOut
from .doc_group_out import DocGroupOut
from .doc_sensor_policy_out import DocSensorPolicyOut
from .doc_sensor_policy_out_update_blocks_item import DocSensorPolicyOutUpdateBlocksItem
from .doc_window_out import DocWindowOut
from .enrol_input_request import EnrolInputRequest
from .enrol_input_request_content_versions import EnrolInputRequestContentVersions
from .enrol_output import EnrolOutput
from .enrolment_token_created import EnrolmentTokenCreated
from .enrolment_token_input_request import EnrolmentTokenInputRequest
from .enrolment_token_output import EnrolmentTokenOutput
from .explain_out import ExplainOut
from .explain_out_content import ExplainOutContent
from .fallback_out import FallbackOut
from .fallback_out_content import FallbackOutContent
from .fleet_health_out import FleetHealthOut
from .fleet_health_out_platforms import FleetHealthOutPlatforms
from .fleet_health_out_status import FleetHealthOutStatus
from .fleet_series_out import FleetSeriesOut
from .fleet_series_out_samples_item import FleetSeriesOutSamplesItem
from .forecast_milestone_out import ForecastMilestoneOut
from .forecast_out import ForecastOut
from .forecast_point_out import ForecastPointOut
from .forecast_point_out_waiting import ForecastPointOutWaiting
from .freeze_in_request import FreezeInRequest
from .freeze_out import FreezeOut
from .freeze_outcome import FreezeOutcome
from .freeze_page import FreezePage
from .freeze_reason_request import FreezeReasonRequest
from .group_host_out import GroupHostOut
from .group_in_request import GroupInRequest
from .group_out import GroupOut
from .group_ref_out import GroupRefOut
from .growth_out import GrowthOut
from .heartbeat_batch_request import HeartbeatBatchRequest
from .heartbeat_batch_request_heartbeats_item import HeartbeatBatchRequestHeartbeatsItem
from .heartbeat_batch_result import HeartbeatBatchResult
from .heartbeat_batch_result_rejected_item import HeartbeatBatchResultRejectedItem
from .host_desired_out import HostDesiredOut
from .host_desired_out_content import HostDesiredOutContent
from .host_desired_out_paused_item import HostDesiredOutPausedItem
from .host_desired_out_rules import HostDesiredOutRules
from .host_detail_output import HostDetailOutput
from .host_detail_output_recent_crashes_item import HostDetailOutputRecentCrashesItem
from .host_group_member_page import HostGroupMemberPage
from .host_group_outcome import HostGroupOutcome
from .host_group_page import HostGroupPage
from .host_output import HostOutput
from .host_status_enum import HostStatusEnum
from .import_in_request import ImportInRequest
from .invitation_created import InvitationCreated
from .invitation_list_input_request import InvitationListInputRequest
from .invitation_out import InvitationOut
from .json_schema_out import JsonSchemaOut
from .json_schema_out_properties import JsonSchemaOutProperties
from .json_schema_out_properties_additional_property import (
    JsonSchemaOutPropertiesAdditionalProperty,
)
from .marked_read_out import MarkedReadOut
from .matrix_out import MatrixOut
from .members_in_request import MembersInRequest
from .membership_out import MembershipOut
from .named_ref_out import NamedRefOut
from .notification_out import NotificationOut
from .occurrence_out import OccurrenceOut
from .override_outcome import OverrideOutcome
from .override_request_out import OverrideRequestOut
from .override_request_page import OverrideRequestPage
from .override_rule_in_request import OverrideRuleInRequest
from .override_rule_out import OverrideRuleOut
from .override_rule_page import OverrideRulePage
from .overrides_enum import OverridesEnum
from .paginated_api_client_out_list import PaginatedApiClientOutList
from .paginated_audit_event_out_list import PaginatedAuditEventOutList
from .paginated_enrolment_token_output_list import PaginatedEnrolmentTokenOutputList
from .paginated_host_output_list import PaginatedHostOutputList
from .paginated_invitation_out_list import PaginatedInvitationOutList
from .paginated_membership_out_list import PaginatedMembershipOutList
from .paginated_notification_out_list import PaginatedNotificationOutList
from .paginated_support_grant_out_list import PaginatedSupportGrantOutList
from .paginated_support_request_out_list import PaginatedSupportRequestOutList
from .paginated_vendor_support_grant_list_output_list import (
    PaginatedVendorSupportGrantListOutputList,
)
from .patched_content_policy_patch_in_request import PatchedContentPolicyPatchInRequest
from .patched_group_patch_in_request import PatchedGroupPatchInRequest
from .patched_member_detail_input_request import PatchedMemberDetailInputRequest
from .patched_ring_in_request import PatchedRingInRequest
from .patched_sensor_policy_patch_in_request import PatchedSensorPolicyPatchInRequest
from .patched_sensor_policy_patch_in_request_update_blocks_item import (
    PatchedSensorPolicyPatchInRequestUpdateBlocksItem,
)
from .patched_tenant_settings_input_request import PatchedTenantSettingsInputRequest
from .patched_window_in_request import PatchedWindowInRequest
from .pause_group_out import PauseGroupOut
from .pause_in_request import PauseInRequest
from .pause_list_item_out import PauseListItemOut
from .pause_out import PauseOut
from .pause_outcome import PauseOutcome
from .pause_page import PausePage
from .plan_action_out import PlanActionOut
from .platform_enum import PlatformEnum
from .platform_health_out import PlatformHealthOut
from .platform_health_out_status import PlatformHealthOutStatus
from .policy_document_out import PolicyDocumentOut
from .policy_export_retrieve_format import PolicyExportRetrieveFormat
from .policy_plan_out import PolicyPlanOut
from .policy_plan_out_counts import PolicyPlanOutCounts
from .problem import Problem
from .problem_codes import ProblemCodes
from .problem_errors import ProblemErrors
from .problem_out import ProblemOut
from .promote_out import PromoteOut
from .reason_in_request import ReasonInRequest
from .recovery_rule_out import RecoveryRuleOut
from .ref_out import RefOut
from .release_detail_out import ReleaseDetailOut
from .release_detail_out_validation_report import ReleaseDetailOutValidationReport
from .release_halt_out import ReleaseHaltOut
from .release_in_request import ReleaseInRequest
from .release_light_out import ReleaseLightOut
from .release_out import ReleaseOut
from .release_out_validation_report import ReleaseOutValidationReport
from .release_recall_out import ReleaseRecallOut
from .ring_create_in_request import RingCreateInRequest
from .ring_list import RingList
from .ring_order_in_request import RingOrderInRequest
from .ring_out import RingOut
from .ring_page import RingPage
from .ring_progress_out import RingProgressOut
from .role_enum import RoleEnum
from .rollout_detail_out import RolloutDetailOut
from .rollout_detail_out_gate import RolloutDetailOutGate
from .rollout_detail_out_stops_item import RolloutDetailOutStopsItem
from .rollout_event_out import RolloutEventOut
from .rollout_event_out_detail import RolloutEventOutDetail
from .rollout_out import RolloutOut
from .rollout_page import RolloutPage
from .rotate_in_request import RotateInRequest
from .rule_in_request import RuleInRequest
from .rule_preview_out import RulePreviewOut
from .sensor_level_out import SensorLevelOut
from .sensor_order_in_request import SensorOrderInRequest
from .sensor_policy_in_request import SensorPolicyInRequest
from .sensor_policy_in_request_update_blocks_item import (
    SensorPolicyInRequestUpdateBlocksItem,
)
from .sensor_policy_out import SensorPolicyOut
from .sensor_policy_out_update_blocks_item import SensorPolicyOutUpdateBlocksItem
from .sensor_policy_outcome import SensorPolicyOutcome
from .sensor_policy_page import SensorPolicyPage
from .sensor_policy_precedence_outcome import SensorPolicyPrecedenceOutcome
from .stage_in_request import StageInRequest
from .subject_rule_out import SubjectRuleOut
from .support_grant_list_input_request import SupportGrantListInputRequest
from .support_grant_out import SupportGrantOut
from .support_request_out import SupportRequestOut
from .support_request_status_enum import SupportRequestStatusEnum
from .support_scope_enum import SupportScopeEnum
from .sync_status_out import SyncStatusOut
from .template_in_request import TemplateInRequest
from .template_out import TemplateOut
from .template_type_page import TemplateTypePage
from .tenant_api_scope_enum import TenantApiScopeEnum
from .tenant_settings_output import TenantSettingsOutput
from .untested_out import UntestedOut
from .validate_in_request import ValidateInRequest
from .validation_problem_out import ValidationProblemOut
from .validation_report_out import ValidationReportOut
from .validation_report_out_incompatible_hosts import (
    ValidationReportOutIncompatibleHosts,
)
from .validation_report_out_incompatible_hosts_additional_property import (
    ValidationReportOutIncompatibleHostsAdditionalProperty,
)
from .vendor_break_glass_input_request import VendorBreakGlassInputRequest
from .vendor_override_in_request import VendorOverrideInRequest
from .vendor_override_request_list import VendorOverrideRequestList
from .vendor_support_grant_list_output import VendorSupportGrantListOutput
from .vendor_support_request_list_input_request import (
    VendorSupportRequestListInputRequest,
)
from .webhook_detail_out import WebhookDetailOut
from .webhook_in_request import WebhookInRequest
from .webhook_out import WebhookOut
from .webhook_page import WebhookPage
from .webhook_secret_out import WebhookSecretOut
from .window_detail_out import WindowDetailOut
from .window_in_request import WindowInRequest
from .window_out import WindowOut
from .window_outcome import WindowOutcome
from .window_page import WindowPage

__all__ = (
    "AcceptedTypesEnum",
    "ActorKindEnum",
    "AgreementOut",
    "ApiClientCreated",
    "ApiClientListInputRequest",
    "ApiClientOut",
    "ApiScopeEnum",
    "AuditEventOut",
    "BlastChangeOut",
    "BlastRadiusOut",
    "BlastRadiusOutByGroup",
    "BlastRadiusOutByPlatform",
    "BuildInRequest",
    "BuildOut",
    "BuildPageOut",
    "BuildPageOutNLevels",
    "BuildShareOut",
    "BuildStageOut",
    "BuildStageOutTenants",
    "CapabilitiesInRequest",
    "CapabilitiesOut",
    "CapabilityIO",
    "CapabilityIORequest",
    "CatalogOut",
    "CatalogOutSensorLevels",
    "CategoryInRequest",
    "CategoryOut",
    "CategoryPage",
    "CellOut",
    "CellOutStatusEnum",
    "ContentOrderInRequest",
    "ContentPolicyInRequest",
    "ContentPolicyOut",
    "ContentPolicyOutcome",
    "ContentPolicyPage",
    "ContentPolicyPrecedenceOutcome",
    "ContentReleasePage",
    "ContentShareOut",
    "DecisionOut",
    "DeleteOutcome",
    "DeliveryOut",
    "DocContentPolicyOut",
    "DocFreezeOut",
    "DocGroupOut",
    "DocSensorPolicyOut",
    "DocSensorPolicyOutUpdateBlocksItem",
    "DocWindowOut",
    "EnrolInputRequest",
    "EnrolInputRequestContentVersions",
    "EnrolOutput",
    "EnrolmentTokenCreated",
    "EnrolmentTokenInputRequest",
    "EnrolmentTokenOutput",
    "ExplainOut",
    "ExplainOutContent",
    "FallbackOut",
    "FallbackOutContent",
    "FleetHealthOut",
    "FleetHealthOutPlatforms",
    "FleetHealthOutStatus",
    "FleetSeriesOut",
    "FleetSeriesOutSamplesItem",
    "ForecastMilestoneOut",
    "ForecastOut",
    "ForecastPointOut",
    "ForecastPointOutWaiting",
    "FreezeInRequest",
    "FreezeOut",
    "FreezeOutcome",
    "FreezePage",
    "FreezeReasonRequest",
    "GroupHostOut",
    "GroupInRequest",
    "GroupOut",
    "GroupRefOut",
    "GrowthOut",
    "HeartbeatBatchRequest",
    "HeartbeatBatchRequestHeartbeatsItem",
    "HeartbeatBatchResult",
    "HeartbeatBatchResultRejectedItem",
    "HostDesiredOut",
    "HostDesiredOutContent",
    "HostDesiredOutPausedItem",
    "HostDesiredOutRules",
    "HostDetailOutput",
    "HostDetailOutputRecentCrashesItem",
    "HostGroupMemberPage",
    "HostGroupOutcome",
    "HostGroupPage",
    "HostOutput",
    "HostStatusEnum",
    "ImportInRequest",
    "InvitationCreated",
    "InvitationListInputRequest",
    "InvitationOut",
    "JsonSchemaOut",
    "JsonSchemaOutProperties",
    "JsonSchemaOutPropertiesAdditionalProperty",
    "MarkedReadOut",
    "MatrixOut",
    "MembersInRequest",
    "MembershipOut",
    "NamedRefOut",
    "NotificationOut",
    "OccurrenceOut",
    "OverrideOutcome",
    "OverrideRequestOut",
    "OverrideRequestPage",
    "OverrideRuleInRequest",
    "OverrideRuleOut",
    "OverrideRulePage",
    "OverridesEnum",
    "PaginatedApiClientOutList",
    "PaginatedAuditEventOutList",
    "PaginatedEnrolmentTokenOutputList",
    "PaginatedHostOutputList",
    "PaginatedInvitationOutList",
    "PaginatedMembershipOutList",
    "PaginatedNotificationOutList",
    "PaginatedSupportGrantOutList",
    "PaginatedSupportRequestOutList",
    "PaginatedVendorSupportGrantListOutputList",
    "PatchedContentPolicyPatchInRequest",
    "PatchedGroupPatchInRequest",
    "PatchedMemberDetailInputRequest",
    "PatchedRingInRequest",
    "PatchedSensorPolicyPatchInRequest",
    "PatchedSensorPolicyPatchInRequestUpdateBlocksItem",
    "PatchedTenantSettingsInputRequest",
    "PatchedWindowInRequest",
    "PauseGroupOut",
    "PauseInRequest",
    "PauseListItemOut",
    "PauseOut",
    "PauseOutcome",
    "PausePage",
    "PlanActionOut",
    "PlatformEnum",
    "PlatformHealthOut",
    "PlatformHealthOutStatus",
    "PolicyDocumentOut",
    "PolicyExportRetrieveFormat",
    "PolicyPlanOut",
    "PolicyPlanOutCounts",
    "Problem",
    "ProblemCodes",
    "ProblemErrors",
    "ProblemOut",
    "PromoteOut",
    "ReasonInRequest",
    "RecoveryRuleOut",
    "RefOut",
    "ReleaseDetailOut",
    "ReleaseDetailOutValidationReport",
    "ReleaseHaltOut",
    "ReleaseInRequest",
    "ReleaseLightOut",
    "ReleaseOut",
    "ReleaseOutValidationReport",
    "ReleaseRecallOut",
    "RingCreateInRequest",
    "RingList",
    "RingOrderInRequest",
    "RingOut",
    "RingPage",
    "RingProgressOut",
    "RoleEnum",
    "RolloutDetailOut",
    "RolloutDetailOutGate",
    "RolloutDetailOutStopsItem",
    "RolloutEventOut",
    "RolloutEventOutDetail",
    "RolloutOut",
    "RolloutPage",
    "RotateInRequest",
    "RuleInRequest",
    "RulePreviewOut",
    "SensorLevelOut",
    "SensorOrderInRequest",
    "SensorPolicyInRequest",
    "SensorPolicyInRequestUpdateBlocksItem",
    "SensorPolicyOut",
    "SensorPolicyOutUpdateBlocksItem",
    "SensorPolicyOutcome",
    "SensorPolicyPage",
    "SensorPolicyPrecedenceOutcome",
    "StageInRequest",
    "SubjectRuleOut",
    "SupportGrantListInputRequest",
    "SupportGrantOut",
    "SupportRequestOut",
    "SupportRequestStatusEnum",
    "SupportScopeEnum",
    "SyncStatusOut",
    "TemplateInRequest",
    "TemplateOut",
    "TemplateTypePage",
    "TenantApiScopeEnum",
    "TenantSettingsOutput",
    "UntestedOut",
    "ValidateInRequest",
    "ValidationProblemOut",
    "ValidationReportOut",
    "ValidationReportOutIncompatibleHosts",
    "ValidationReportOutIncompatibleHostsAdditionalProperty",
    "VendorBreakGlassInputRequest",
    "VendorOverrideInRequest",
    "VendorOverrideRequestList",
    "VendorSupportGrantListOutput",
    "VendorSupportRequestListInputRequest",
    "WebhookDetailOut",
    "WebhookInRequest",
    "WebhookOut",
    "WebhookPage",
    "WebhookSecretOut",
    "WindowDetailOut",
    "WindowInRequest",
    "WindowOut",
    "WindowOutcome",
    "WindowPage",
)
