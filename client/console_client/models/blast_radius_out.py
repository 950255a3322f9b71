from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.blast_change_out import BlastChangeOut
    from ..models.blast_radius_out_by_group import BlastRadiusOutByGroup
    from ..models.blast_radius_out_by_platform import BlastRadiusOutByPlatform


T = TypeVar("T", bound="BlastRadiusOut")


@_attrs_define
class BlastRadiusOut:
    """
    Attributes:
        hosts_total (int):
        hosts_changing (int):
        changes (list[BlastChangeOut]):
        by_platform (BlastRadiusOutByPlatform):
        by_group (BlastRadiusOutByGroup):
        summary (str):
    """

    hosts_total: int
    hosts_changing: int
    changes: list[BlastChangeOut]
    by_platform: BlastRadiusOutByPlatform
    by_group: BlastRadiusOutByGroup
    summary: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        hosts_total = self.hosts_total

        hosts_changing = self.hosts_changing

        changes = []
        for changes_item_data in self.changes:
            changes_item = changes_item_data.to_dict()
            changes.append(changes_item)

        by_platform = self.by_platform.to_dict()

        by_group = self.by_group.to_dict()

        summary = self.summary

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "hosts_total": hosts_total,
                "hosts_changing": hosts_changing,
                "changes": changes,
                "by_platform": by_platform,
                "by_group": by_group,
                "summary": summary,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.blast_change_out import BlastChangeOut
        from ..models.blast_radius_out_by_group import BlastRadiusOutByGroup
        from ..models.blast_radius_out_by_platform import BlastRadiusOutByPlatform

        d = dict(src_dict)
        hosts_total = d.pop("hosts_total")

        hosts_changing = d.pop("hosts_changing")

        changes = []
        _changes = d.pop("changes")
        for changes_item_data in _changes:
            changes_item = BlastChangeOut.from_dict(changes_item_data)

            changes.append(changes_item)

        by_platform = BlastRadiusOutByPlatform.from_dict(d.pop("by_platform"))

        by_group = BlastRadiusOutByGroup.from_dict(d.pop("by_group"))

        summary = d.pop("summary")

        blast_radius_out = cls(
            hosts_total=hosts_total,
            hosts_changing=hosts_changing,
            changes=changes,
            by_platform=by_platform,
            by_group=by_group,
            summary=summary,
        )

        blast_radius_out.additional_properties = d
        return blast_radius_out

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
