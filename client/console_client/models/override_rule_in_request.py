from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="OverrideRuleInRequest")


@_attrs_define
class OverrideRuleInRequest:
    """
    Attributes:
        overrides (list[str]):
        until (datetime.datetime):
        reason (str):
        categories (list[str] | Unset):
    """

    overrides: list[str]
    until: datetime.datetime
    reason: str
    categories: list[str] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        overrides = self.overrides

        until = self.until.isoformat()

        reason = self.reason

        categories: list[str] | Unset = UNSET
        if not isinstance(self.categories, Unset):
            categories = self.categories

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "overrides": overrides,
                "until": until,
                "reason": reason,
            }
        )
        if categories is not UNSET:
            field_dict["categories"] = categories

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        overrides = cast(list[str], d.pop("overrides"))

        until = datetime.datetime.fromisoformat(d.pop("until"))

        reason = d.pop("reason")

        categories = cast(list[str], d.pop("categories", UNSET))

        override_rule_in_request = cls(
            overrides=overrides,
            until=until,
            reason=reason,
            categories=categories,
        )

        override_rule_in_request.additional_properties = d
        return override_rule_in_request

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
