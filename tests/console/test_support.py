"""Vendor support access: requests, approval, proactive grants, break-glass, immediate revocation
(next request and open websockets), expiry, and every action under a grant audited with its id."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.core import mail
from django.db import connections
from django.test import Client
from django.utils import timezone

from console.access import Actor
from console.models import (
    ActorKind,
    AuditEvent,
    SupportGrant,
    SupportRequest,
    SupportRequestStatus,
    VendorRole,
)
from console.support.services import support_access_expire, support_grant_revoke, support_request_create
from tests.console.conftest import acting_under, api_as, problem, staff

pytestmark = pytest.mark.django_db


def _approved_grant(trio: Any, scope: str = "read", hours: int = 2) -> tuple[Any, SupportGrant]:
    engineer = staff()
    request = support_request_create(
        tenant=trio.tenant,
        staff=engineer,
        case_id="CASE-1",
        reason="crash loop",
        scope=scope,
        duration_hours=hours,
    )
    response = api_as(trio.owner, trio.tenant).post(f"/api/v1/support/requests/{request.pk}/approve/")
    assert response.status_code == 201, response.content
    return engineer, SupportGrant.objects.get(pk=response.json()["id"])


def _support_client(engineer: Any, grant: SupportGrant) -> Client:
    client = Client()
    client.force_login(engineer)
    client.post(f"/vendor/grants/{grant.pk}/enter/")
    return client


def test_it_turns_a_vendor_request_into_a_grant_only_when_the_tenant_approves(
    trio: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # given a support engineer files a request through the vendor API
    engineer = staff()
    vendor = api_as(engineer)
    with django_capture_on_commit_callbacks(execute=True):
        filed = vendor.post(
            "/api/v1/vendor/support-requests/",
            {
                "tenant": "acme",
                "case_id": "CASE-9",
                "reason": "sensor crash",
                "scope": "operate",
                "duration_hours": 8,
            },
            format="json",
        )
    assert filed.status_code == 201, filed.content
    assert "owner@acme.example" in mail.outbox[0].to
    # then before approval the engineer cannot see acme
    assert vendor.get("/api/v1/members/").status_code == 403
    # when acme's owner approves
    approved = api_as(trio.owner, trio.tenant).post(f"/api/v1/support/requests/{filed.json()['id']}/approve/")
    # then a grant of the asked scope and duration exists, approved by the owner
    grant = SupportGrant.objects.get(pk=approved.json()["id"])
    assert (grant.scope, grant.approved_by, grant.staff) == ("operate", trio.owner, engineer)
    assert timedelta(hours=7, minutes=59) < grant.expires_at - grant.starts_at <= timedelta(hours=8)
    # and the engineer, acting under it, reads acme as support (banner on every page)
    support = _support_client(engineer, grant)
    members = support.get("/members/")
    assert members.status_code == 200 and b'data-testid="support-banner"' in members.content
    assert str(grant.pk).encode() in members.content
    assert b"Send invitation" not in members.content


def test_it_audits_actions_under_a_grant_with_the_grant_id(trio: Any) -> None:
    # given an engineer acting under an approved grant
    engineer, grant = _approved_grant(trio, scope="operate")
    support = _support_client(engineer, grant)
    # when they act and end their session
    support.post("/vendor/session/end/")
    # then each action is in acme's log as "support on behalf", with the grant id
    events = AuditEvent.objects.filter(tenant=trio.tenant, grant_id=grant.pk).order_by("seq")
    assert [e.action for e in events] == ["support_session.started", "support_session.ended"]
    assert {e.actor_kind for e in events} == {ActorKind.SUPPORT}
    assert all(e.actor_id == str(engineer.pk) and "(vendor support)" in e.actor_label for e in events)
    # and the tenant filters its log by that grant
    listed = api_as(trio.member, trio.tenant).get(f"/api/v1/audit-events/?grant={grant.pk}").json()["results"]
    assert [e["action"] for e in listed] == ["support_session.ended", "support_session.started"]


def test_it_stops_the_next_request_once_the_grant_is_revoked_or_expired(trio: Any) -> None:
    # given two engineers acting under their grants
    engineer, grant = _approved_grant(trio)
    other, expiring = _approved_grant(trio)
    support, support2 = _support_client(engineer, grant), _support_client(other, expiring)
    assert support.get("/api/v1/members/").status_code == 200
    assert support2.get("/api/v1/members/").status_code == 200
    # when acme's owner revokes one and the other runs out
    assert api_as(trio.owner, trio.tenant).delete(f"/api/v1/support/grants/{grant.pk}/").status_code == 204
    SupportGrant.objects.filter(pk=expiring.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    # then their very next requests are refused (no new sign-in needed)
    for client in (support, support2):
        assert client.get("/api/v1/members/").status_code == 403
        page = client.get("/members/")
        assert page.status_code == 302 and page["Location"] == "/vendor/"


def _ws(client: Client) -> WebsocketCommunicator:
    from console.asgi import application

    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    return WebsocketCommunicator(
        application,
        "/ws/v1/events/",
        headers=[
            (b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()),
            (b"origin", b"http://localhost"),
        ],
    )


@pytest.mark.parametrize("ending", ["revoked", "expired"])
def test_it_closes_an_open_websocket_when_the_grant_ends(
    ending: str, transactional_db: None, redis_flush: None
) -> None:
    # given a support engineer with an open websocket under a grant of acme
    from tests.factories import TenantFactory, member

    acme = TenantFactory(slug="acme")
    owner = member(acme, "owner")
    engineer = staff()
    now = timezone.now()
    grant = SupportGrant.objects.create(
        tenant=acme,
        staff=engineer,
        reason="r",
        starts_at=now,
        expires_at=now + timedelta(hours=1),
        approved_by=owner,
    )
    client = Client()
    client.force_login(engineer)
    acting_under(client, grant)

    async def scenario() -> dict[str, Any]:
        comm = _ws(client)
        connected, _ = await comm.connect()
        assert connected
        hello = await comm.receive_json_from(timeout=5)
        assert hello == {"type": "hello", "tenant": "acme"}
        # when the grant ends (the tenant revokes it, or the beat tick finds it expired)
        if ending == "revoked":
            await database_sync_to_async(support_grant_revoke)(
                tenant=acme, actor=Actor.for_user(owner), grant=grant
            )
        else:
            await database_sync_to_async(
                lambda: SupportGrant.objects.filter(pk=grant.pk).update(expires_at=timezone.now())
            )()
            await database_sync_to_async(support_access_expire)()
        # then the socket is closed by the server
        output: dict[str, Any] = await comm.receive_output(timeout=5)
        await comm.wait()
        await database_sync_to_async(connections.close_all)()  # the worker thread's connection
        return output

    # Its own thread and loop: Playwright's sync API may own this thread's event loop already.
    with ThreadPoolExecutor(max_workers=1) as pool:
        output = pool.submit(asyncio.run, scenario()).result(timeout=60)
    assert output == {"type": "websocket.close", "code": 4403}
    assert AuditEvent.objects.filter(tenant=acme, action=f"support_grant.{ending}").exists()


def test_it_lets_a_support_lead_break_glass_read_only_and_tells_the_tenant(
    trio: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # given a support lead and a support engineer
    lead, engineer = staff(VendorRole.SUPPORT_LEAD), staff(VendorRole.SUPPORT_ENGINEER)
    body = {"tenant": "acme", "justification": "global outage, customer unreachable"}
    # when the engineer tries, and the lead asks for operate, for too long, without a reason
    assert api_as(engineer).post("/api/v1/vendor/break-glass/", body, format="json").status_code == 403
    operate = api_as(lead).post("/api/v1/vendor/break-glass/", {**body, "scope": "operate"}, format="json")
    too_long = api_as(lead).post("/api/v1/vendor/break-glass/", {**body, "duration_hours": 5}, format="json")
    no_reason = api_as(lead).post(
        "/api/v1/vendor/break-glass/", {**body, "justification": " "}, format="json"
    )
    # then break-glass never grants operate, never longer than 4 h, never without a justification
    assert operate.status_code == 400 and "scope" in problem(operate)["errors"]
    assert too_long.status_code == 400 and "duration_hours" in problem(too_long)["errors"]
    assert no_reason.status_code == 400 and "justification" in problem(no_reason)["errors"]
    assert not SupportGrant.objects.exists()
    # when the lead breaks glass properly
    with django_capture_on_commit_callbacks(execute=True):
        ok = api_as(lead).post("/api/v1/vendor/break-glass/", body, format="json")
    # then a 4 h read grant exists, acme's owner got a mail, and the access page shows it in red
    grant = SupportGrant.objects.get(pk=ok.json()["id"])
    assert (grant.scope, grant.break_glass, grant.approved_by) == ("read", True, None)
    assert grant.expires_at - grant.starts_at == timedelta(hours=4)
    assert any("BREAK-GLASS" in m.subject and "owner@acme.example" in m.to for m in mail.outbox)
    page = Client()
    page.force_login(trio.member)
    content = page.get("/support/").content.decode()
    assert 'class="row-danger"' in content and 'data-testid="break-glass"' in content
    assert AuditEvent.objects.filter(tenant=trio.tenant, action="support_grant.break_glass").exists()


def test_it_expires_an_unanswered_request_after_12_hours(trio: Any) -> None:
    # given a request filed 13 hours ago
    request = support_request_create(tenant=trio.tenant, staff=staff(), case_id="C", reason="r")
    # when the beat tick runs
    result = support_access_expire(now=timezone.now() + timedelta(hours=13))
    # then it expired, and approving it now is a conflict
    request.refresh_from_db()
    assert result["expired_requests"] == 1 and request.status == SupportRequestStatus.EXPIRED
    approve = api_as(trio.owner, trio.tenant).post(f"/api/v1/support/requests/{request.pk}/approve/")
    assert approve.status_code == 409


def test_it_denies_a_request_and_grants_proactively(trio: Any) -> None:
    # given a pending request
    engineer = staff()
    request = support_request_create(tenant=trio.tenant, staff=engineer, case_id="C", reason="r")
    owner = api_as(trio.owner, trio.tenant)
    # when the owner denies it, then grants read access on their own initiative for 72 h
    assert owner.post(f"/api/v1/support/requests/{request.pk}/deny/").json()["status"] == "denied"
    grant = owner.post(
        "/api/v1/support/grants/",
        {"staff": engineer.username, "reason": "quarterly review", "duration_hours": 72},
        format="json",
    )
    too_long = owner.post(
        "/api/v1/support/grants/",
        {"staff": engineer.username, "reason": "x", "duration_hours": 73},
        format="json",
    )
    not_staff = owner.post(
        "/api/v1/support/grants/", {"staff": trio.member.username, "reason": "x"}, format="json"
    )
    # then
    assert grant.status_code == 201 and grant.json()["scope"] == "read"
    assert too_long.status_code == 400 and not_staff.status_code == 400
    assert SupportRequest.objects.get(pk=request.pk).grant is None


def test_it_refuses_entering_another_staff_members_grant(trio: Any) -> None:
    # given an engineer's grant
    _, grant = _approved_grant(trio)
    intruder = Client()
    intruder.force_login(staff(username="other@vendor.example"))
    # when another staff member tries to use it
    response = intruder.post(f"/vendor/grants/{grant.pk}/enter/")
    # then it does not exist for them, and they see no tenant
    assert response.status_code == 404
    assert intruder.get("/members/")["Location"] == "/vendor/"


def test_it_keeps_vendor_staff_out_without_a_grant_and_shows_requests_only_to_their_tenant(trio: Any) -> None:
    # given a pending request to acme
    engineer = staff()
    request = support_request_create(tenant=trio.tenant, staff=engineer, case_id="C-42", reason="r")
    # when the engineer (no grant), acme's viewer and globex's owner look
    assert api_as(engineer).get("/api/v1/support/requests/").status_code == 403
    member_view = api_as(trio.member, trio.tenant).get("/api/v1/support/requests/")
    outsider_view = api_as(trio.outsider, trio.other_tenant).get("/api/v1/support/requests/")
    # then the member sees it but cannot approve; the outsider neither sees nor approves it
    assert str(request.pk) in member_view.content.decode()
    assert (
        api_as(trio.member, trio.tenant).post(f"/api/v1/support/requests/{request.pk}/approve/").status_code
        == 403
    )
    assert str(request.pk) not in outsider_view.content.decode()
    denied = api_as(trio.outsider, trio.other_tenant).post(f"/api/v1/support/requests/{request.pk}/approve/")
    assert denied.status_code == 404


def test_it_approves_and_revokes_on_the_tenant_access_page(trio: Any) -> None:
    # given a pending request, on acme's access page
    engineer = staff()
    request = support_request_create(tenant=trio.tenant, staff=engineer, case_id="CASE-77", reason="r")
    page = Client()
    page.force_login(trio.owner)
    assert b"CASE-77" in page.get("/support/").content
    # when the owner approves, then revokes
    page.post(f"/support/requests/{request.pk}/approve/")
    grant = SupportGrant.objects.get(staff=engineer)
    page.post(f"/support/grants/{grant.pk}/revoke/")
    # then the grant ended by the owner's hand
    grant.refresh_from_db()
    assert grant.revoked_at is not None and grant.revoked_by == trio.owner
    assert not grant.is_active()


def test_it_closes_an_api_clients_websocket_when_its_token_is_revoked(
    transactional_db: None, redis_flush: None
) -> None:
    # given automation of acme with an open websocket
    from console.api_clients.services import api_client_revoke
    from console.asgi import application
    from tests.factories import TenantFactory, api_client_with_token

    acme = TenantFactory(slug="acme")
    client, token = api_client_with_token(acme, ["read"])

    async def scenario() -> dict[str, Any]:
        comm = WebsocketCommunicator(
            application,
            "/ws/v1/events/",
            headers=[(b"authorization", f"Bearer {token}".encode()), (b"origin", b"http://localhost")],
        )
        connected, _ = await comm.connect()
        assert connected
        assert (await comm.receive_json_from(timeout=5))["tenant"] == "acme"
        # when an admin revokes the token
        await database_sync_to_async(api_client_revoke)(tenant=acme, actor=Actor.system(), client=client)
        # then the socket is closed at once
        output: dict[str, Any] = await comm.receive_output(timeout=5)
        await comm.wait()
        await database_sync_to_async(connections.close_all)()
        return output

    with ThreadPoolExecutor(max_workers=1) as pool:
        assert pool.submit(asyncio.run, scenario()).result(timeout=60) == {
            "type": "websocket.close",
            "code": 4403,
        }


@pytest.mark.worker
def test_it_ends_expired_grants_from_the_beat_task_in_a_real_worker(celery_worker: Any) -> None:
    # given the beat schedule and a grant that just ran out
    from console.celery import beat_schedule
    from console.tasks import support_access_expire as task
    from tests.factories import TenantFactory

    assert beat_schedule()["console-support-access-expire"]["task"] == "console.support_access_expire"
    acme = TenantFactory(slug="acme")
    now = timezone.now()
    grant = SupportGrant.objects.create(
        tenant=acme,
        staff=staff(),
        reason="r",
        starts_at=now - timedelta(hours=2),
        expires_at=now - timedelta(seconds=1),
    )
    # when the worker runs the tick
    result = task.delay().get(timeout=60)
    # then the grant's end is audited by the system, once
    assert result["ended_grants"] == 1
    grant.refresh_from_db()
    assert grant.ended_announced_at is not None
    event = AuditEvent.objects.get(tenant=acme, action="support_grant.expired")
    assert event.actor_kind == ActorKind.SYSTEM and event.target_id == str(grant.pk)
    assert task.delay().get(timeout=60)["ended_grants"] == 0
