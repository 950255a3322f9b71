from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="TenantSettingsOutput")


@_attrs_define
class TenantSettingsOutput:
    """
    Attributes:
        id (UUID):
        slug (str):
        name (str):
        timezone (str | Unset): IANA zone used to show times
        require_2fa (bool | Unset): Every member must use two-factor sign-in
    """

    id: UUID
    slug: str
    name: str
    timezone: str | Unset = UNSET
    require_2fa: bool | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        slug = self.slug

        name = self.name

        timezone = self.timezone

        require_2fa = self.require_2fa

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "slug": slug,
                "name": name,
            }
        )
        if timezone is not UNSET:
            field_dict["timezone"] = timezone
        if require_2fa is not UNSET:
            field_dict["require_2fa"] = require_2fa

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = UUID(d.pop("id"))

        slug = d.pop("slug")

        name = d.pop("name")

        timezone = d.pop("timezone", UNSET)

        require_2fa = d.pop("require_2fa", UNSET)

        tenant_settings_output = cls(
            id=id,
            slug=slug,
            name=name,
            timezone=timezone,
            require_2fa=require_2fa,
        )

        tenant_settings_output.additional_properties = d
        return tenant_settings_output

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
