"""``manage.py simulate_fleet``: simulated sensors against a running console (see telemetry.simulator)."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from telemetry.simulator import BAD_CONTENT_KEY, FleetSimulator, SimulatorConfig, bad_content_parse

DEMO_TENANTS = ("acme", "globex")


class Command(BaseCommand):
    help = (
        "Simulate N sensors over T tenants: enrol through the API, poll /edge/v1/desired-state, apply "
        "updates, crash on content marked bad, send batched heartbeats. "
        f"Mark content bad with --bad-content or at run time: SADD {BAD_CONTENT_KEY} rapid_response:291.4@windows"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--hosts", type=int, default=200, help="number of hosts (default 200)")
        parser.add_argument(
            "--tenants", type=int, default=2, help="tenants: acme, globex, then sim-03... (default 2)"
        )
        parser.add_argument("--url", default="http://127.0.0.1:8000", help="the console's base URL")
        parser.add_argument(
            "--interval", type=float, default=10.0, help="heartbeat interval, simulated seconds"
        )
        parser.add_argument("--accelerate", type=float, default=1.0, help="simulated seconds per real second")
        parser.add_argument("--seed", type=int, default=42, help="random seed (same seed, same fleet)")
        parser.add_argument(
            "--bad-content",
            action="append",
            default=[],
            metavar="CATEGORY:VERSION[@PLATFORM,...]",
            help="content that crashes hosts of those platforms, e.g. rapid_response:291.4@windows",
        )
        parser.add_argument(
            "--offer",
            action="append",
            default=[],
            metavar="CATEGORY:VERSION",
            help="apply this content version as if the distribution backend offered it (demos without an edge)",
        )
        parser.add_argument(
            "--poll-every", type=int, default=3, help="heartbeat intervals between desired-state polls"
        )
        parser.add_argument(
            "--credentials-file",
            default=None,
            help="where simulated hosts keep their credentials across runs "
            "(default var/simulate_fleet/credentials-<seed>.json; '' to keep none)",
        )
        parser.add_argument(
            "--duration",
            type=float,
            default=0.0,
            help="stop this many real seconds after every host is enrolled (0: run on)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if (
            options["hosts"] < 1
            or options["tenants"] < 1
            or options["interval"] <= 0
            or options["accelerate"] <= 0
        ):
            raise CommandError("--hosts, --tenants, --interval and --accelerate must be positive")
        try:
            bad = [bad_content_parse(spec) for spec in options["bad_content"]]
            offer = {}
            for spec in options["offer"]:
                category, sep, version = spec.partition(":")
                if not sep or not category or not version:
                    raise ValueError(f"offer {spec!r}: use <category>:<version>")
                offer[category] = version
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        config = SimulatorConfig(
            url=options["url"].rstrip("/"),
            pipeline_token=_pipeline_token(),
            enrolment_tokens=_enrolment_tokens(options["tenants"]),
            hosts=options["hosts"],
            interval=options["interval"],
            accelerate=options["accelerate"],
            seed=options["seed"],
            bad_content=bad,
            offer=offer,
            poll_every=max(1, options["poll_every"]),
            duration=options["duration"],
            bad_content_source=_bad_content_from_redis,
            credentials_file=_credentials_file(options["credentials_file"], options["seed"]),
        )
        logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request is too much
        simulator = FleetSimulator(config, out=self.stdout)  # type: ignore[arg-type]
        try:
            stats = asyncio.run(simulator.run())
        except KeyboardInterrupt:
            return
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"simulate_fleet done: {stats}")


def _pipeline_token() -> str:
    from console.demo import demo_token
    from console.models import ApiClient

    token, lookup = demo_token("vendor-telemetry-pipeline")
    if not ApiClient.objects.filter(prefix=lookup, revoked_at__isnull=True).exists():
        raise CommandError(
            "The vendor telemetry pipeline client is missing: run `manage.py seed_demo` first."
        )
    return token


def _enrolment_tokens(count: int) -> dict[str, str]:
    """The demo enrolment token of each simulated tenant (acme, globex, then sim-03...)."""
    from console.access import Actor
    from console.models import Tenant
    from console.tenancy import tenant_ensure
    from telemetry.demo import demo_enrolment_token_ensure

    tokens: dict[str, str] = {}
    for n in range(count):
        slug = DEMO_TENANTS[n] if n < len(DEMO_TENANTS) else f"sim-{n + 1:02d}"
        if slug in DEMO_TENANTS:
            tenant = Tenant.objects.filter(slug=slug).first()
            if tenant is None:
                raise CommandError(f"Tenant {slug} is missing: run `manage.py seed_demo` first.")
        else:
            tenant, _ = tenant_ensure(
                slug=slug,
                name=f"Simulated tenant {n + 1}",
                timezone="UTC",
                actor=Actor.system("simulate_fleet"),
            )
        tokens[slug] = demo_enrolment_token_ensure(tenant)
    return tokens


def _bad_content_from_redis() -> list[str]:
    from console.redis import redis_client

    try:
        members = redis_client().smembers(BAD_CONTENT_KEY)
    except Exception:  # Redis down: keep simulating with the CLI marks only
        return []
    return sorted(m.decode() if isinstance(m, bytes) else str(m) for m in members)


def _credentials_file(option: str | None, seed: int) -> Path | None:
    if option == "":
        return None
    if option:
        return Path(option)
    return Path(settings.VAR_DIR) / "simulate_fleet" / f"credentials-{seed}.json"
