"""Signed anchors of the audit chains, kept outside the database.

The hash chain (``console.audit``) shows a row edited behind the append-only trigger's back, but
someone able to disable the trigger can also re-hash every later row so the chain verifies
again. Anchors close that gap: periodically (beat, ``console.audit_anchor_export``) each chain's
head ``(seq, hash)`` is signed with HMAC-SHA256 under ``AUDIT_ANCHOR_KEY`` (environment or
``AUDIT_ANCHOR_KEY_FILE``; never in the database) and appended as one JSON line to
``AUDIT_ANCHOR_DIR/audit-anchors-<UTC date>.jsonl``. ``manage.py audit_verify`` checks every
anchor's signature and that the row it names still carries the anchored hash; a rewritten or
truncated chain, or a forged anchor, is reported.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from console.audit import chain_filter
from console.models import AuditEvent, Tenant
from console.redis import redis_client

VENDOR_CHAIN = "vendor"
FILE_PREFIX = "audit-anchors-"
_LAST_KEY = "console:audit-anchor:last"


class AnchorKeyMissing(Exception):
    """``AUDIT_ANCHOR_KEY`` is not configured."""


def _key() -> bytes:
    key = str(getattr(settings, "AUDIT_ANCHOR_KEY", "") or "")
    if not key:
        raise AnchorKeyMissing("AUDIT_ANCHOR_KEY (or AUDIT_ANCHOR_KEY_FILE) is not set")
    return key.encode()


def _fingerprint(key: bytes) -> str:
    return hashlib.sha256(b"audit-anchor-key-id:" + key).hexdigest()[:12]


def key_id() -> str:
    """A short public fingerprint of the key, so a verifier can tell which key signed an anchor."""
    return _fingerprint(_key())


def _verification_keys() -> dict[str, bytes]:
    """The current key and retired ones (``AUDIT_ANCHOR_PREVIOUS_KEYS``), by fingerprint: anchors
    signed before a rotation keep verifying."""
    keys = [_key()] + [str(k).encode() for k in getattr(settings, "AUDIT_ANCHOR_PREVIOUS_KEYS", ()) if k]
    return {_fingerprint(key): key for key in keys}


def _canonical(fields: dict[str, Any]) -> bytes:
    return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()


def sign(fields: dict[str, Any]) -> str:
    return hmac.new(_key(), _canonical(fields), hashlib.sha256).hexdigest()


def _chains() -> list[tuple[str, str, uuid.UUID | None]]:
    """(chain id, label, tenant id) of every tenant, and the vendor's own chain."""
    chains: list[tuple[str, str, uuid.UUID | None]] = [
        (str(pk), slug, pk) for pk, slug in Tenant.objects.order_by("slug").values_list("pk", "slug")
    ]
    chains.append((VENDOR_CHAIN, "(vendor)", None))
    return chains


def _anchor_dir() -> Path:
    return Path(settings.AUDIT_ANCHOR_DIR)


def audit_anchor_export(now: datetime | None = None) -> dict[str, Any]:
    """Appends a signed anchor for each chain whose head moved since the last export (all of them
    on the first export of a UTC day), returns what was written."""
    now = now or timezone.now()
    directory = _anchor_dir()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{FILE_PREFIX}{now:%Y-%m-%d}.jsonl"
    new_file = not path.exists()
    r = redis_client(settings.REDIS_CACHE_URL)
    last = {k.decode() if isinstance(k, bytes) else k: int(v) for k, v in r.hgetall(_LAST_KEY).items()}
    lines: list[str] = []
    written: dict[Any, int] = {}  # chain id -> anchored seq
    kid = key_id()
    for chain, label, tenant_id in _chains():
        head = (
            AuditEvent.objects.filter(**chain_filter(tenant_id))
            .order_by("-seq")
            .values_list("seq", "hash")
            .first()
        )
        if head is None or (not new_file and last.get(chain) == head[0]):
            continue
        fields = {
            "v": 1,
            "chain": chain,
            "label": label,
            "seq": head[0],
            "hash": head[1],
            "anchored_at": now.isoformat(),
            "key_id": kid,
        }
        lines.append(json.dumps({**fields, "sig": sign(fields)}, sort_keys=True) + "\n")
        written[chain] = head[0]
    if lines:
        with path.open("a", encoding="utf-8") as out:
            out.writelines(lines)
            out.flush()
            os.fsync(out.fileno())
        r.hset(_LAST_KEY, mapping=written)
    return {"file": str(path), "anchored": len(lines)}


@dataclass(frozen=True)
class AnchorProblem:
    """An anchor that does not hold: ``chain`` is the chain id (a tenant id or ``vendor``)."""

    chain: str
    seq: int | None
    reason: str


def _anchor_lines(directory: Path) -> Iterator[tuple[str, dict[str, Any] | None]]:
    for path in sorted(directory.glob(f"{FILE_PREFIX}*.jsonl")):
        with path.open(encoding="utf-8") as lines:
            for number, line in enumerate(lines, start=1):
                where = f"{path.name}:{number}"
                try:
                    data = json.loads(line)
                except ValueError:
                    data = None
                yield where, data if isinstance(data, dict) else None


def audit_anchors_verify(directory: Path | None = None) -> tuple[int, list[AnchorProblem]]:
    """(anchors checked, problems): each anchor's signature, then the anchored row's hash."""
    directory = directory or _anchor_dir()
    keys = _verification_keys()
    by_chain: dict[str, dict[int, tuple[str, str]]] = defaultdict(dict)
    problems: list[AnchorProblem] = []
    count = 0
    for where, data in _anchor_lines(directory):
        count += 1
        if data is None:
            problems.append(AnchorProblem("", None, f"anchor {where} is not a JSON object"))
            continue
        signature = str(data.pop("sig", ""))
        chain = str(data.get("chain", ""))
        key = keys.get(str(data.get("key_id", "")))
        if key is None:
            problems.append(AnchorProblem(chain, None, f"anchor {where} is signed with an unknown key"))
            continue
        expected = hmac.new(key, _canonical(data), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(signature, expected):
            problems.append(
                AnchorProblem(chain, None, f"anchor {where} has a signature that does not verify")
            )
            continue
        by_chain[str(data["chain"])][int(data["seq"])] = (str(data["hash"]), where)
    for chain, anchors in by_chain.items():
        problem = _chain_against_anchors(chain, anchors)
        if problem is not None:
            problems.append(problem)
    return count, problems


def _chain_against_anchors(chain: str, anchors: dict[int, tuple[str, str]]) -> AnchorProblem | None:
    tenant_id = None if chain == VENDOR_CHAIN else uuid.UUID(chain)
    seqs = sorted(anchors)
    stored: dict[int, str] = {}
    for start in range(0, len(seqs), 5000):
        batch = seqs[start : start + 5000]
        stored.update(
            AuditEvent.objects.filter(**chain_filter(tenant_id), seq__in=batch).values_list("seq", "hash")
        )
    for seq in seqs:
        anchored, where = anchors[seq]
        if seq not in stored:
            return AnchorProblem(chain, seq, f"row seq={seq} signed in anchor {where} is missing")
        if stored[seq] != anchored:
            return AnchorProblem(chain, seq, f"row seq={seq} differs from its signed anchor {where}")
    return None
