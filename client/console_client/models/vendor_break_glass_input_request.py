from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.support_scope_enum import SupportScopeEnum
from ..types import UNSET, Unset

T = TypeVar("T", bound="VendorBreakGlassInputRequest")


@_attrs_define
class VendorBreakGlassInputRequest:
    """
    Attributes:
        tenant (str):
        justification (str):
        scope (SupportScopeEnum | Unset): * `read` - Read only
            * `operate` - Read and operate Default: SupportScopeEnum.READ.
        duration_hours (int | Unset):  Default: 4.
    """

    tenant: str
    justification: str
    scope: SupportScopeEnum | Unset = SupportScopeEnum.READ
    duration_hours: int | Unset = 4
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        tenant = self.tenant

        justification = self.justification

        scope: str | Unset = UNSET
        if not isinstance(self.scope, Unset):
            scope = self.scope.value

        duration_hours = self.duration_hours

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "tenant": tenant,
                "justification": justification,
            }
        )
        if scope is not UNSET:
            field_dict["scope"] = scope
        if duration_hours is not UNSET:
            field_dict["duration_hours"] = duration_hours

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        tenant = d.pop("tenant")

        justification = d.pop("justification")

        _scope = d.pop("scope", UNSET)
        scope: SupportScopeEnum | Unset
        if isinstance(_scope, Unset):
            scope = UNSET
        else:
            scope = SupportScopeEnum(_scope)

        duration_hours = d.pop("duration_hours", UNSET)

        vendor_break_glass_input_request = cls(
            tenant=tenant,
            justification=justification,
            scope=scope,
            duration_hours=duration_hours,
        )

        vendor_break_glass_input_request.additional_properties = d
        return vendor_break_glass_input_request

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
