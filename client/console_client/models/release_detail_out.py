from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.release_detail_out_validation_report import (
        ReleaseDetailOutValidationReport,
    )


T = TypeVar("T", bound="ReleaseDetailOut")


@_attrs_define
class ReleaseDetailOut:
    """
    Attributes:
        id (UUID):
        category (str):
        version (str):
        stage (str): internal, canary, early_access, ga or recalled.
        critical (bool):
        digest (str):
        valid (bool):
        created_at (datetime.datetime):
        validation_report (ReleaseDetailOutValidationReport):
        notes (str):
        notes_html (str):
        early_access_at (datetime.datetime | None):
        ga_at (datetime.datetime | None):
        instance_count (int):
        instances (Any): The template instances, as published.
    """

    id: UUID
    category: str
    version: str
    stage: str
    critical: bool
    digest: str
    valid: bool
    created_at: datetime.datetime
    validation_report: ReleaseDetailOutValidationReport
    notes: str
    notes_html: str
    early_access_at: datetime.datetime | None
    ga_at: datetime.datetime | None
    instance_count: int
    instances: Any
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        category = self.category

        version = self.version

        stage = self.stage

        critical = self.critical

        digest = self.digest

        valid = self.valid

        created_at = self.created_at.isoformat()

        validation_report = self.validation_report.to_dict()

        notes = self.notes

        notes_html = self.notes_html

        early_access_at: None | str
        if isinstance(self.early_access_at, datetime.datetime):
            early_access_at = self.early_access_at.isoformat()
        else:
            early_access_at = self.early_access_at

        ga_at: None | str
        if isinstance(self.ga_at, datetime.datetime):
            ga_at = self.ga_at.isoformat()
        else:
            ga_at = self.ga_at

        instance_count = self.instance_count

        instances = self.instances

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "category": category,
                "version": version,
                "stage": stage,
                "critical": critical,
                "digest": digest,
                "valid": valid,
                "created_at": created_at,
                "validation_report": validation_report,
                "notes": notes,
                "notes_html": notes_html,
                "early_access_at": early_access_at,
                "ga_at": ga_at,
                "instance_count": instance_count,
                "instances": instances,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.release_detail_out_validation_report import (
            ReleaseDetailOutValidationReport,
        )

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        category = d.pop("category")

        version = d.pop("version")

        stage = d.pop("stage")

        critical = d.pop("critical")

        digest = d.pop("digest")

        valid = d.pop("valid")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        validation_report = ReleaseDetailOutValidationReport.from_dict(
            d.pop("validation_report")
        )

        notes = d.pop("notes")

        notes_html = d.pop("notes_html")

        def _parse_early_access_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                early_access_at_type_0 = datetime.datetime.fromisoformat(data)

                return early_access_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        early_access_at = _parse_early_access_at(d.pop("early_access_at"))

        def _parse_ga_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                ga_at_type_0 = datetime.datetime.fromisoformat(data)

                return ga_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        ga_at = _parse_ga_at(d.pop("ga_at"))

        instance_count = d.pop("instance_count")

        instances = d.pop("instances")

        release_detail_out = cls(
            id=id,
            category=category,
            version=version,
            stage=stage,
            critical=critical,
            digest=digest,
            valid=valid,
            created_at=created_at,
            validation_report=validation_report,
            notes=notes,
            notes_html=notes_html,
            early_access_at=early_access_at,
            ga_at=ga_at,
            instance_count=instance_count,
            instances=instances,
        )

        release_detail_out.additional_properties = d
        return release_detail_out

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
