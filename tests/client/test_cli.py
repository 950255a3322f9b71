"""``console-cli`` run as a subprocess, as a pipeline runs it, against the real ASGI server: what it
prints, what it changes and the exit code a script branches on (0 done, 1 refused, 2 usage,
3 cannot reach)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from rollout.models.controls import Pause
from tests.client.conftest import Automation
from tests.conftest import free_port
from tests.factories import HostFactory

CLI = str(Path(sys.executable).parent / "console-cli")


def cli(*args: str, url: str, token: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONSOLE_")}
    env["CONSOLE_URL"] = url
    if token is not None:
        env["CONSOLE_TOKEN"] = token
    return subprocess.run([CLI, *args], env=env, capture_output=True, text=True, timeout=60)


def test_it_pauses_the_tenant_then_resumes_it(asgi_server: str, automation: Automation) -> None:
    # given acme's pipeline with its token in the environment
    run = {"url": asgi_server, "token": automation.token}
    # when it pauses every update of the tenant
    paused = cli("pause", "--scope", "tenant", "--reason", "quarter close", "--json", **run)
    # then the command succeeds and prints the pause, which is in force
    assert paused.returncode == 0, paused.stderr
    pause_id = json.loads(paused.stdout)["object"]["id"]
    pause = Pause.objects.get(pk=pause_id)
    assert pause.tenant == automation.tenant and pause.resumed_at is None
    listed = cli("pauses", "list", "--active", "--json", **run)
    assert listed.returncode == 0, listed.stderr
    assert [p["id"] for p in json.loads(listed.stdout)] == [pause_id]
    # when it resumes that pause
    resumed = cli("resume", pause_id, **run)
    # then the pause is over
    assert resumed.returncode == 0, resumed.stderr
    assert f"resumed: {pause_id}" in resumed.stdout
    pause.refresh_from_db()
    assert pause.resumed_at is not None


def test_it_retries_a_pause_with_the_same_idempotency_key_without_pausing_twice(
    asgi_server: str, automation: Automation
) -> None:
    # given a pause sent with a key the pipeline chose
    run = {"url": asgi_server, "token": automation.token}
    args = (
        "pause",
        "--scope",
        "tenant",
        "--reason",
        "incident 42",
        "--idempotency-key",
        "incident-42",
        "--json",
    )
    first = cli(*args, **run)
    assert first.returncode == 0, first.stderr
    # when the pipeline retries the step (it timed out on its side)
    again = cli(*args, **run)
    # then it gets the first answer again, and there is one pause
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["object"]["id"] == json.loads(first.stdout)["object"]["id"]
    assert Pause.objects.filter(tenant=automation.tenant).count() == 1


def test_it_lists_every_host_across_pages_as_json_and_as_a_table(
    asgi_server: str, automation: Automation
) -> None:
    # given five hosts of acme and one of another tenant
    hosts = HostFactory.create_batch(5, tenant=automation.tenant, platform="linux")
    other = HostFactory(hostname="globex-only")
    assert other.tenant != automation.tenant
    run = {"url": asgi_server, "token": automation.token}
    # when the pipeline lists hosts two per page
    listed = cli("hosts", "list", "--page-size", "2", "--json", **run)
    # then the JSON parses and holds all five of acme's hosts (three pages followed), no other
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert sorted(r["hostname"] for r in rows) == sorted(h.hostname for h in hosts)
    assert {r["platform"] for r in rows} == {"linux"}
    # when a person lists them, filtered, at most three
    table = cli("hosts", "list", "--platform", "linux", "--limit", "3", **run)
    # then they get a table with a header and three rows
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0].split()[:4] == ["ID", "HOSTNAME", "PLATFORM", "STATUS"]
    assert len(lines) == 4


def test_it_exits_1_with_the_problems_title_when_the_api_refuses(
    asgi_server: str, automation: Automation
) -> None:
    # given a pause that was already resumed
    run = {"url": asgi_server, "token": automation.token}
    paused = cli("pause", "--scope", "tenant", "--reason", "drill", "--json", **run)
    pause_id = json.loads(paused.stdout)["object"]["id"]
    assert cli("resume", pause_id, **run).returncode == 0
    # when the pipeline resumes it again
    refused = cli("resume", pause_id, **run)
    # then the command exits 1 and says why, in the problem's words
    assert refused.returncode == 1
    assert "Conflict" in refused.stderr and "already resumed" in refused.stderr
    assert refused.stdout == ""


def test_it_exits_1_on_a_bad_token(asgi_server: str, automation: Automation) -> None:
    # given a token the console never issued
    # when the pipeline lists hosts with it
    refused = cli("hosts", "list", "--json", url=asgi_server, token="uc_not-a-real-token")
    # then the command exits 1 with the console's 401 problem
    assert refused.returncode == 1, refused.stdout
    assert "refused (401)" in refused.stderr


def test_it_exits_3_when_the_console_cannot_be_reached() -> None:
    # given an address nothing listens on
    url = f"http://127.0.0.1:{free_port()}"
    # when the pipeline lists rollouts there
    unreachable = cli("rollouts", "list", url=url, token="uc_any")
    # then the command exits 3 and names the address
    assert unreachable.returncode == 3
    assert f"cannot reach {url}" in unreachable.stderr


def test_it_exits_2_on_a_usage_mistake() -> None:
    # given no token in the environment
    # when the pipeline runs a command
    missing = cli("hosts", "list", url="http://127.0.0.1:9", token=None)
    # then the command exits 2 and says what is missing, before any request
    assert missing.returncode == 2
    assert "CONSOLE_TOKEN is not set" in missing.stderr
    # and an id that is not a UUID is a usage error too
    assert cli("resume", "not-an-id", url="http://127.0.0.1:9", token="x").returncode == 2


def test_it_plans_then_applies_a_policy_file_and_the_audit_export_shows_it(
    asgi_server: str, automation: Automation, tmp_path: Path
) -> None:
    # given acme's policy document as exported (through the generated client), with a lab group added
    from console_client import AuthenticatedClient
    from console_client.api.policy_as_code import policy_export_retrieve
    from console_client.models import PolicyDocumentOut, PolicyExportRetrieveFormat

    from rollout.models import HostGroup

    HostFactory.create_batch(2, tenant=automation.tenant, tags=["lab"])
    client = AuthenticatedClient(base_url=asgi_server, token=automation.token)
    exported = policy_export_retrieve.sync_detailed(client=client, format_=PolicyExportRetrieveFormat.JSON)
    assert isinstance(exported.parsed, PolicyDocumentOut), exported.content
    document = exported.parsed.to_dict()
    document["groups"].append({"name": "lab", "description": "", "rule": "tag:lab", "static_members": []})
    policy_file = tmp_path / "policy.json"
    policy_file.write_text(json.dumps(document))
    run = {"url": asgi_server, "token": automation.token}
    # when the pipeline plans it
    plan = cli("plan", str(policy_file), **run)
    # then it sees the group to be created, and nothing is changed yet
    assert plan.returncode == 0, plan.stderr
    assert any(line.split()[:3] == ["create", "group", "lab"] for line in plan.stdout.splitlines()), (
        plan.stdout
    )
    assert "nothing was changed" in plan.stdout
    assert not HostGroup.objects.filter(tenant=automation.tenant, name="lab").exists()
    fingerprint = next(
        line.split()[1] for line in plan.stdout.splitlines() if line.startswith("fingerprint:")
    )
    # when someone else changes a policy after that plan, an apply bound to it is refused
    from tests.factories import host_group

    host_group(automation.tenant, "late", "tag:late")
    stale = cli("apply", str(policy_file), "--plan-fingerprint", fingerprint, **run)
    assert stale.returncode == 1 and "409" in stale.stderr, stale.stderr
    assert not HostGroup.objects.filter(tenant=automation.tenant, name="lab").exists()
    HostGroup.objects.filter(tenant=automation.tenant, name="late").delete()
    # when it applies it
    applied = cli("apply", str(policy_file), "--json", **run)
    # then the group exists
    assert applied.returncode == 0, applied.stderr
    assert json.loads(applied.stdout)["dry_run"] is False
    assert HostGroup.objects.filter(tenant=automation.tenant, name="lab").exists()
    # and the audit export (JSON and CSV) shows who created it
    events = cli("audit", "export", "--action", "host_group.", "--json", **run)
    assert events.returncode == 0, events.stderr
    created = [e for e in json.loads(events.stdout) if e["target_label"] == "lab"]
    assert [e["actor_label"] for e in created] == ["api:pipeline"], events.stdout
    as_csv = cli("audit", "export", "--action", "host_group.", "--csv", **run)
    assert as_csv.returncode == 0, as_csv.stderr
    assert "lab" in as_csv.stdout and len(as_csv.stdout.splitlines()) >= 2


def test_it_names_the_bad_field_when_a_policy_file_is_refused(
    asgi_server: str, automation: Automation, tmp_path: Path
) -> None:
    # given a policy document with a misspelt key
    policy_file = tmp_path / "policy.yaml"
    policy_file.write_text("version: 1\ngroups: []\nupdte_blocks: []\n")
    # when the pipeline applies it
    refused = cli("apply", str(policy_file), url=asgi_server, token=automation.token)
    # then it exits 1, naming the problem and the path in the document
    assert refused.returncode == 1
    assert "refused (400)" in refused.stderr and "updte_blocks" in refused.stderr, refused.stderr


def test_it_exits_1_when_promoting_a_rollout_that_is_not_the_tenants(
    asgi_server: str, automation: Automation
) -> None:
    # given an id that is no rollout of acme's
    missing = "00000000-0000-4000-8000-000000000000"
    # when the pipeline promotes and halts it
    run = {"url": asgi_server, "token": automation.token}
    promote = cli("rollouts", "promote", missing, **run)
    halt = cli("rollouts", "halt", missing, "--reason", "crashes", **run)
    # then both are refused as not found, and the list is empty
    assert (promote.returncode, halt.returncode) == (1, 1)
    assert "refused (404)" in promote.stderr and "Not found" in halt.stderr
    listed = cli("rollouts", "list", "--json", **run)
    assert (listed.returncode, json.loads(listed.stdout)) == (0, [])
