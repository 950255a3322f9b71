from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="AgreementOut")


@_attrs_define
class AgreementOut:
    """
    Attributes:
        revision (int | None):
        agrees (bool):
        differs (list[str]):
    """

    revision: int | None
    agrees: bool
    differs: list[str]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        revision: int | None
        revision = self.revision

        agrees = self.agrees

        differs = self.differs

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "revision": revision,
                "agrees": agrees,
                "differs": differs,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)

        def _parse_revision(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        revision = _parse_revision(d.pop("revision"))

        agrees = d.pop("agrees")

        differs = cast(list[str], d.pop("differs"))

        agreement_out = cls(
            revision=revision,
            agrees=agrees,
            differs=differs,
        )

        agreement_out.additional_properties = d
        return agreement_out

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
