from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="SyncStatusOut")


@_attrs_define
class SyncStatusOut:
    """
    Attributes:
        backend (str):
        desired_revision (int):
        published_revision (int | None):
        acknowledged_revision (int | None):
        lag_revisions (int):
        lag_seconds (float):
        in_sync (bool):
        pending_changes (int):
        digest (str):
        last_error (str):
        last_error_at (datetime.datetime | None):
        last_repair (str):
        last_reconciled_at (datetime.datetime | None):
        recomputed_at (datetime.datetime | None):
        published_at (datetime.datetime | None):
        circuit_state (None | str): The HTTP backend's circuit breaker; null for the embedded edge.
        failing (bool):
        failing_since (datetime.datetime | None):
        failed_attempts (int):
    """

    backend: str
    desired_revision: int
    published_revision: int | None
    acknowledged_revision: int | None
    lag_revisions: int
    lag_seconds: float
    in_sync: bool
    pending_changes: int
    digest: str
    last_error: str
    last_error_at: datetime.datetime | None
    last_repair: str
    last_reconciled_at: datetime.datetime | None
    recomputed_at: datetime.datetime | None
    published_at: datetime.datetime | None
    circuit_state: None | str
    failing: bool
    failing_since: datetime.datetime | None
    failed_attempts: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        backend = self.backend

        desired_revision = self.desired_revision

        published_revision: int | None
        published_revision = self.published_revision

        acknowledged_revision: int | None
        acknowledged_revision = self.acknowledged_revision

        lag_revisions = self.lag_revisions

        lag_seconds = self.lag_seconds

        in_sync = self.in_sync

        pending_changes = self.pending_changes

        digest = self.digest

        last_error = self.last_error

        last_error_at: None | str
        if isinstance(self.last_error_at, datetime.datetime):
            last_error_at = self.last_error_at.isoformat()
        else:
            last_error_at = self.last_error_at

        last_repair = self.last_repair

        last_reconciled_at: None | str
        if isinstance(self.last_reconciled_at, datetime.datetime):
            last_reconciled_at = self.last_reconciled_at.isoformat()
        else:
            last_reconciled_at = self.last_reconciled_at

        recomputed_at: None | str
        if isinstance(self.recomputed_at, datetime.datetime):
            recomputed_at = self.recomputed_at.isoformat()
        else:
            recomputed_at = self.recomputed_at

        published_at: None | str
        if isinstance(self.published_at, datetime.datetime):
            published_at = self.published_at.isoformat()
        else:
            published_at = self.published_at

        circuit_state: None | str
        circuit_state = self.circuit_state

        failing = self.failing

        failing_since: None | str
        if isinstance(self.failing_since, datetime.datetime):
            failing_since = self.failing_since.isoformat()
        else:
            failing_since = self.failing_since

        failed_attempts = self.failed_attempts

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "backend": backend,
                "desired_revision": desired_revision,
                "published_revision": published_revision,
                "acknowledged_revision": acknowledged_revision,
                "lag_revisions": lag_revisions,
                "lag_seconds": lag_seconds,
                "in_sync": in_sync,
                "pending_changes": pending_changes,
                "digest": digest,
                "last_error": last_error,
                "last_error_at": last_error_at,
                "last_repair": last_repair,
                "last_reconciled_at": last_reconciled_at,
                "recomputed_at": recomputed_at,
                "published_at": published_at,
                "circuit_state": circuit_state,
                "failing": failing,
                "failing_since": failing_since,
                "failed_attempts": failed_attempts,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        backend = d.pop("backend")

        desired_revision = d.pop("desired_revision")

        def _parse_published_revision(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        published_revision = _parse_published_revision(d.pop("published_revision"))

        def _parse_acknowledged_revision(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        acknowledged_revision = _parse_acknowledged_revision(
            d.pop("acknowledged_revision")
        )

        lag_revisions = d.pop("lag_revisions")

        lag_seconds = d.pop("lag_seconds")

        in_sync = d.pop("in_sync")

        pending_changes = d.pop("pending_changes")

        digest = d.pop("digest")

        last_error = d.pop("last_error")

        def _parse_last_error_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                last_error_at_type_0 = datetime.datetime.fromisoformat(data)

                return last_error_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        last_error_at = _parse_last_error_at(d.pop("last_error_at"))

        last_repair = d.pop("last_repair")

        def _parse_last_reconciled_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                last_reconciled_at_type_0 = datetime.datetime.fromisoformat(data)

                return last_reconciled_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        last_reconciled_at = _parse_last_reconciled_at(d.pop("last_reconciled_at"))

        def _parse_recomputed_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                recomputed_at_type_0 = datetime.datetime.fromisoformat(data)

                return recomputed_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        recomputed_at = _parse_recomputed_at(d.pop("recomputed_at"))

        def _parse_published_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                published_at_type_0 = datetime.datetime.fromisoformat(data)

                return published_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        published_at = _parse_published_at(d.pop("published_at"))

        def _parse_circuit_state(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        circuit_state = _parse_circuit_state(d.pop("circuit_state"))

        failing = d.pop("failing")

        def _parse_failing_since(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                failing_since_type_0 = datetime.datetime.fromisoformat(data)

                return failing_since_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        failing_since = _parse_failing_since(d.pop("failing_since"))

        failed_attempts = d.pop("failed_attempts")

        sync_status_out = cls(
            backend=backend,
            desired_revision=desired_revision,
            published_revision=published_revision,
            acknowledged_revision=acknowledged_revision,
            lag_revisions=lag_revisions,
            lag_seconds=lag_seconds,
            in_sync=in_sync,
            pending_changes=pending_changes,
            digest=digest,
            last_error=last_error,
            last_error_at=last_error_at,
            last_repair=last_repair,
            last_reconciled_at=last_reconciled_at,
            recomputed_at=recomputed_at,
            published_at=published_at,
            circuit_state=circuit_state,
            failing=failing,
            failing_since=failing_since,
            failed_attempts=failed_attempts,
        )

        sync_status_out.additional_properties = d
        return sync_status_out

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
