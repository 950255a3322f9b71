from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ReleaseInRequest")


@_attrs_define
class ReleaseInRequest:
    """
    Attributes:
        category (str):
        version (str):
        instances (Any):
        notes (str | Unset):  Default: ''.
        critical (bool | Unset):  Default: False.
        digest (None | str | Unset):
    """

    category: str
    version: str
    instances: Any
    notes: str | Unset = ""
    critical: bool | Unset = False
    digest: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        category = self.category

        version = self.version

        instances = self.instances

        notes = self.notes

        critical = self.critical

        digest: None | str | Unset
        if isinstance(self.digest, Unset):
            digest = UNSET
        else:
            digest = self.digest

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "category": category,
                "version": version,
                "instances": instances,
            }
        )
        if notes is not UNSET:
            field_dict["notes"] = notes
        if critical is not UNSET:
            field_dict["critical"] = critical
        if digest is not UNSET:
            field_dict["digest"] = digest

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        category = d.pop("category")

        version = d.pop("version")

        instances = d.pop("instances")

        notes = d.pop("notes", UNSET)

        critical = d.pop("critical", UNSET)

        def _parse_digest(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        digest = _parse_digest(d.pop("digest", UNSET))

        release_in_request = cls(
            category=category,
            version=version,
            instances=instances,
            notes=notes,
            critical=critical,
            digest=digest,
        )

        release_in_request.additional_properties = d
        return release_in_request

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
