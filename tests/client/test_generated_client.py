"""The generated client (client/console_client) against the real ASGI server: every call here goes
through the code openapi-python-client wrote from the schema, with no hand-written HTTP. If the
schema and the API disagree (a field, a status, a header), these round trips fail."""

from __future__ import annotations

from http import HTTPStatus

from console_client import AuthenticatedClient
from console_client.api.host_groups import (
    host_groups_create,
    host_groups_destroy,
    host_groups_list,
    host_groups_partial_update,
    host_groups_retrieve,
)
from console_client.api.windows import (
    windows_create,
    windows_destroy,
    windows_list,
    windows_partial_update,
    windows_retrieve,
)
from console_client.models import (
    GroupInRequest,
    GroupOut,
    HostGroupOutcome,
    PatchedGroupPatchInRequest,
    PatchedWindowInRequest,
    Problem,
    WindowInRequest,
    WindowOut,
    WindowOutcome,
)

from tests.client.conftest import Automation
from tests.factories import HostFactory


def test_it_creates_reads_updates_with_if_match_and_deletes_a_host_group(
    asgi_server: str, automation: Automation
) -> None:
    # given acme's automation client and three hosts, two of them tagged prod
    HostFactory.create_batch(2, tenant=automation.tenant, tags=["prod"])
    HostFactory(tenant=automation.tenant, tags=["lab"])
    client = AuthenticatedClient(base_url=asgi_server, token=automation.token)
    # when it creates a dynamic group
    created = host_groups_create.sync_detailed(
        client=client, body=GroupInRequest(name="prod", rule_text="tag:prod")
    )
    # then the answer is the typed outcome with the new group in it
    assert created.status_code == HTTPStatus.CREATED, created.content
    assert isinstance(created.parsed, HostGroupOutcome)
    assert isinstance(created.parsed.object_, GroupOut)
    group_id = created.parsed.object_.id
    # when it reads the group back
    read = host_groups_retrieve.sync_detailed(group_id, client=client)
    # then it gets the group, its two hosts and an ETag to edit it with
    assert isinstance(read.parsed, GroupOut), read.content
    assert (read.parsed.name, read.parsed.host_count) == ("prod", 2)
    etag = read.headers["ETag"]
    # when it renames the group with that ETag
    updated = host_groups_partial_update.sync_detailed(
        group_id, client=client, body=PatchedGroupPatchInRequest(name="production"), if_match=etag
    )
    # then the change is saved, under a new version
    assert isinstance(updated.parsed, HostGroupOutcome), updated.content
    assert isinstance(updated.parsed.object_, GroupOut)
    assert updated.parsed.object_.name == "production"
    assert updated.parsed.object_.version > read.parsed.version
    # when it writes again with the ETag it read before that change (a lost update)
    stale = host_groups_partial_update.sync_detailed(
        group_id, client=client, body=PatchedGroupPatchInRequest(name="prod again"), if_match=etag
    )
    # then the console refuses it with a typed problem, and the name stays
    assert stale.status_code == HTTPStatus.PRECONDITION_FAILED
    assert isinstance(stale.parsed, Problem) and stale.parsed.title == "Precondition failed"
    listed = host_groups_list.sync_detailed(client=client)
    assert listed.parsed is not None and not isinstance(listed.parsed, Problem)
    assert [g.name for g in listed.parsed.results] == ["production"]
    # when it deletes the group with the current ETag
    current = host_groups_retrieve.sync_detailed(group_id, client=client).headers["ETag"]
    deleted = host_groups_destroy.sync_detailed(group_id, client=client, if_match=current)
    # then the group is gone
    assert deleted.status_code == HTTPStatus.OK, deleted.content
    gone = host_groups_retrieve.sync_detailed(group_id, client=client)
    assert gone.status_code == HTTPStatus.NOT_FOUND and isinstance(gone.parsed, Problem)


def test_it_creates_reads_updates_with_if_match_and_deletes_a_maintenance_window(
    asgi_server: str, automation: Automation
) -> None:
    # given acme's automation client
    client = AuthenticatedClient(base_url=asgi_server, token=automation.token)
    # when it creates a weeknight window
    body = WindowInRequest(
        name="weeknights", weekdays=[0, 1, 2, 3], start="02:00", duration_minutes=120, timezone="UTC"
    )
    created = windows_create.sync_detailed(client=client, body=body)
    # then the typed outcome holds the window
    assert created.status_code == HTTPStatus.CREATED, created.content
    assert isinstance(created.parsed, WindowOutcome) and isinstance(created.parsed.object_, WindowOut)
    window_id = created.parsed.object_.id
    # when it reads it and lengthens it with the ETag it read
    read = windows_retrieve.sync_detailed(window_id, client=client)
    assert read.parsed is not None and not isinstance(read.parsed, Problem), read.content
    updated = windows_partial_update.sync_detailed(
        window_id,
        client=client,
        body=PatchedWindowInRequest(duration_minutes=180),
        if_match=read.headers["ETag"],
    )
    # then the change is saved
    assert isinstance(updated.parsed, WindowOutcome), updated.content
    assert isinstance(updated.parsed.object_, WindowOut)
    assert updated.parsed.object_.duration_minutes == 180
    # and a write without If-Match is refused (428), not applied blindly
    blind = windows_partial_update.sync_detailed(
        window_id, client=client, body=PatchedWindowInRequest(duration_minutes=30)
    )
    assert blind.status_code == HTTPStatus.PRECONDITION_REQUIRED
    assert isinstance(blind.parsed, Problem)
    # when it deletes the window with the current ETag
    current = windows_retrieve.sync_detailed(window_id, client=client).headers["ETag"]
    deleted = windows_destroy.sync_detailed(window_id, client=client, if_match=current)
    # then the window is gone from the list
    assert deleted.status_code == HTTPStatus.OK, deleted.content
    listed = windows_list.sync_detailed(client=client)
    assert listed.parsed is not None and not isinstance(listed.parsed, Problem)
    assert [w.id for w in listed.parsed.results] == []


def test_it_hides_a_tenants_group_from_another_tenants_client(
    asgi_server: str, automation: Automation
) -> None:
    # given a group of acme's
    acme = AuthenticatedClient(base_url=asgi_server, token=automation.token)
    created = host_groups_create.sync_detailed(
        client=acme, body=GroupInRequest(name="prod", rule_text="tag:prod")
    )
    assert isinstance(created.parsed, HostGroupOutcome) and isinstance(created.parsed.object_, GroupOut)
    group_id = created.parsed.object_.id
    etag = host_groups_retrieve.sync_detailed(group_id, client=acme).headers["ETag"]
    # when globex's client reads, edits and deletes it by id
    globex = AuthenticatedClient(base_url=asgi_server, token=automation.outsider_token)
    read = host_groups_retrieve.sync_detailed(group_id, client=globex)
    edit = host_groups_partial_update.sync_detailed(
        group_id, client=globex, body=PatchedGroupPatchInRequest(name="mine"), if_match=etag
    )
    delete = host_groups_destroy.sync_detailed(group_id, client=globex, if_match=etag)
    # then every answer is the same typed 404, and the outsider's list is empty
    assert [r.status_code for r in (read, edit, delete)] == [HTTPStatus.NOT_FOUND] * 3
    assert all(isinstance(r.parsed, Problem) for r in (read, edit, delete))
    listed = host_groups_list.sync_detailed(client=globex)
    assert listed.parsed is not None and not isinstance(listed.parsed, Problem)
    assert listed.parsed.results == []
    # and acme's group is untouched
    again = host_groups_retrieve.sync_detailed(group_id, client=acme)
    assert isinstance(again.parsed, GroupOut) and again.parsed.name == "prod"
