from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ReleaseLightOut")


@_attrs_define
class ReleaseLightOut:
    """
    Attributes:
        id (UUID):
        category (str):
        version (str):
        stage (str): internal, canary, early_access, ga or recalled.
        critical (bool):
        digest (str):
        valid (bool):
        created_at (datetime.datetime):
    """

    id: UUID
    category: str
    version: str
    stage: str
    critical: bool
    digest: str
    valid: bool
    created_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        category = self.category

        version = self.version

        stage = self.stage

        critical = self.critical

        digest = self.digest

        valid = self.valid

        created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "category": category,
                "version": version,
                "stage": stage,
                "critical": critical,
                "digest": digest,
                "valid": valid,
                "created_at": created_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = UUID(d.pop("id"))

        category = d.pop("category")

        version = d.pop("version")

        stage = d.pop("stage")

        critical = d.pop("critical")

        digest = d.pop("digest")

        valid = d.pop("valid")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        release_light_out = cls(
            id=id,
            category=category,
            version=version,
            stage=stage,
            critical=critical,
            digest=digest,
            valid=valid,
            created_at=created_at,
        )

        release_light_out.additional_properties = d
        return release_light_out

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
