from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.support_scope_enum import SupportScopeEnum
from ..types import UNSET, Unset

T = TypeVar("T", bound="SupportGrantListInputRequest")


@_attrs_define
class SupportGrantListInputRequest:
    """
    Attributes:
        staff (str): The vendor support engineer's username
        reason (str):
        scope (SupportScopeEnum | Unset): * `read` - Read only
            * `operate` - Read and operate Default: SupportScopeEnum.READ.
        case_id (str | Unset):  Default: ''.
        duration_hours (int | Unset):  Default: 4.
    """

    staff: str
    reason: str
    scope: SupportScopeEnum | Unset = SupportScopeEnum.READ
    case_id: str | Unset = ""
    duration_hours: int | Unset = 4
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        staff = self.staff

        reason = self.reason

        scope: str | Unset = UNSET
        if not isinstance(self.scope, Unset):
            scope = self.scope.value

        case_id = self.case_id

        duration_hours = self.duration_hours

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "staff": staff,
                "reason": reason,
            }
        )
        if scope is not UNSET:
            field_dict["scope"] = scope
        if case_id is not UNSET:
            field_dict["case_id"] = case_id
        if duration_hours is not UNSET:
            field_dict["duration_hours"] = duration_hours

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        staff = d.pop("staff")

        reason = d.pop("reason")

        _scope = d.pop("scope", UNSET)
        scope: SupportScopeEnum | Unset
        if isinstance(_scope, Unset):
            scope = UNSET
        else:
            scope = SupportScopeEnum(_scope)

        case_id = d.pop("case_id", UNSET)

        duration_hours = d.pop("duration_hours", UNSET)

        support_grant_list_input_request = cls(
            staff=staff,
            reason=reason,
            scope=scope,
            case_id=case_id,
            duration_hours=duration_hours,
        )

        support_grant_list_input_request.additional_properties = d
        return support_grant_list_input_request

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
