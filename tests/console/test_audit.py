"""The audit log: append-only in the database, hash-chained per tenant (audit_verify names the
first broken row), filtered and exported (CSV / JSON, streamed) by the tenant only."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.utils import timezone

from console.access import Actor
from console.audit import audit_record
from console.models import AuditEvent
from tests.console.conftest import api_as, problem

pytestmark = pytest.mark.django_db


def _events(trio: Any, n: int = 3) -> list[AuditEvent]:
    owner = Actor.for_user(trio.owner)
    rows = [
        audit_record(
            tenant=trio.tenant,
            actor=owner,
            action=f"thing.changed{i}",
            target_type="thing",
            target_id=f"t{i}",
        )
        for i in range(n)
    ]
    audit_record(tenant=trio.other_tenant, actor=Actor.for_user(trio.outsider), action="globex.secret")
    return rows


def test_it_refuses_update_and_delete_in_the_database(trio: Any) -> None:
    # given an event
    event = _events(trio, 1)[0]
    # when something tries to change or remove it, even with raw SQL
    for sql in (
        "UPDATE console_auditevent SET action = 'nothing' WHERE id = %s",
        "DELETE FROM console_auditevent WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [event.pk])
    # then it is unchanged
    assert AuditEvent.objects.get(pk=event.pk).action == "thing.changed0"


def test_it_names_the_first_row_changed_behind_the_triggers_back(trio: Any) -> None:
    # given an intact chain
    rows = _events(trio, 4)
    call_command("audit_verify", stdout=io.StringIO())
    # when someone with table-owner rights disables the trigger and edits row 2
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # run Django's deferred FK checks first
        cursor.execute("ALTER TABLE console_auditevent DISABLE TRIGGER console_auditevent_append_only")
        cursor.execute("UPDATE console_auditevent SET action = 'covered.up' WHERE id = %s", [rows[1].pk])
        cursor.execute("ALTER TABLE console_auditevent ENABLE TRIGGER console_auditevent_append_only")
    # then audit_verify fails and names that row of acme; globex's chain is fine
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 audit chain"):
        call_command("audit_verify", stdout=out)
    assert f"BROKEN  acme: first broken row id={rows[1].pk} seq={rows[1].seq}" in out.getvalue()
    assert "ok      globex" in out.getvalue()


def test_it_detects_a_deleted_row_as_a_gap(trio: Any) -> None:
    rows = _events(trio, 3)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # run Django's deferred FK checks first
        cursor.execute("ALTER TABLE console_auditevent DISABLE TRIGGER console_auditevent_append_only")
        cursor.execute("DELETE FROM console_auditevent WHERE id = %s", [rows[1].pk])
        cursor.execute("ALTER TABLE console_auditevent ENABLE TRIGGER console_auditevent_append_only")
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("audit_verify", "--json", stdout=out)
    assert json.loads(out.getvalue())["broken"] == [
        {
            "tenant": "acme",
            "event_id": rows[2].pk,
            "seq": rows[2].seq,
            "reason": f"sequence gap: expected {rows[1].seq}",
        }
    ]


def test_it_filters_by_actor_action_target_and_time(trio: Any) -> None:
    # given events by two actors
    _events(trio, 3)
    audit_record(tenant=trio.tenant, actor=Actor.system("nightly"), action="thing.swept", target_id="t9")
    client = api_as(trio.member, trio.tenant)

    def actions(query: str) -> list[str]:
        response = client.get(f"/api/v1/audit-events/?{query}")
        assert response.status_code == 200, response.content
        return [e["action"] for e in response.json()["results"]]

    # when / then
    assert actions("actor=nightly") == ["thing.swept"]
    assert actions("action=thing.changed1") == ["thing.changed1"]
    assert actions("action=thing.") == ["thing.swept", "thing.changed2", "thing.changed1", "thing.changed0"]
    assert actions("target=t2") == ["thing.changed2"]
    later = (timezone.now() + timedelta(minutes=1)).isoformat().replace("+00:00", "Z")
    assert actions(f"since={later}") == []
    assert "globex.secret" not in actions("")


def test_it_refuses_a_bad_filter_with_problem_json(trio: Any) -> None:
    response = api_as(trio.member, trio.tenant).get("/api/v1/audit-events/?since=yesterday&grant=nope")
    assert response.status_code == 400
    assert set(problem(response)["errors"]) == {"since", "grant"}


def test_it_refuses_a_nul_character_in_a_filter_before_an_export_starts_streaming(trio: Any) -> None:
    # (found by the long Schemathesis run: the streamed export failed in PostgreSQL after its headers)
    client = api_as(trio.member, trio.tenant)
    for url in (
        "/api/v1/audit-events/export.csv?action=%00&=null",
        "/api/v1/audit-events/export.json?actor=a%00b",
        "/api/v1/audit-events/?target=%00",
        "/audit/export.csv?action=%00",
    ):
        response = client.get(url)
        assert response.status_code == 400, url
        assert list(problem(response)["errors"]) in (["action"], ["actor"], ["target"]), url


def test_it_pages_with_a_cursor(trio: Any) -> None:
    rows = _events(trio, 5)
    client = api_as(trio.member, trio.tenant)
    first = client.get("/api/v1/audit-events/?page_size=2").json()
    second = client.get(first["next"]).json()
    assert [e["seq"] for e in first["results"]] == [rows[4].seq, rows[3].seq]
    assert [e["seq"] for e in second["results"]] == [rows[2].seq, rows[1].seq]
    assert "cursor=" in first["next"]


def test_it_exports_csv_and_json_streamed_to_a_viewer(trio: Any) -> None:
    # given events, and acme's viewer
    _events(trio, 3)
    client = api_as(trio.member, trio.tenant)
    # when they export, filtered
    as_csv = client.get("/api/v1/audit-events/export.csv?action=thing.")
    as_json = client.get("/api/v1/audit-events/export.json")
    # then both are streamed responses with acme's rows only
    assert as_csv.streaming and as_json.streaming
    rows = list(csv.DictReader(io.StringIO(b"".join(as_csv.streaming_content).decode())))
    assert [r["action"] for r in rows] == ["thing.changed2", "thing.changed1", "thing.changed0"]
    assert rows[0]["hash"] and rows[0]["prev_hash"]
    data = json.loads(b"".join(as_json.streaming_content))
    # (the tenant's chain starts with its creation and its default policies)
    actions = {e["action"] for e in data}
    assert {"thing.changed0", "thing.changed1", "thing.changed2"} <= actions
    assert "globex.secret" not in actions
    assert actions - {"thing.changed0", "thing.changed1", "thing.changed2"} <= {
        "tenant.created",
        "sensor_policy.create",
    }
    assert as_csv["Content-Disposition"] == 'attachment; filename="audit-acme.csv"'


def test_it_shows_the_log_on_a_page_with_filters_and_exports(trio: Any) -> None:
    _events(trio, 2)
    page = Client()
    page.force_login(trio.member)
    content = page.get("/audit/?action=thing.changed1").content.decode()
    assert "thing.changed1" in content and "thing.changed0" not in content and "globex.secret" not in content
    export = page.get("/audit/export.json?action=thing.changed0")
    assert json.loads(b"".join(export.streaming_content))[0]["action"] == "thing.changed0"
    # an outsider's log page shows only their own tenant
    outsider = Client()
    outsider.force_login(trio.outsider)
    assert "thing.changed" not in outsider.get("/audit/").content.decode()


def test_it_redacts_secrets_before_they_reach_the_log(trio: Any) -> None:
    event = audit_record(
        tenant=trio.tenant,
        actor=Actor.system(),
        action="thing.created",
        after={"name": "x", "token": "ucc_abc", "nested": {"client_secret": "s3cret", "password": "p"}},
    )
    assert event.after == {"name": "x", "token": "***", "nested": {"client_secret": "***", "password": "***"}}


def test_it_redacts_secret_field_names_exactly_not_as_substrings(trio: Any) -> None:
    # given a change carrying data whose names merely contain a secret word, and real secrets
    after = {
        "key": "channel-file-291",
        "category__key": "rapid-response",
        "token_count": 3,
        "keyboard_layout": "de",
        "Signing_Secret": "whsec_1",
        "nested": [{"credential": "cred_1", "version_key": "v2", "API_KEY": "k"}],
    }
    # when it is audited
    event = audit_record(tenant=trio.tenant, actor=Actor.system(), action="thing.created", after=after)
    # then only the exact secret names are masked, case-insensitively, at any depth
    assert event.after == {
        "key": "channel-file-291",
        "category__key": "rapid-response",
        "token_count": 3,
        "keyboard_layout": "de",
        "Signing_Secret": "***",
        "nested": [{"credential": "***", "version_key": "v2", "API_KEY": "***"}],
    }


def test_it_streams_an_export_larger_than_one_chunk_through_the_real_asgi_server(
    asgi_server: str, redis_flush: None
) -> None:
    # given acme has more audit rows than one database fetch (2,000) and a read token
    import httpx

    from console.models import AuditEvent as Event
    from tests.factories import TenantFactory, api_client_with_token

    acme = TenantFactory(slug="acme")
    already = Event.objects.filter(tenant=acme).count()  # its creation and its default policies
    now = timezone.now()
    Event.objects.bulk_create(
        Event(
            tenant=acme,
            seq=already + i,
            created_at=now,
            actor_kind="system",
            action="bulk.row",
            prev_hash="0" * 64,
            hash="0" * 64,
        )
        for i in range(1, 4501)
    )
    _, token = api_client_with_token(acme, ["read"])
    # when it is exported as CSV and JSON over HTTP
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.stream(
        "GET", f"{asgi_server}/api/v1/audit-events/export.csv", headers=headers, timeout=60
    ) as r:
        assert r.status_code == 200
        lines = sum(chunk.count("\n") for chunk in r.iter_text())
    as_json = httpx.get(f"{asgi_server}/api/v1/audit-events/export.json", headers=headers, timeout=60)
    # then every row arrives
    assert lines == 4501 + already
    assert len(as_json.json()) == 4500 + already


def test_it_reads_the_page_filter_times_in_the_zone_the_rows_are_shown_in(trio: Any) -> None:
    # given a viewer in New York and an event from just now
    trio.member.timezone = "America/New_York"
    trio.member.save(update_fields=["timezone"])
    _events(trio, 1)
    page = Client()
    page.force_login(trio.member)
    # when they filter "since" an hour from now on their own clock
    in_an_hour = timezone.localtime(timezone.now() + timedelta(hours=1), ZoneInfo("America/New_York"))
    content = page.get(f"/audit/?since={in_an_hour:%Y-%m-%dT%H:%M}").content.decode()
    # then the event is not shown (read as UTC, that time was four hours ago and it was)
    assert "thing.changed0" not in content
    # and the filter says which zone it reads, the one the rows are shown in
    assert 'Since <span class="muted">(America/New_York)</span>' in content
    assert "(UTC)" not in content
    # the API keeps reading a time without an offset as UTC
    five_hours_ago = timezone.now() - timedelta(hours=5)
    assert (
        api_as(trio.member, trio.tenant)
        .get(f"/api/v1/audit-events/?since={five_hours_ago:%Y-%m-%dT%H:%M}")
        .json()["results"]
    )


def test_it_says_where_each_change_came_from(trio: Any) -> None:
    # given a change made from a browser and one the console made by itself
    page = Client(REMOTE_ADDR="203.0.113.9")
    page.force_login(trio.owner)
    audit_record(tenant=trio.tenant, actor=Actor.system("nightly"), action="thing.swept")
    page.post("/members/", {"form": "invite", "email": "new@acme.example", "role": "viewer"})
    # when the log is read
    content = page.get("/audit/").content.decode()
    # then every row's "From" says something: an address, or that the console itself did it
    assert "the console itself" in content
    froms = content.split('data-testid="audit-from">')[1:]
    assert froms and all(not f.startswith("</td>") for f in froms)
