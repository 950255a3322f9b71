from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="VendorOverrideInRequest")


@_attrs_define
class VendorOverrideInRequest:
    """
    Attributes:
        tenant (str): The tenant's slug.
        overrides (list[str]):
        reason (str):
        hours (int | Unset): How long it stands. Default: 24.
    """

    tenant: str
    overrides: list[str]
    reason: str
    hours: int | Unset = 24
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        tenant = self.tenant

        overrides = self.overrides

        reason = self.reason

        hours = self.hours

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "tenant": tenant,
                "overrides": overrides,
                "reason": reason,
            }
        )
        if hours is not UNSET:
            field_dict["hours"] = hours

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        tenant = d.pop("tenant")

        overrides = cast(list[str], d.pop("overrides"))

        reason = d.pop("reason")

        hours = d.pop("hours", UNSET)

        vendor_override_in_request = cls(
            tenant=tenant,
            overrides=overrides,
            reason=reason,
            hours=hours,
        )

        vendor_override_in_request.additional_properties = d
        return vendor_override_in_request

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
