"""Host groups: the rule syntax (text and JSON), SQL evaluation, live preview, static members, CSV."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from console.models import ApiScope, AuditEvent, Role
from rollout.models import HostGroup
from rollout.selectors.groups import group_hosts, rule_preview
from rollout.selectors.rules import RuleError, rule_normalise, rule_parse, rule_to_text
from tests.factories import HostFactory, TenantFactory, api_client_with_token, member
from tests.rollout.conftest import session

pytestmark = pytest.mark.django_db


def test_it_parses_the_text_syntax_with_precedence() -> None:
    rule = rule_parse('platform:windows and tag:prod and not hostname:lab-* or site:"test lab"')
    assert rule == {
        "or": [
            {"and": [{"platform": "windows"}, {"tag": "prod"}, {"not": {"hostname": "lab-*"}}]},
            {"site": "test lab"},
        ]
    }
    assert rule_parse(rule_to_text(rule)) == rule


@pytest.mark.parametrize(
    ("text", "column", "words"),
    [
        ("platform:windows and", 21, "ends too early"),
        ("platform:windows tag:prod", 18, "Expected 'and'"),
        ("platform:windows and colour:red", 22, "Unknown attribute"),
        ("(platform:windows or tag:x", 27, "Expected ')'"),
        ("platform:beos", 1, "not one of"),
        ("os:10..9", 1, "ends before it starts"),
        ('site:"lab', 6, "Unterminated"),
    ],
)
def test_it_reports_parse_errors_at_the_column(text: str, column: int, words: str) -> None:
    with pytest.raises(RuleError) as info:
        rule_parse(text)
    assert info.value.position == column, str(info.value)
    assert words in info.value.message


def test_it_normalises_the_json_form_and_names_the_bad_path() -> None:
    assert rule_normalise({"and": [{"os": ">=10.0"}, {"build": "7.11.*"}]}) == {
        "and": [{"os_version": ">=10.0"}, {"sensor_build": "7.11.*"}]
    }
    with pytest.raises(RuleError) as info:
        rule_normalise({"and": [{"platform": "windows"}, {"shoe_size": "9"}]})
    assert info.value.path == "rule.and[1]"


def test_it_evaluates_rules_in_sql() -> None:
    # given hosts of the owner's tenant and of an outsider's
    acme, other = TenantFactory(slug="acme"), TenantFactory(slug="globex")
    prod = HostFactory(
        tenant=acme, hostname="web-1", tags=["prod"], os_version="10.0.19045", sensor_build="7.11.2"
    )
    HostFactory(tenant=acme, hostname="lab-1", tags=["prod"], os_version="10.0.17763", sensor_build="7.10.9")
    HostFactory(
        tenant=acme,
        hostname="mac-1",
        platform="macos",
        tags=["prod"],
        os_version="14.5",
        sensor_build="6.99.1",
    )
    HostFactory(tenant=other, hostname="web-9", tags=["prod"])

    def names(text: str) -> set[str]:
        return {h.hostname for h in rule_preview_hosts(acme, text)}

    assert names("platform:windows and tag:prod and not hostname:LAB-*") == {"web-1"}
    assert names("os:>=10.0.19000") == {"web-1", "mac-1"}  # macOS 14.5 is newer too
    assert names("platform:windows and os:>=10.0.19000") == {"web-1"}
    assert names("os:10.0.17000..10.0.18000 or platform:macos") == {"lab-1", "mac-1"}
    assert names("build:7.1?.*") == {"web-1", "lab-1"}
    assert names("build:<7.11") == {"lab-1", "mac-1"}
    assert names("build:7.10..7.11.5") == {"lab-1", "web-1"}
    assert prod.hostname in names("tag:prod")
    assert "web-9" not in names("tag:prod")


def rule_preview_hosts(tenant: Any, text: str) -> list[Any]:
    from rollout.selectors.groups import rule_hosts

    return list(rule_hosts(tenant, rule_parse(text)))


def test_it_combines_static_members_with_the_rule() -> None:
    from console.access import Actor
    from rollout.groups.services import host_group_create, host_group_members_change

    acme = TenantFactory(slug="acme")
    a = HostFactory(tenant=acme, hostname="a", site="berlin")
    b = HostFactory(tenant=acme, hostname="b", site="paris")
    group = host_group_create(
        tenant=acme, actor=Actor.system("t"), name="berlin", rule_text="site:berlin"
    ).obj
    assert set(group_hosts(acme, group)) == {a}
    host_group_members_change(tenant=acme, actor=Actor.system("t"), group=group, add=[str(b.pk)])
    assert set(group_hosts(acme, group)) == {a, b}
    assert rule_preview(acme, {"site": "nowhere"}).count == 0


# --- API -----------------------------------------------------------------------------------------


def post(client: Client, url: str, body: Any, **headers: str) -> Any:
    return client.post(url, body, content_type="application/json", headers=headers)


def test_it_previews_a_rule_live_and_answers_parse_errors_with_the_position() -> None:
    acme = TenantFactory(slug="acme")
    HostFactory.create_batch(3, tenant=acme, tags=["prod"])
    HostFactory(tenant=acme, tags=["dev"])
    viewer = session(member(acme, Role.VIEWER))
    ok = post(viewer, "/api/v1/host-groups/preview", {"rule_text": "tag:prod"})
    assert ok.status_code == 200
    assert ok.json()["count"] == 3 and len(ok.json()["sample"]) == 3 and ok.json()["warning"] is None
    bad = post(viewer, "/api/v1/host-groups/preview", {"rule_text": "tag:prod and"})
    assert bad.status_code == 400
    assert bad["Content-Type"] == "application/problem+json"
    assert bad.json()["position"] == 13
    assert "column 13" in bad.json()["errors"]["rule_text"][0]
    structured = post(viewer, "/api/v1/host-groups/preview", {"rule": {"or": [{"tag": "dev"}, {"nope": 1}]}})
    assert structured.status_code == 400 and "rule.or[1]" in structured.json()["errors"]


def test_it_allows_but_flags_a_rule_matching_no_hosts() -> None:
    acme = TenantFactory(slug="acme")
    HostFactory(tenant=acme)
    admin = session(member(acme, Role.ADMIN))
    preview = post(admin, "/api/v1/host-groups/preview", {"rule_text": "site:atlantis"}).json()
    assert preview["count"] == 0 and "matches no hosts" in preview["warning"]
    created = post(admin, "/api/v1/host-groups/", {"name": "atlantis", "rule_text": "site:atlantis"})
    assert created.status_code == 201, created.content
    assert created.json()["object"]["host_count"] == 0
    assert "matches no hosts" in created.json()["object"]["warnings"][0]


def test_it_creates_edits_with_if_match_and_refuses_a_stale_write() -> None:
    # given the owner / member / outsider trio
    acme, globex = TenantFactory(slug="acme"), TenantFactory(slug="globex")
    HostFactory.create_batch(2, tenant=acme, tags=["prod"])
    owner = session(member(acme, Role.OWNER))
    viewer = session(member(acme, Role.VIEWER))
    outsider = session(member(globex, Role.OWNER))
    created = post(owner, "/api/v1/host-groups/", {"name": "prod", "rule_text": "tag:prod"}).json()["object"]
    url = f"/api/v1/host-groups/{created['id']}"
    got = owner.get(url)
    assert got["ETag"] == '"1"' and got.json()["host_count"] == 2
    # the viewer cannot edit, the outsider cannot even see it
    assert (
        viewer.patch(
            url, {"name": "x"}, content_type="application/json", headers={"If-Match": '"1"'}
        ).status_code
        == 403
    )
    assert outsider.get(url).status_code == 404
    # an edit without If-Match is refused, one with the current ETag passes, a stale one gets 412
    assert owner.patch(url, {"name": "prod-2"}, content_type="application/json").status_code == 428
    ok = owner.patch(url, {"name": "prod-2"}, content_type="application/json", headers={"If-Match": '"1"'})
    assert ok.status_code == 200 and ok["ETag"] == '"2"'
    stale = owner.patch(url, {"name": "prod-3"}, content_type="application/json", headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    assert "changed by someone else" in stale.json()["detail"]
    assert HostGroup.objects.get(pk=created["id"]).name == "prod-2"
    actions = list(AuditEvent.objects.filter(tenant=acme).values_list("action", flat=True))
    assert "host_group.create" in actions and "host_group.update" in actions


def test_it_adds_members_by_id_and_by_csv_and_rejects_unknown_hosts() -> None:
    acme, globex = TenantFactory(slug="acme"), TenantFactory(slug="globex")
    a, b = HostFactory(tenant=acme, hostname="alpha"), HostFactory(tenant=acme, hostname="beta")
    theirs = HostFactory(tenant=globex)
    _, token = api_client_with_token(acme, [ApiScope.READ, ApiScope.WRITE])
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    group = post(api, "/api/v1/host-groups/", {"name": "static"}).json()["object"]
    url = f"/api/v1/host-groups/{group['id']}/members"
    added = post(api, url, {"add": [str(a.pk)]}, **{"If-Match": '"1"'})
    assert added.status_code == 200, added.content
    by_csv = post(api, url, {"csv": "hostname\nbeta\n"}, **{"If-Match": '"2"'})
    assert by_csv.status_code == 200, by_csv.content
    assert {h["hostname"] for h in api.get(url).json()["results"]} == {"alpha", "beta"}
    foreign = post(api, url, {"add": [str(theirs.pk)]}, **{"If-Match": '"3"'})
    assert foreign.status_code == 400 and "add" in foreign.json()["errors"]
    assert b.pk


def test_it_serves_telemetry_the_groups_and_their_hosts_as_a_sub_select() -> None:
    from django.db import connection

    from console.access import Actor
    from rollout.groups.services import host_group_create
    from telemetry.membership import group_source

    # given acme's group and globex's lookalike host
    acme, globex = TenantFactory(slug="acme"), TenantFactory(slug="globex")
    mine = HostFactory(tenant=acme, tags=["prod"])
    HostFactory(tenant=acme, tags=["dev"])
    HostFactory(tenant=globex, tags=["prod"])
    group = host_group_create(tenant=acme, actor=Actor.system("t"), name="prod", rule_text="tag:prod").obj
    source = group_source()
    assert source is not None, "rollout registers its HostGroupSource in RolloutConfig.ready()"
    assert [(g.id, g.name) for g in source.groups(acme.pk)] == [(group.pk, "prod")]
    assert source.groups(globex.pk) == []
    sql, params = source.host_ids_sql(acme.pk, group.pk)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT h.id FROM telemetry_host h WHERE h.id IN ({sql})", params)  # noqa: S608
        assert [row[0] for row in cursor.fetchall()] == [mine.pk]
    # another tenant's group id selects nothing
    sql, params = source.host_ids_sql(globex.pk, group.pk)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM telemetry_host h WHERE h.id IN ({sql})", params)  # noqa: S608
        assert cursor.fetchone()[0] == 0
