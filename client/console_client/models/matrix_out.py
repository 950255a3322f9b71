from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.cell_out import CellOut
    from ..models.growth_out import GrowthOut


T = TypeVar("T", bound="MatrixOut")


@_attrs_define
class MatrixOut:
    """
    Attributes:
        release (UUID):
        version (str):
        category (str):
        cells (list[CellOut]):
        blocked_everywhere (bool):
        growth (GrowthOut):
        first_approver (None | str):
        first_approved_at (datetime.datetime | None):
    """

    release: UUID
    version: str
    category: str
    cells: list[CellOut]
    blocked_everywhere: bool
    growth: GrowthOut
    first_approver: None | str
    first_approved_at: datetime.datetime | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        release = str(self.release)

        version = self.version

        category = self.category

        cells = []
        for cells_item_data in self.cells:
            cells_item = cells_item_data.to_dict()
            cells.append(cells_item)

        blocked_everywhere = self.blocked_everywhere

        growth = self.growth.to_dict()

        first_approver: None | str
        first_approver = self.first_approver

        first_approved_at: None | str
        if isinstance(self.first_approved_at, datetime.datetime):
            first_approved_at = self.first_approved_at.isoformat()
        else:
            first_approved_at = self.first_approved_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "release": release,
                "version": version,
                "category": category,
                "cells": cells,
                "blocked_everywhere": blocked_everywhere,
                "growth": growth,
                "first_approver": first_approver,
                "first_approved_at": first_approved_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.cell_out import CellOut
        from ..models.growth_out import GrowthOut

        d = dict(src_dict)
        release = UUID(d.pop("release"))

        version = d.pop("version")

        category = d.pop("category")

        cells = []
        _cells = d.pop("cells")
        for cells_item_data in _cells:
            cells_item = CellOut.from_dict(cells_item_data)

            cells.append(cells_item)

        blocked_everywhere = d.pop("blocked_everywhere")

        growth = GrowthOut.from_dict(d.pop("growth"))

        def _parse_first_approver(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        first_approver = _parse_first_approver(d.pop("first_approver"))

        def _parse_first_approved_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                first_approved_at_type_0 = datetime.datetime.fromisoformat(data)

                return first_approved_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        first_approved_at = _parse_first_approved_at(d.pop("first_approved_at"))

        matrix_out = cls(
            release=release,
            version=version,
            category=category,
            cells=cells,
            blocked_everywhere=blocked_everywhere,
            growth=growth,
            first_approver=first_approver,
            first_approved_at=first_approved_at,
        )

        matrix_out.additional_properties = d
        return matrix_out

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
