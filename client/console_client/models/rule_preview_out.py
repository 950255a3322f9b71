from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.group_host_out import GroupHostOut


T = TypeVar("T", bound="RulePreviewOut")


@_attrs_define
class RulePreviewOut:
    """
    Attributes:
        rule (Any):
        rule_text (None | str):
        count (int):
        total (int):
        sample (list[GroupHostOut]):
        warning (None | str):
    """

    rule: Any
    rule_text: None | str
    count: int
    total: int
    sample: list[GroupHostOut]
    warning: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        rule = self.rule

        rule_text: None | str
        rule_text = self.rule_text

        count = self.count

        total = self.total

        sample = []
        for sample_item_data in self.sample:
            sample_item = sample_item_data.to_dict()
            sample.append(sample_item)

        warning: None | str
        warning = self.warning

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "rule": rule,
                "rule_text": rule_text,
                "count": count,
                "total": total,
                "sample": sample,
                "warning": warning,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.group_host_out import GroupHostOut

        d = dict(src_dict)
        rule = d.pop("rule")

        def _parse_rule_text(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        rule_text = _parse_rule_text(d.pop("rule_text"))

        count = d.pop("count")

        total = d.pop("total")

        sample = []
        _sample = d.pop("sample")
        for sample_item_data in _sample:
            sample_item = GroupHostOut.from_dict(sample_item_data)

            sample.append(sample_item)

        def _parse_warning(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        warning = _parse_warning(d.pop("warning"))

        rule_preview_out = cls(
            rule=rule,
            rule_text=rule_text,
            count=count,
            total=total,
            sample=sample,
            warning=warning,
        )

        rule_preview_out.additional_properties = d
        return rule_preview_out

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
