from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.build_out import BuildOut
    from ..models.build_stage_out_tenants import BuildStageOutTenants


T = TypeVar("T", bound="BuildStageOut")


@_attrs_define
class BuildStageOut:
    """
    Attributes:
        build (BuildOut):
        dry_run (bool):
        shifts (list[str]): What moves where, in words.
        tenants (BuildStageOutTenants): Per tenant slug: its blast radius.
    """

    build: BuildOut
    dry_run: bool
    shifts: list[str]
    tenants: BuildStageOutTenants
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        build = self.build.to_dict()

        dry_run = self.dry_run

        shifts = self.shifts

        tenants = self.tenants.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "build": build,
                "dry_run": dry_run,
                "shifts": shifts,
                "tenants": tenants,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.build_out import BuildOut
        from ..models.build_stage_out_tenants import BuildStageOutTenants

        d = dict(src_dict)
        build = BuildOut.from_dict(d.pop("build"))

        dry_run = d.pop("dry_run")

        shifts = cast(list[str], d.pop("shifts"))

        tenants = BuildStageOutTenants.from_dict(d.pop("tenants"))

        build_stage_out = cls(
            build=build,
            dry_run=dry_run,
            shifts=shifts,
            tenants=tenants,
        )

        build_stage_out.additional_properties = d
        return build_stage_out

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
