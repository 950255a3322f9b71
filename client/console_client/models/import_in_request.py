from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ImportInRequest")


@_attrs_define
class ImportInRequest:
    """
    Attributes:
        document (str): YAML or JSON, as exported
        plan_fingerprint (str | Unset): The `fingerprint` of a plan (a dry run): the apply re-plans and is refused with
            a 409 problem naming the objects that changed (`changed`) and the new plan (`plan`) if the state moved since.
            Without it the document is applied to the state as it is.
    """

    document: str
    plan_fingerprint: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        document = self.document

        plan_fingerprint = self.plan_fingerprint

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "document": document,
            }
        )
        if plan_fingerprint is not UNSET:
            field_dict["plan_fingerprint"] = plan_fingerprint

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        document = d.pop("document")

        plan_fingerprint = d.pop("plan_fingerprint", UNSET)

        import_in_request = cls(
            document=document,
            plan_fingerprint=plan_fingerprint,
        )

        import_in_request.additional_properties = d
        return import_in_request

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
