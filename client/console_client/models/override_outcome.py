from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.blast_radius_out import BlastRadiusOut
    from ..models.override_request_out import OverrideRequestOut


T = TypeVar("T", bound="OverrideOutcome")


@_attrs_define
class OverrideOutcome:
    """
    Attributes:
        dry_run (bool):
        blast_radius (BlastRadiusOut):
        object_ (OverrideRequestOut | Unset):
    """

    dry_run: bool
    blast_radius: BlastRadiusOut
    object_: OverrideRequestOut | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        dry_run = self.dry_run

        blast_radius = self.blast_radius.to_dict()

        object_: dict[str, Any] | Unset = UNSET
        if not isinstance(self.object_, Unset):
            object_ = self.object_.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "dry_run": dry_run,
                "blast_radius": blast_radius,
            }
        )
        if object_ is not UNSET:
            field_dict["object"] = object_

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.blast_radius_out import BlastRadiusOut
        from ..models.override_request_out import OverrideRequestOut

        d = dict(src_dict)
        dry_run = d.pop("dry_run")

        blast_radius = BlastRadiusOut.from_dict(d.pop("blast_radius"))

        _object_ = d.pop("object", UNSET)
        object_: OverrideRequestOut | Unset
        if isinstance(_object_, Unset):
            object_ = UNSET
        else:
            object_ = OverrideRequestOut.from_dict(_object_)

        override_outcome = cls(
            dry_run=dry_run,
            blast_radius=blast_radius,
            object_=object_,
        )

        override_outcome.additional_properties = d
        return override_outcome

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
