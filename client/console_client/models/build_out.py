from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="BuildOut")


@_attrs_define
class BuildOut:
    """
    Attributes:
        id (UUID):
        platform (str):
        version (str):
        release_line (str):
        stage (str): early_adopter, ga or withdrawn.
        released_at (datetime.datetime):
        notes (str):
    """

    id: UUID
    platform: str
    version: str
    release_line: str
    stage: str
    released_at: datetime.datetime
    notes: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        platform = self.platform

        version = self.version

        release_line = self.release_line

        stage = self.stage

        released_at = self.released_at.isoformat()

        notes = self.notes

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "platform": platform,
                "version": version,
                "release_line": release_line,
                "stage": stage,
                "released_at": released_at,
                "notes": notes,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = UUID(d.pop("id"))

        platform = d.pop("platform")

        version = d.pop("version")

        release_line = d.pop("release_line")

        stage = d.pop("stage")

        released_at = datetime.datetime.fromisoformat(d.pop("released_at"))

        notes = d.pop("notes")

        build_out = cls(
            id=id,
            platform=platform,
            version=version,
            release_line=release_line,
            stage=stage,
            released_at=released_at,
            notes=notes,
        )

        build_out.additional_properties = d
        return build_out

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
