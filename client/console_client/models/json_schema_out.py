from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.json_schema_out_properties import JsonSchemaOutProperties


T = TypeVar("T", bound="JsonSchemaOut")


@_attrs_define
class JsonSchemaOut:
    """A JSON Schema (draft 2020-12) document; ``$schema`` and ``$id`` keep their dollar signs.

    Attributes:
        title (str):
        type_ (str):
        properties (JsonSchemaOutProperties): One schema per key.
        schema (str): The JSON Schema dialect (draft 2020-12).
        id (str): This document's own URL.
        required (list[str]):
        additional_properties (bool):
    """

    title: str
    type_: str
    properties: JsonSchemaOutProperties
    schema: str
    id: str
    required: list[str]
    additional_properties: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        title = self.title

        type_ = self.type_

        properties = self.properties.to_dict()

        schema = self.schema

        id = self.id

        required = self.required

        additional_properties = self.additional_properties

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "title": title,
                "type": type_,
                "properties": properties,
                "$schema": schema,
                "$id": id,
                "required": required,
                "additionalProperties": additional_properties,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.json_schema_out_properties import JsonSchemaOutProperties

        d = dict(src_dict)
        title = d.pop("title")

        type_ = d.pop("type")

        properties = JsonSchemaOutProperties.from_dict(d.pop("properties"))

        schema = d.pop("$schema")

        id = d.pop("$id")

        required = cast(list[str], d.pop("required"))

        additional_properties = d.pop("additionalProperties")

        json_schema_out = cls(
            title=title,
            type_=type_,
            properties=properties,
            schema=schema,
            id=id,
            required=required,
            additional_properties=additional_properties,
        )

        json_schema_out.additional_properties = d
        return json_schema_out

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
