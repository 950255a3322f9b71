from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.validation_problem_out import ValidationProblemOut
    from ..models.validation_report_out_incompatible_hosts import (
        ValidationReportOutIncompatibleHosts,
    )


T = TypeVar("T", bound="ValidationReportOut")


@_attrs_define
class ValidationReportOut:
    """
    Attributes:
        ok (bool):
        digest (str):
        instance_count (int):
        problems (list[ValidationProblemOut]):
        incompatible_hosts (ValidationReportOutIncompatibleHosts): Per template type: hosts per tenant slug whose sensor
            build is too old.
        checked_at (datetime.datetime):
    """

    ok: bool
    digest: str
    instance_count: int
    problems: list[ValidationProblemOut]
    incompatible_hosts: ValidationReportOutIncompatibleHosts
    checked_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        ok = self.ok

        digest = self.digest

        instance_count = self.instance_count

        problems = []
        for problems_item_data in self.problems:
            problems_item = problems_item_data.to_dict()
            problems.append(problems_item)

        incompatible_hosts = self.incompatible_hosts.to_dict()

        checked_at = self.checked_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "ok": ok,
                "digest": digest,
                "instance_count": instance_count,
                "problems": problems,
                "incompatible_hosts": incompatible_hosts,
                "checked_at": checked_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.validation_problem_out import ValidationProblemOut
        from ..models.validation_report_out_incompatible_hosts import (
            ValidationReportOutIncompatibleHosts,
        )

        d = dict(src_dict)
        ok = d.pop("ok")

        digest = d.pop("digest")

        instance_count = d.pop("instance_count")

        problems = []
        _problems = d.pop("problems")
        for problems_item_data in _problems:
            problems_item = ValidationProblemOut.from_dict(problems_item_data)

            problems.append(problems_item)

        incompatible_hosts = ValidationReportOutIncompatibleHosts.from_dict(
            d.pop("incompatible_hosts")
        )

        checked_at = datetime.datetime.fromisoformat(d.pop("checked_at"))

        validation_report_out = cls(
            ok=ok,
            digest=digest,
            instance_count=instance_count,
            problems=problems,
            incompatible_hosts=incompatible_hosts,
            checked_at=checked_at,
        )

        validation_report_out.additional_properties = d
        return validation_report_out

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
