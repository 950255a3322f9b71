from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.cell_out_status_enum import CellOutStatusEnum

if TYPE_CHECKING:
    from ..models.problem_out import ProblemOut
    from ..models.untested_out import UntestedOut


T = TypeVar("T", bound="CellOut")


@_attrs_define
class CellOut:
    """
    Attributes:
        platform (str):
        build (str):
        status (CellOutStatusEnum): * `compatible` - compatible
            * `untested` - untested
            * `incompatible` - incompatible
        problems (list[ProblemOut]):
        untested (list[UntestedOut]):
        hosts (int): Hosts reporting this build when the matrix was checked
        sources (list[str]): Why the build is in use: n, n-1, n-2, pinned, reported
        checked_at (datetime.datetime):
    """

    platform: str
    build: str
    status: CellOutStatusEnum
    problems: list[ProblemOut]
    untested: list[UntestedOut]
    hosts: int
    sources: list[str]
    checked_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        platform = self.platform

        build = self.build

        status = self.status.value

        problems = []
        for problems_item_data in self.problems:
            problems_item = problems_item_data.to_dict()
            problems.append(problems_item)

        untested = []
        for untested_item_data in self.untested:
            untested_item = untested_item_data.to_dict()
            untested.append(untested_item)

        hosts = self.hosts

        sources = self.sources

        checked_at = self.checked_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "platform": platform,
                "build": build,
                "status": status,
                "problems": problems,
                "untested": untested,
                "hosts": hosts,
                "sources": sources,
                "checked_at": checked_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.problem_out import ProblemOut
        from ..models.untested_out import UntestedOut

        d = dict(src_dict)
        platform = d.pop("platform")

        build = d.pop("build")

        status = CellOutStatusEnum(d.pop("status"))

        problems = []
        _problems = d.pop("problems")
        for problems_item_data in _problems:
            problems_item = ProblemOut.from_dict(problems_item_data)

            problems.append(problems_item)

        untested = []
        _untested = d.pop("untested")
        for untested_item_data in _untested:
            untested_item = UntestedOut.from_dict(untested_item_data)

            untested.append(untested_item)

        hosts = d.pop("hosts")

        sources = cast(list[str], d.pop("sources"))

        checked_at = datetime.datetime.fromisoformat(d.pop("checked_at"))

        cell_out = cls(
            platform=platform,
            build=build,
            status=status,
            problems=problems,
            untested=untested,
            hosts=hosts,
            sources=sources,
            checked_at=checked_at,
        )

        cell_out.additional_properties = d
        return cell_out

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
