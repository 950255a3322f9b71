from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.blast_radius_out import BlastRadiusOut
    from ..models.plan_action_out import PlanActionOut
    from ..models.policy_plan_out_counts import PolicyPlanOutCounts


T = TypeVar("T", bound="PolicyPlanOut")


@_attrs_define
class PolicyPlanOut:
    """
    Attributes:
        dry_run (bool):
        fingerprint (str): The fingerprint of the state this plan was made against: send it back as `plan_fingerprint`
            to apply only if that state has not moved (else 409, naming what changed).
        actions (list[PlanActionOut]):
        counts (PolicyPlanOutCounts): Actions per kind of action.
        blast_radius (BlastRadiusOut | None):
    """

    dry_run: bool
    fingerprint: str
    actions: list[PlanActionOut]
    counts: PolicyPlanOutCounts
    blast_radius: BlastRadiusOut | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.blast_radius_out import BlastRadiusOut

        dry_run = self.dry_run

        fingerprint = self.fingerprint

        actions = []
        for actions_item_data in self.actions:
            actions_item = actions_item_data.to_dict()
            actions.append(actions_item)

        counts = self.counts.to_dict()

        blast_radius: dict[str, Any] | None
        if isinstance(self.blast_radius, BlastRadiusOut):
            blast_radius = self.blast_radius.to_dict()
        else:
            blast_radius = self.blast_radius

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "dry_run": dry_run,
                "fingerprint": fingerprint,
                "actions": actions,
                "counts": counts,
                "blast_radius": blast_radius,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.blast_radius_out import BlastRadiusOut
        from ..models.plan_action_out import PlanActionOut
        from ..models.policy_plan_out_counts import PolicyPlanOutCounts

        d = dict(src_dict)
        dry_run = d.pop("dry_run")

        fingerprint = d.pop("fingerprint")

        actions = []
        _actions = d.pop("actions")
        for actions_item_data in _actions:
            actions_item = PlanActionOut.from_dict(actions_item_data)

            actions.append(actions_item)

        counts = PolicyPlanOutCounts.from_dict(d.pop("counts"))

        def _parse_blast_radius(data: object) -> BlastRadiusOut | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                blast_radius_type_1 = BlastRadiusOut.from_dict(data)

                return blast_radius_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(BlastRadiusOut | None, data)

        blast_radius = _parse_blast_radius(d.pop("blast_radius"))

        policy_plan_out = cls(
            dry_run=dry_run,
            fingerprint=fingerprint,
            actions=actions,
            counts=counts,
            blast_radius=blast_radius,
        )

        policy_plan_out.additional_properties = d
        return policy_plan_out

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
