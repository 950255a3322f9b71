from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ProblemOut")


@_attrs_define
class ProblemOut:
    """
    Attributes:
        code (str):
        message (str):
        template_type (str):
        instance (str):
        field (int | None):
    """

    code: str
    message: str
    template_type: str
    instance: str
    field: int | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        message = self.message

        template_type = self.template_type

        instance = self.instance

        field: int | None
        field = self.field

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "code": code,
                "message": message,
                "template_type": template_type,
                "instance": instance,
                "field": field,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        code = d.pop("code")

        message = d.pop("message")

        template_type = d.pop("template_type")

        instance = d.pop("instance")

        def _parse_field(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        field = _parse_field(d.pop("field"))

        problem_out = cls(
            code=code,
            message=message,
            template_type=template_type,
            instance=instance,
            field=field,
        )

        problem_out.additional_properties = d
        return problem_out

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
