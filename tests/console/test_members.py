"""Members and invitations: invite by link (expiring, single use), roles, the last owner, switching."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from console.access import Actor
from console.models import AuditEvent, Invitation, Membership, Role
from console.people.services import invitation_create
from tests.console.conftest import api_as, problem
from tests.factories import member

pytestmark = pytest.mark.django_db


def _actions(tenant: Any) -> list[str]:
    return list(AuditEvent.objects.filter(tenant=tenant).order_by("seq").values_list("action", flat=True))


def test_it_invites_by_a_single_use_link_that_makes_a_new_member(
    trio: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # given acme's owner invites an operator through the API (the mail leaves once committed)
    owner = api_as(trio.owner, trio.tenant)
    with django_capture_on_commit_callbacks(execute=True):
        response = owner.post(
            "/api/v1/invitations/", {"email": "New@Example.test", "role": "operator"}, format="json"
        )
    assert response.status_code == 201, response.content
    url = response.json()["url"]
    assert "/invitations/accept/" in url
    assert len(mail.outbox) == 1 and url.split("testserver")[1] in mail.outbox[0].body
    path = url.split("testserver")[1]
    # when the invitee opens the link and chooses a password
    invitee = Client()
    assert b"Join Acme Corporation" in invitee.get(path).content
    accepted = invitee.post(
        path, {"password": "a-long-enough-pass-2024", "password2": "a-long-enough-pass-2024"}
    )
    # then they are an operator of acme, signed in, and the link is used up
    assert accepted.status_code == 302
    membership = Membership.objects.get(tenant=trio.tenant, user__email="new@example.test")
    assert membership.role == Role.OPERATOR
    assert invitee.get("/").status_code == 200
    assert Client().get(path).status_code == 404
    assert _actions(trio.tenant)[-2:] == ["invitation.created", "membership.created"]


def test_it_refuses_an_expired_or_revoked_invitation(trio: Any) -> None:
    # given an invitation whose time ran out and one that was revoked
    issued = invitation_create(
        tenant=trio.tenant, actor=Actor.system(), email="late@example.test", role="viewer"
    )
    Invitation.objects.filter(pk=issued.invitation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    revoked = invitation_create(
        tenant=trio.tenant, actor=Actor.system(), email="gone@example.test", role="viewer"
    )
    api_as(trio.owner, trio.tenant).delete(f"/api/v1/invitations/{revoked.invitation.pk}/")
    # when / then both links say so and create nobody
    for path in (issued.path, revoked.path):
        response = Client().post(
            path, {"password": "a-long-enough-pass-2024", "password2": "a-long-enough-pass-2024"}
        )
        assert response.status_code == 404
    assert not Membership.objects.filter(user__email__in=["late@example.test", "gone@example.test"]).exists()


def test_it_refuses_an_invitation_accepted_by_another_account(trio: Any) -> None:
    # given an invitation for someone else, opened by globex's owner
    issued = invitation_create(
        tenant=trio.tenant, actor=Actor.system(), email="bob@example.test", role="admin"
    )
    client = Client()
    client.force_login(trio.outsider)
    # when
    response = client.post(issued.path)
    # then the outsider does not join acme
    assert response.status_code == 403
    assert not Membership.objects.filter(tenant=trio.tenant, user=trio.outsider).exists()


def test_it_lets_an_existing_user_join_a_second_tenant_and_switch(trio: Any) -> None:
    # given globex's owner is invited to acme too and accepts while signed in
    issued = invitation_create(
        tenant=trio.tenant, actor=Actor.system(), email=trio.outsider.email, role="viewer"
    )
    client = Client()
    client.force_login(trio.outsider)
    assert client.post(issued.path).status_code == 302
    # when they switch between their tenants
    client.post("/tenants/", {"tenant": str(trio.other_tenant.pk)})
    on_globex = client.get("/members/")
    client.post("/tenants/", {"tenant": str(trio.tenant.pk)})
    on_acme = client.get("/members/")
    # then the header names the current tenant and the lists follow it
    assert b'data-testid="current-tenant">Globex Industries<' in on_globex.content
    assert b'data-testid="current-tenant">Acme Corporation<' in on_acme.content
    assert b"viewer@acme.example" in on_acme.content and b"viewer@acme.example" not in on_globex.content


def test_it_changes_a_role_and_records_before_and_after(trio: Any) -> None:
    # given acme's viewer
    membership = Membership.objects.get(tenant=trio.tenant, user=trio.member)
    # when the owner makes them an admin
    response = api_as(trio.owner, trio.tenant).patch(
        f"/api/v1/members/{membership.pk}/", {"role": "admin"}, format="json"
    )
    # then
    assert response.status_code == 200 and response.json()["role"] == "admin"
    event = AuditEvent.objects.filter(tenant=trio.tenant, action="membership.role_changed").get()
    assert (event.before["role"], event.after["role"], event.actor_id) == (
        "viewer",
        "admin",
        str(trio.owner.pk),
    )


def test_it_never_demotes_or_removes_the_last_owner(trio: Any) -> None:
    # given acme has one owner
    own = Membership.objects.get(tenant=trio.tenant, user=trio.owner)
    client = api_as(trio.owner, trio.tenant)
    # when they try to demote or remove themselves
    demote = client.patch(f"/api/v1/members/{own.pk}/", {"role": "admin"}, format="json")
    remove = client.delete(f"/api/v1/members/{own.pk}/")
    # then both are refused as conflicts, and they remain owner
    assert demote.status_code == 409 and "last owner" in problem(demote)["detail"]
    assert remove.status_code == 409
    assert Membership.objects.get(pk=own.pk).role == Role.OWNER
    # and with a second owner, demotion works
    second = member(trio.tenant, Role.OWNER)
    assert client.patch(f"/api/v1/members/{own.pk}/", {"role": "admin"}, format="json").status_code == 200
    assert Membership.objects.filter(tenant=trio.tenant, role=Role.OWNER).get().user == second


def test_it_lets_only_owners_touch_ownership(trio: Any) -> None:
    # given an admin of acme
    admin = member(trio.tenant, Role.ADMIN)
    viewer = Membership.objects.get(tenant=trio.tenant, user=trio.member)
    owner = Membership.objects.get(tenant=trio.tenant, user=trio.owner)
    client = api_as(admin, trio.tenant)
    # when the admin tries to make an owner, remove the owner, or invite an owner
    promote = client.patch(f"/api/v1/members/{viewer.pk}/", {"role": "owner"}, format="json")
    remove = client.delete(f"/api/v1/members/{owner.pk}/")
    invite = client.post("/api/v1/invitations/", {"email": "o@example.test", "role": "owner"}, format="json")
    # then each is forbidden
    assert [promote.status_code, remove.status_code, invite.status_code] == [403, 403, 403]


def test_it_removes_a_member_whose_next_request_has_no_access(trio: Any) -> None:
    # given acme's viewer is signed in
    viewer = api_as(trio.member, trio.tenant)
    assert viewer.get("/api/v1/members/").status_code == 200
    membership = Membership.objects.get(tenant=trio.tenant, user=trio.member)
    # when the owner removes them on the members page (a confirmed form)
    page = Client()
    page.force_login(trio.owner)
    assert page.post(f"/members/{membership.pk}/remove/").status_code == 302
    # then their next request has no tenant
    assert viewer.get("/api/v1/members/").status_code == 403
    assert "membership.removed" in _actions(trio.tenant)


def test_it_shows_members_to_a_member_but_not_to_an_outsider(trio: Any) -> None:
    # given the trio
    viewer, outsider = Client(), Client()
    viewer.force_login(trio.member)
    outsider.force_login(trio.outsider)
    # when
    mine, theirs = viewer.get("/members/"), outsider.get("/members/")
    # then the viewer sees acme's members without the admin controls; the outsider sees only globex
    assert b"owner@acme.example" in mine.content and b"Send invitation" not in mine.content
    assert b"owner@acme.example" not in theirs.content


def test_it_invites_from_the_page_and_keeps_what_was_typed_on_error(trio: Any) -> None:
    client = Client()
    client.force_login(trio.owner)
    # when the e-mail is already a member
    response = client.post("/members/", {"email": "viewer@acme.example", "role": "admin"})
    # then the error is shown next to the form and the input is kept
    assert response.status_code == 400
    assert b"Already a member" in response.content
    assert b'value="viewer@acme.example"' in response.content
    # and a good invitation shows its link once
    ok = client.post("/members/", {"email": "fresh@example.test", "role": "viewer"}, follow=True)
    assert b'data-testid="invite-url"' in ok.content
    assert b'data-testid="invite-url"' not in client.get("/members/").content


def test_it_creates_an_account_only_with_a_strong_password(trio: Any) -> None:
    issued = invitation_create(
        tenant=trio.tenant, actor=Actor.system(), email="weak@example.test", role="viewer"
    )
    response = Client().post(issued.path, {"password": "123", "password2": "123"})
    assert response.status_code == 400
    assert not Membership.objects.filter(user__email="weak@example.test").exists()


def test_it_never_makes_vendor_staff_a_member(trio: Any) -> None:
    # given a vendor support engineer with an e-mail
    from tests.console.conftest import staff

    engineer = staff(username="eng@vendor.example")
    engineer.email = "eng@vendor.example"
    engineer.save()
    owner = api_as(trio.owner, trio.tenant)
    # when acme invites that address, or the engineer opens an invitation for it
    direct = owner.post(
        "/api/v1/invitations/", {"email": "eng@vendor.example", "role": "admin"}, format="json"
    )
    issued = invitation_create(
        tenant=trio.tenant, actor=Actor.system(), email="other@example.test", role="viewer"
    )
    client = Client()
    client.force_login(engineer)
    accepted = client.post(issued.path)
    # then neither works: vendor staff reach a tenant only through a support grant
    assert direct.status_code == 400 and "email" in problem(direct)["errors"]
    assert accepted.status_code == 403
    assert not Membership.objects.filter(user=engineer).exists()


def test_it_creates_no_account_when_joining_fails(trio: Any) -> None:
    # given an invitation that is revoked between opening the page and submitting it
    issued = invitation_create(
        tenant=trio.tenant, actor=Actor.system(), email="race@example.test", role="viewer"
    )
    Invitation.objects.filter(pk=issued.invitation.pk).update(revoked_at=timezone.now())
    # when the invitee submits
    response = Client().post(
        issued.path, {"password": "a-long-enough-pass-2024", "password2": "a-long-enough-pass-2024"}
    )
    # then nothing was created
    assert response.status_code == 404
    from console.models import User

    assert not User.objects.filter(username="race@example.test").exists()
