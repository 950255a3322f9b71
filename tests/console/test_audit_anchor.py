"""Signed anchors of the audit chains: exported by a beat task to files outside the database,
checked by ``audit_verify``; a chain re-hashed behind the triggers' back, a forged anchor and a
cut-off tail are all caught; the database refuses TRUNCATE of the audit log."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from celery import current_app
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from console.access import Actor
from console.audit import GENESIS_HASH, audit_record, event_digest
from console.audit_anchor import audit_anchor_export
from console.celery import beat_schedule
from console.models import AuditEvent
from tests.conftest import start_celery_worker, wait_for

pytestmark = pytest.mark.django_db

TRIGGER = "console_auditevent_append_only"


def _events(trio: Any, n: int = 4) -> list[AuditEvent]:
    owner = Actor.for_user(trio.owner)
    rows = [
        audit_record(tenant=trio.tenant, actor=owner, action=f"thing.changed{i}", target_type="thing")
        for i in range(n)
    ]
    audit_record(tenant=trio.other_tenant, actor=Actor.for_user(trio.outsider), action="globex.thing")
    return rows


def _behind_the_triggers_back(*statements: tuple[str, list[Any]]) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"ALTER TABLE console_auditevent DISABLE TRIGGER {TRIGGER}")
        for sql, params in statements:
            cursor.execute(sql, params)
        cursor.execute(f"ALTER TABLE console_auditevent ENABLE TRIGGER {TRIGGER}")


def _rehash(tenant: Any) -> None:
    """What an attacker with the table owner's rights does after editing a row: recompute every
    hash so the chain verifies again."""
    prev = GENESIS_HASH
    statements = []
    for event in AuditEvent.objects.filter(tenant=tenant).order_by("seq"):
        event.prev_hash = prev
        event.hash = event_digest(prev, event)
        statements.append(
            (
                "UPDATE console_auditevent SET prev_hash = %s, hash = %s WHERE id = %s",
                [event.prev_hash, event.hash, event.pk],
            )
        )
        prev = event.hash
    _behind_the_triggers_back(*statements)


def _verify(*args: str) -> tuple[bool, str]:
    out = io.StringIO()
    try:
        call_command("audit_verify", *args, stdout=out)
    except CommandError:
        return False, out.getvalue()
    return True, out.getvalue()


def test_it_catches_a_chain_re_hashed_behind_the_triggers_back(trio: Any, audit_anchor_dir: Path) -> None:
    # given signed anchors of intact chains
    rows = _events(trio)
    assert audit_anchor_export()["anchored"] == 2
    assert _verify()[0] is True
    # when someone with the table owner's rights edits row 2 and re-hashes the rest of the chain
    _behind_the_triggers_back(
        ("UPDATE console_auditevent SET action = 'covered.up' WHERE id = %s", [rows[1].pk])
    )
    _rehash(trio.tenant)
    # then the chain alone verifies, but the signed anchor does not; globex is fine
    assert _verify("--no-anchors")[0] is True
    ok, out = _verify()
    assert ok is False
    assert f"BROKEN  acme: row seq={rows[-1].seq} differs from its signed anchor" in out
    assert "ok      globex" in out and "BROKEN  globex" not in out


def test_it_refuses_an_anchor_forged_without_the_key(trio: Any, audit_anchor_dir: Path) -> None:
    # given a re-hashed chain and its anchor file
    rows = _events(trio)
    audit_anchor_export()
    _behind_the_triggers_back(("UPDATE console_auditevent SET action = 'x' WHERE id = %s", [rows[0].pk]))
    _rehash(trio.tenant)
    # when the anchor is edited to match the new head
    path = next(audit_anchor_dir.glob("audit-anchors-*.jsonl"))
    head = AuditEvent.objects.filter(tenant=trio.tenant).order_by("-seq").first()
    assert head is not None
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    for line in lines:
        if line["label"] == "acme":
            line["hash"] = head.hash
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    # then the forged anchor's signature does not verify
    ok, out = _verify()
    assert ok is False
    assert "has a signature that does not verify" in out


def test_it_catches_rows_cut_off_the_end_of_a_chain(trio: Any, audit_anchor_dir: Path) -> None:
    # given an anchor of acme's head
    rows = _events(trio, 3)
    audit_anchor_export()
    # when the last row is deleted behind the trigger's back (the chain itself stays consistent)
    _behind_the_triggers_back(("DELETE FROM console_auditevent WHERE id = %s", [rows[-1].pk]))
    # then the anchored row is missing
    assert _verify("--no-anchors")[0] is True
    ok, out = _verify("--json")
    assert ok is False
    anchor_file = next(audit_anchor_dir.glob("audit-anchors-*.jsonl")).name
    assert json.loads(out)["broken"] == [
        {
            "tenant": "acme",
            "event_id": None,
            "seq": rows[-1].seq,
            "reason": f"row seq={rows[-1].seq} signed in anchor {anchor_file}:1 is missing",
        }
    ]


def test_it_verifies_anchors_signed_before_a_key_rotation(
    trio: Any, audit_anchor_dir: Path, settings: Any
) -> None:
    # given anchors signed with the old key
    _events(trio, 2)
    settings.AUDIT_ANCHOR_KEY = "old-anchor-key-" + "a" * 40
    audit_anchor_export()
    # when the key is rotated, first forgetting the old one, then listing it as retired
    settings.AUDIT_ANCHOR_KEY = "new-anchor-key-" + "b" * 40
    forgotten = _verify()
    settings.AUDIT_ANCHOR_PREVIOUS_KEYS = ["old-anchor-key-" + "a" * 40]
    retired = _verify()
    # then the old anchors verify only with the retired key listed
    assert forgotten[0] is False and "signed with an unknown key" in forgotten[1]
    assert retired[0] is True


def test_it_writes_an_anchor_only_when_a_chain_moved(trio: Any, redis_flush: None) -> None:
    # given a first export of the day
    _events(trio, 2)
    assert audit_anchor_export()["anchored"] == 2
    # when nothing happens, then acme changes
    quiet = audit_anchor_export()["anchored"]
    audit_record(tenant=trio.tenant, actor=Actor.system(), action="thing.more")
    moved = audit_anchor_export()["anchored"]
    # then only the moved chain is anchored again, and every anchor verifies
    assert (quiet, moved) == (0, 1)
    assert _verify()[0] is True


def test_it_refuses_truncate_of_the_audit_log(trio: Any) -> None:
    # given audit rows, in a database set up like production (no truncate allowance)
    _events(trio, 2)
    before = AuditEvent.objects.count()
    name = connection.ops.quote_name(connection.settings_dict["NAME"])
    # when someone truncates the table, directly or through a cascade from tenants
    for sql in ("TRUNCATE console_auditevent", "TRUNCATE console_tenant CASCADE"):
        with (
            pytest.raises(DatabaseError, match="TRUNCATE refused"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # run Django's deferred FK checks first
            cursor.execute(f"ALTER DATABASE {name} RESET console.audit_truncate_allowed")
            cursor.execute(sql)
    # then every row is still there
    assert AuditEvent.objects.count() == before


@pytest.mark.django_db(transaction=True)
def test_it_exports_anchors_from_the_beat_task_in_a_real_worker(
    trio: Any, redis_flush: None, tmp_path: Path
) -> None:
    # given beat schedules the export, and a worker writing anchors to a directory of its own
    assert beat_schedule()["console-audit-anchor-export"]["task"] == "console.audit_anchor_export"
    _events(trio, 2)
    directory = tmp_path / "worker-anchors"
    worker = start_celery_worker(AUDIT_ANCHOR_DIR=str(directory))
    try:
        # when beat's task runs
        result = current_app.send_task("console.audit_anchor_export").get(timeout=60)
    finally:
        worker.stop()
    # then each chain's head is in the day's file, signed, and audit_verify checks it
    assert result["anchored"] == 2
    wait_for(lambda: list(directory.glob("audit-anchors-*.jsonl")), what="anchor file")
    ok, out = _verify("--anchors", str(directory))
    assert ok is True and "anchors 2 checked, 0 problem(s)" in out
