from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.blast_radius_out import BlastRadiusOut


T = TypeVar("T", bound="DeleteOutcome")


@_attrs_define
class DeleteOutcome:
    """
    Attributes:
        dry_run (bool):
        blast_radius (BlastRadiusOut):
    """

    dry_run: bool
    blast_radius: BlastRadiusOut
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        dry_run = self.dry_run

        blast_radius = self.blast_radius.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "dry_run": dry_run,
                "blast_radius": blast_radius,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.blast_radius_out import BlastRadiusOut

        d = dict(src_dict)
        dry_run = d.pop("dry_run")

        blast_radius = BlastRadiusOut.from_dict(d.pop("blast_radius"))

        delete_outcome = cls(
            dry_run=dry_run,
            blast_radius=blast_radius,
        )

        delete_outcome.additional_properties = d
        return delete_outcome

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
