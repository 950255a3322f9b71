from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="RuleInRequest")


@_attrs_define
class RuleInRequest:
    """
    Attributes:
        rule_text (None | str | Unset):
        rule (Any | Unset):
    """

    rule_text: None | str | Unset = UNSET
    rule: Any | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        rule_text: None | str | Unset
        if isinstance(self.rule_text, Unset):
            rule_text = UNSET
        else:
            rule_text = self.rule_text

        rule = self.rule

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if rule_text is not UNSET:
            field_dict["rule_text"] = rule_text
        if rule is not UNSET:
            field_dict["rule"] = rule

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)

        def _parse_rule_text(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        rule_text = _parse_rule_text(d.pop("rule_text", UNSET))

        rule = d.pop("rule", UNSET)

        rule_in_request = cls(
            rule_text=rule_text,
            rule=rule,
        )

        rule_in_request.additional_properties = d
        return rule_in_request

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
