from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ReleaseRecallOut")


@_attrs_define
class ReleaseRecallOut:
    """
    Attributes:
        release (str):
        stage (str):
        tenants_republished (int):
    """

    release: str
    stage: str
    tenants_republished: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        release = self.release

        stage = self.stage

        tenants_republished = self.tenants_republished

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "release": release,
                "stage": stage,
                "tenants_republished": tenants_republished,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        release = d.pop("release")

        stage = d.pop("stage")

        tenants_republished = d.pop("tenants_republished")

        release_recall_out = cls(
            release=release,
            stage=stage,
            tenants_republished=tenants_republished,
        )

        release_recall_out.additional_properties = d
        return release_recall_out

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
