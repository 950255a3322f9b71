from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.fallback_out_content import FallbackOutContent
    from ..models.recovery_rule_out import RecoveryRuleOut


T = TypeVar("T", bound="FallbackOut")


@_attrs_define
class FallbackOut:
    """
    Attributes:
        sensor_build (None | str):
        content (FallbackOutContent): Per category: the version.
        rule (RecoveryRuleOut):
    """

    sensor_build: None | str
    content: FallbackOutContent
    rule: RecoveryRuleOut
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        sensor_build: None | str
        sensor_build = self.sensor_build

        content = self.content.to_dict()

        rule = self.rule.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "sensor_build": sensor_build,
                "content": content,
                "rule": rule,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.fallback_out_content import FallbackOutContent
        from ..models.recovery_rule_out import RecoveryRuleOut

        d = dict(src_dict)

        def _parse_sensor_build(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        sensor_build = _parse_sensor_build(d.pop("sensor_build"))

        content = FallbackOutContent.from_dict(d.pop("content"))

        rule = RecoveryRuleOut.from_dict(d.pop("rule"))

        fallback_out = cls(
            sensor_build=sensor_build,
            content=content,
            rule=rule,
        )

        fallback_out.additional_properties = d
        return fallback_out

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
