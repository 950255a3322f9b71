"""The ``console-cli`` command: what automation does most, on the generated client.

``CONSOLE_URL`` (the console's address) and ``CONSOLE_TOKEN`` (an API client's token) come from
the environment, never from the command line, where they would land in shell history and ``ps``.
Every POST carries an ``Idempotency-Key`` (a new UUID, or ``--idempotency-key`` so a pipeline that
retries a step after a timeout gets the first answer again instead of a second pause). Lists follow
the cursor to the end (or ``--limit``). ``--json`` prints the API's objects as JSON for pipelines;
otherwise a table for people.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import uuid
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit

import httpx
from console_client import AuthenticatedClient
from console_client.api.audit import audit_events_export_csv_retrieve, audit_events_export_json_list
from console_client.api.hosts import hosts_list
from console_client.api.pauses import pauses_create, pauses_resume_create, pauses_retrieve
from console_client.api.policy_as_code import policy_import_create
from console_client.api.rollouts import rollouts_halt_create, rollouts_list, rollouts_promote_create
from console_client.models import ImportInRequest, PauseInRequest, Problem, ReasonInRequest
from console_client.types import UNSET, Response, Unset

EXIT_OK = 0
EXIT_REFUSED = 1
EXIT_USAGE = 2
EXIT_UNREACHABLE = 3

PAGE_SIZE = 500
T = TypeVar("T")

EPILOG = """\
environment:
  CONSOLE_URL    the console's address, e.g. https://console.example.com
  CONSOLE_TOKEN  an API client's token (Settings > API clients)

exit codes:
  0  done
  1  the API refused (its problem's title and detail are printed on stderr)
  2  usage: a bad argument, or CONSOLE_URL / CONSOLE_TOKEN missing
  3  the console could not be reached (connection refused, DNS, TLS, timeout)
"""


class UsageError(Exception):
    """A mistake in how the command was called (exit 2)."""


class Refused(Exception):
    """The API answered with an error (exit 1)."""

    def __init__(self, status: int, title: str, detail: str, errors: dict[str, Any] | None = None) -> None:
        super().__init__(f"{title}: {detail}")
        self.status = status
        self.title = title
        self.detail = detail
        self.errors = errors or {}


def answer(response: Response[T | Problem]) -> T:
    """The typed body of a successful answer; a problem (or any other error answer) raises Refused."""
    parsed = response.parsed
    status = int(response.status_code)
    if isinstance(parsed, Problem):
        errors = {} if isinstance(parsed.errors, Unset) else parsed.errors.to_dict()
        raise Refused(status, parsed.title, parsed.detail, errors)
    if parsed is None or status >= 400:
        body = response.content.decode("utf-8", errors="replace").strip()[:300]
        raise Refused(status, f"HTTP {status}", body or "no body")
    return parsed


def cursor_of(next_url: str) -> str | None:
    values = parse_qs(urlsplit(next_url).query).get("cursor")
    return values[0] if values else None


def follow(fetch: Callable[[str | Unset], Response[Any]], limit: int | None) -> Iterator[Any]:
    """Every item of a cursor-paginated list, page after page (at most ``limit``)."""
    cursor: str | Unset = UNSET
    seen = 0
    while True:
        page = answer(fetch(cursor))
        for item in page.results:
            if limit is not None and seen >= limit:
                return
            seen += 1
            yield item
        next_cursor = cursor_of(page.next_) if page.next_ else None
        if not next_cursor:
            return
        cursor = next_cursor


def cell(value: Any) -> str:
    if value is None or isinstance(value, Unset):
        return "-"
    if isinstance(value, list):
        return ",".join(cell(v) for v in value) or "-"
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    if hasattr(value, "value"):  # the generated enums
        return str(value.value)
    return str(value)


def print_table(rows: Sequence[Any], columns: Sequence[tuple[str, str]]) -> None:
    table = [[header for header, _ in columns]]
    table += [[cell(getattr(row, attr, None)) for _, attr in columns] for row in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(columns))]
    for line in table:
        print("  ".join(text.ljust(width) for text, width in zip(line, widths, strict=True)).rstrip())


def print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, sort_keys=True, default=str))


def connect(args: argparse.Namespace) -> AuthenticatedClient:
    url = os.environ.get("CONSOLE_URL", "").strip().rstrip("/")
    token = os.environ.get("CONSOLE_TOKEN", "").strip()
    if not url:
        raise UsageError("CONSOLE_URL is not set (the console's address, e.g. https://console.example.com)")
    if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
        raise UsageError(f"CONSOLE_URL must be an http(s) address, not {url!r}")
    if not token:
        raise UsageError("CONSOLE_TOKEN is not set (an API client's token)")
    headers = {"User-Agent": "console-cli/0.1"}
    if args.posts:
        headers["Idempotency-Key"] = args.idempotency_key or str(uuid.uuid4())
    return AuthenticatedClient(
        base_url=url, token=token, headers=headers, timeout=httpx.Timeout(args.timeout)
    )


# --- commands ---------------------------------------------------------------------------------


def read_document(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from exc


def policy_import(args: argparse.Namespace, client: AuthenticatedClient, *, dry_run: bool) -> None:
    fingerprint = getattr(args, "plan_fingerprint", None)
    body = ImportInRequest(document=read_document(args.file), plan_fingerprint=fingerprint or UNSET)
    plan = answer(policy_import_create.sync_detailed(client=client, body=body, dry_run=dry_run))
    if args.json:
        print_json(plan.to_dict())
        return
    print_table(plan.actions, [("ACTION", "action"), ("KIND", "kind"), ("NAME", "name")])
    if plan.blast_radius is not None:
        print(f"blast radius: {plan.blast_radius.summary}")
    if dry_run:
        print("plan only: nothing was changed")
        print(
            f"fingerprint: {plan.fingerprint} (apply --plan-fingerprint {plan.fingerprint} applies this plan only)"
        )
    else:
        print("applied")


def cmd_plan(args: argparse.Namespace, client: AuthenticatedClient) -> None:
    policy_import(args, client, dry_run=True)


def cmd_apply(args: argparse.Namespace, client: AuthenticatedClient) -> None:
    policy_import(args, client, dry_run=False)


def cmd_pause(args: argparse.Namespace, client: AuthenticatedClient) -> None:
    body = PauseInRequest(
        scope=args.scope,
        reason=args.reason,
        group=args.group,
        category=args.category,
        expires_at=args.expires_at,
    )
    outcome = answer(pauses_create.sync_detailed(client=client, body=body, dry_run=args.dry_run or UNSET))
    if args.json:
        print_json(outcome.to_dict())
    elif isinstance(outcome.object_, Unset):
        print(f"dry run: {outcome.blast_radius.summary}")
    else:
        print(f"paused: {outcome.object_.id} ({outcome.blast_radius.summary})")


def cmd_resume(args: argparse.Namespace, client: AuthenticatedClient) -> None:
    outcome = answer(pauses_resume_create.sync_detailed(args.pause_id, client=client))
    if args.json:
        print_json(outcome.to_dict())
    else:
        print(f"resumed: {args.pause_id}")


def cmd_pauses_list(args: argparse.Namespace, client: AuthenticatedClient) -> None:
    items = list(
        follow(
            lambda cursor: pauses_retrieve.sync_detailed(
                client=client, cursor=cursor, page_size=args.page_size
            ),
            args.limit,
        )
    )
    if args.active:
        items = [item for item in items if item.active]
    if args.json:
        print_json([item.to_dict() for item in items])
    else:
        columns = [("ID", "id"), ("SCOPE", "scope"), ("ACTIVE", "active"), ("REASON", "reason")]
        print_table(items, [*columns, ("CREATED", "created_at"), ("BY", "created_by")])


def cmd_hosts_list(args: argparse.Namespace, client: AuthenticatedClient) -> None:
    filters: dict[str, Any] = {
        name: value
        for name, value in {
            "platform": args.platform,
            "status": args.status,
            "group": args.group,
            "tag": args.tag,
            "site": args.site,
            "q": args.q,
            "sensor_build": args.sensor_build,
            "content": args.content,
        }.items()
        if value is not None
    }
    items = follow(
        lambda cursor: hosts_list.sync_detailed(
            client=client, cursor=cursor, page_size=args.page_size, **filters
        ),
        args.limit,
    )
    if args.json:
        print_json([item.to_dict() for item in items])
    else:
        columns = [("ID", "id"), ("HOSTNAME", "hostname"), ("PLATFORM", "platform"), ("STATUS", "status")]
        print_table(list(items), [*columns, ("SENSOR", "sensor_build"), ("LAST SEEN", "last_seen_at")])


def cmd_rollouts_list(args: argparse.Namespace, client: AuthenticatedClient) -> None:
    items = follow(
        lambda cursor: rollouts_list.sync_detailed(client=client, cursor=cursor, page_size=args.page_size),
        args.limit,
    )
    if args.json:
        print_json([item.to_dict() for item in items])
    else:
        columns = [("ID", "id"), ("SUBJECT", "subject"), ("VERSION", "version"), ("STATE", "state")]
        print_table(list(items), [*columns, ("RING", "ring_index"), ("HALTED BECAUSE", "halted_reason")])


def cmd_rollouts_halt(args: argparse.Namespace, client: AuthenticatedClient) -> None:
    body = ReasonInRequest(reason=args.reason)
    rollout = answer(rollouts_halt_create.sync_detailed(args.rollout_id, client=client, body=body))
    if args.json:
        print_json(rollout.to_dict())
    else:
        print(f"halted: {rollout.id} ({rollout.subject} {rollout.version}, ring {rollout.ring_index})")


def cmd_rollouts_promote(args: argparse.Namespace, client: AuthenticatedClient) -> None:
    rollout = answer(rollouts_promote_create.sync_detailed(args.rollout_id, client=client))
    if args.json:
        print_json(rollout.to_dict())
    elif rollout.approval_requested:
        print(
            f"approval requested: {rollout.id} is past a failing gate; a second person's promote carries it out"
        )
    else:
        print(
            f"promoted: {rollout.id} ({rollout.subject} {rollout.version}) now in ring {rollout.ring_index}"
        )


def cmd_audit_export(args: argparse.Namespace, client: AuthenticatedClient) -> None:
    filters: dict[str, Any] = {
        name: value
        for name, value in {
            "action": args.action,
            "actor": args.actor,
            "target": args.target,
            "grant": args.grant,
            "since": args.since,
            "until": args.until,
        }.items()
        if value is not None
    }
    if args.csv:
        sys.stdout.write(answer(audit_events_export_csv_retrieve.sync_detailed(client=client, **filters)))
        return
    events = answer(audit_events_export_json_list.sync_detailed(client=client, **filters))
    if args.json:
        print_json([event.to_dict() for event in events])
    else:
        columns = [("SEQ", "seq"), ("WHEN", "created_at"), ("ACTOR", "actor_label"), ("ACTION", "action")]
        print_table(events, [*columns, ("TARGET", "target_label")])


# --- arguments --------------------------------------------------------------------------------


def timestamp(text: str) -> dt.datetime:
    """An ISO 8601 time with its offset: a naive time would be read in some server's zone."""
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 time: {text!r}") from exc
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError(f"give the time with its offset (e.g. {text}Z or {text}+00:00)")
    return value


def positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--json", action="store_true", help="print JSON (the API's objects) instead of a table"
    )
    common.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for the console (30)")
    posting = argparse.ArgumentParser(add_help=False, parents=[common])
    posting.add_argument(
        "--idempotency-key",
        help="reuse a key to retry safely: the console answers the first result again (default: a new UUID)",
    )
    listing = argparse.ArgumentParser(add_help=False, parents=[common])
    listing.add_argument("--limit", type=positive, help="stop after this many (default: all pages)")
    listing.add_argument("--page-size", type=positive, default=PAGE_SIZE, help=f"per request ({PAGE_SIZE})")

    parser = argparse.ArgumentParser(
        prog="console-cli",
        description="The update-control console's API for scripts and pipelines.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def leaf(
        group: Any, name: str, handler: Callable[..., None], help_text: str, parent: argparse.ArgumentParser
    ) -> argparse.ArgumentParser:
        sub: argparse.ArgumentParser = group.add_parser(name, help=help_text, parents=[parent])
        sub.set_defaults(handler=handler, posts=parent is posting)
        return sub

    for name, handler, text in (
        ("plan", cmd_plan, "preview a policy document: what would change, and the blast radius"),
        ("apply", cmd_apply, "apply a policy document"),
    ):
        sub = leaf(commands, name, handler, text, posting)
        sub.add_argument("file", help="the policy document (YAML or JSON, as exported); - for stdin")
        if name == "apply":
            sub.add_argument(
                "--plan-fingerprint",
                help="the fingerprint `plan` printed: refuse (exit 1, naming what changed) if the "
                "console's state moved since that plan",
            )

    pause = leaf(commands, "pause", cmd_pause, "pause updates now", posting)
    pause.add_argument("--scope", required=True, choices=["tenant", "group", "category", "sensor"])
    pause.add_argument("--reason", required=True)
    pause.add_argument("--group", help="the host group (scope group)")
    pause.add_argument("--category", help="the content category (scope category)")
    pause.add_argument(
        "--expires-at", type=timestamp, help="ISO 8601 time with offset; default: until resumed"
    )
    pause.add_argument("--dry-run", action="store_true", help="show the blast radius only")

    resume = leaf(commands, "resume", cmd_resume, "resume a pause", posting)
    resume.add_argument("pause_id", type=uuid.UUID)

    pauses = commands.add_parser("pauses", help="pauses").add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    pauses_list = leaf(pauses, "list", cmd_pauses_list, "list pauses (newest first)", listing)
    pauses_list.add_argument("--active", action="store_true", help="only pauses in force")

    hosts = commands.add_parser("hosts", help="hosts").add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    host_list = leaf(hosts, "list", cmd_hosts_list, "list hosts (filters as in the console)", listing)
    for flag in ("platform", "status", "tag", "site", "q", "sensor-build", "content"):
        host_list.add_argument(f"--{flag}")
    host_list.add_argument("--group", type=uuid.UUID, help="a host group's id")

    rollouts = commands.add_parser("rollouts", help="rollouts").add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    leaf(rollouts, "list", cmd_rollouts_list, "list rollouts", listing)
    halt = leaf(rollouts, "halt", cmd_rollouts_halt, "halt a rollout", posting)
    halt.add_argument("rollout_id", type=uuid.UUID)
    halt.add_argument("--reason", required=True)
    promote = leaf(rollouts, "promote", cmd_rollouts_promote, "promote a rollout to its next ring", posting)
    promote.add_argument("rollout_id", type=uuid.UUID)

    audit = commands.add_parser("audit", help="the audit log").add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    export = leaf(audit, "export", cmd_audit_export, "export the audit log (filtered)", common)
    export.add_argument("--csv", action="store_true", help="the console's CSV export, as is")
    export.add_argument("--action", help="exact action, or a prefix ending in '.'")
    export.add_argument("--actor")
    export.add_argument("--target")
    export.add_argument("--grant", type=uuid.UUID)
    export.add_argument("--since", type=timestamp)
    export.add_argument("--until", type=timestamp)
    return parser


def run(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)  # exits 2 on a usage error
    try:
        with connect(args) as client:
            args.handler(args, client)
    except UsageError as exc:
        print(f"console-cli: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except Refused as exc:
        print(f"console-cli: refused ({exc.status}): {exc.title}: {exc.detail}", file=sys.stderr)
        for field, messages in exc.errors.items():
            print(f"  {field}: {' '.join(str(m) for m in messages)}", file=sys.stderr)
        return EXIT_REFUSED
    except httpx.TransportError as exc:
        url = os.environ.get("CONSOLE_URL", "")
        print(f"console-cli: cannot reach {url}: {exc or type(exc).__name__}", file=sys.stderr)
        return EXIT_UNREACHABLE
    except ValueError as exc:  # an answer that is not the JSON the schema promises
        print(f"console-cli: unreadable answer from the console: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    return EXIT_OK


def main() -> None:
    sys.exit(run())
