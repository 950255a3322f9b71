from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="GroupOut")


@_attrs_define
class GroupOut:
    """
    Attributes:
        id (UUID):
        name (str):
        description (str):
        rule_text (None | str):
        rule (Any): The parsed rule (and/or tree), null if static only.
        static_members (int):
        version (int):
        updated_at (datetime.datetime):
        host_count (int):
        warnings (list[str]):
    """

    id: UUID
    name: str
    description: str
    rule_text: None | str
    rule: Any
    static_members: int
    version: int
    updated_at: datetime.datetime
    host_count: int
    warnings: list[str]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        name = self.name

        description = self.description

        rule_text: None | str
        rule_text = self.rule_text

        rule = self.rule

        static_members = self.static_members

        version = self.version

        updated_at = self.updated_at.isoformat()

        host_count = self.host_count

        warnings = self.warnings

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "name": name,
                "description": description,
                "rule_text": rule_text,
                "rule": rule,
                "static_members": static_members,
                "version": version,
                "updated_at": updated_at,
                "host_count": host_count,
                "warnings": warnings,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = UUID(d.pop("id"))

        name = d.pop("name")

        description = d.pop("description")

        def _parse_rule_text(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        rule_text = _parse_rule_text(d.pop("rule_text"))

        rule = d.pop("rule")

        static_members = d.pop("static_members")

        version = d.pop("version")

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        host_count = d.pop("host_count")

        warnings = cast(list[str], d.pop("warnings"))

        group_out = cls(
            id=id,
            name=name,
            description=description,
            rule_text=rule_text,
            rule=rule,
            static_members=static_members,
            version=version,
            updated_at=updated_at,
            host_count=host_count,
            warnings=warnings,
        )

        group_out.additional_properties = d
        return group_out

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
