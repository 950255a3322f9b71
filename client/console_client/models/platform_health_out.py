from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.platform_health_out_status import PlatformHealthOutStatus


T = TypeVar("T", bound="PlatformHealthOut")


@_attrs_define
class PlatformHealthOut:
    """
    Attributes:
        total (int):
        status (PlatformHealthOutStatus): Hosts per status.
    """

    total: int
    status: PlatformHealthOutStatus
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        total = self.total

        status = self.status.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "total": total,
                "status": status,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.platform_health_out_status import PlatformHealthOutStatus

        d = dict(src_dict)
        total = d.pop("total")

        status = PlatformHealthOutStatus.from_dict(d.pop("status"))

        platform_health_out = cls(
            total=total,
            status=status,
        )

        platform_health_out.additional_properties = d
        return platform_health_out

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
