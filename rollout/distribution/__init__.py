"""Distribution backends: where desired state is published for sensors (DESIGN section 5).

``base`` holds the contract and is plain standard library; ``edge`` (Redis, the default) and
``http`` (signed batches to a vendor backend) implement it; ``backend_for(settings)`` picks one.
Importing this package imports no Django code, so ``http_receiver`` can run on its own.
"""

from rollout.distribution.base import (
    Ack,
    Assignment,
    BackendRejected,
    BackendUnavailable,
    CircuitOpen,
    DistributionBackend,
    DistributionError,
    Hold,
    HoldScope,
    HostState,
    PublishInProgress,
    RevisionConflict,
    Snapshot,
    backend_for,
    digest_of,
)

__all__ = [
    "Ack",
    "Assignment",
    "BackendRejected",
    "BackendUnavailable",
    "CircuitOpen",
    "DistributionBackend",
    "DistributionError",
    "Hold",
    "HoldScope",
    "HostState",
    "PublishInProgress",
    "RevisionConflict",
    "Snapshot",
    "backend_for",
    "digest_of",
]
