"""``manage.py replay_incident --json``: the 19 July 2024 replay (DESIGN section 7, target S1).

With the real stack (an ASGI web server, a Celery worker and beat, started here as subprocesses
unless ``--url`` / ``--external-workers`` say they already run, on the configured PostgreSQL and
Redis) and the real fleet simulator (``telemetry.simulator``, in this process, talking HTTP only),
a fleet of ``--hosts`` simulated sensors in ``--tenants`` tenants with default policies and default
rings settles on the known-good rapid-response content. Then the vendor publishes a content release
that crashes every Windows host that loads it, and moves it to the canary stage. The command
measures what the product did and prints one JSON object:

- ``exposed_hosts`` / ``exposed_fraction``: simulated hosts that ever loaded the bad release;
- ``seconds_first_crash_to_halt_served``: from the first crash report reaching the console
  (``CrashEvent.received_at``) to the moment the edge serves the known-good version to every probe
  host that had been offered the bad one (one per affected tenant, asked over HTTP like a sensor);
- ``recovered_hosts``: exposed hosts back on the known-good version, reporting, by the end;
- ``accelerate``: the simulator's time acceleration (1.0 = real time).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from telemetry.simulator import BadContent, FleetSimulator, SimHost, SimulatorConfig

CATEGORY = "rapid_response"
KNOWN_GOOD = "291.3"
BAD_RELEASE_NOTES = "Channel 291 replay: new named-pipe detections."
BASE_DIR = Path(settings.BASE_DIR)


class ReplaySimulator(FleetSimulator):
    """The fleet simulator, recording every host that ever loads the watched (bad) version."""

    def __init__(self, config: SimulatorConfig, out: Any) -> None:
        super().__init__(config, out=out)
        self.exposed: set[str] = set()
        self.watch: tuple[str, str] | None = None

    def content_loaded(self, host: SimHost, category: str, version: str) -> None:
        if (category, version) == self.watch:
            self.exposed.add(str(host.agent_id))


def _processes(
    port: int,
    env: dict[str, str],
    workdir: Path,
    external_workers: bool,
    web_workers: int = 1,
    worker_concurrency: int = 2,
) -> dict[str, subprocess.Popen[bytes]]:
    bin_dir = Path(sys.executable).parent
    commands = {
        "web": [str(bin_dir / "uvicorn"), "console.asgi:application", "--host", "127.0.0.1", "--port", str(port),
                "--lifespan", "off", "--ws", "websockets", "--log-level", "warning", "--workers", str(web_workers)],
    }  # fmt: skip
    if not external_workers:
        commands["worker"] = [str(bin_dir / "celery"), "-A", "console", "worker", "--loglevel", "WARNING",
                              "--concurrency", str(worker_concurrency), "--without-gossip", "--without-mingle"]  # fmt: skip
        # the control plane (fleet and gate ticks) on its own worker, as in production (settings.py)
        commands["control"] = [str(bin_dir / "celery"), "-A", "console", "worker", "--loglevel", "WARNING",
                               "--concurrency", "1", "--without-gossip", "--without-mingle",
                               "-Q", settings.CELERY_CONTROL_QUEUE, "--hostname", "control@%h"]  # fmt: skip
        commands["beat"] = [str(bin_dir / "celery"), "-A", "console", "beat", "--loglevel", "WARNING",
                            "--schedule", str(workdir / "celerybeat-schedule")]  # fmt: skip
    procs = {}
    for name, argv in commands.items():
        log = (workdir / f"{name}.log").open("wb")
        procs[name] = subprocess.Popen(
            argv, env=env, cwd=BASE_DIR, stdout=log, stderr=subprocess.STDOUT, preexec_fn=_die_with_parent
        )
    return procs


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM when this command dies, even by SIGKILL (a test timeout),
    so no web server or worker outlives it on the database (Linux; elsewhere a no-op)."""
    import contextlib
    import ctypes

    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _stop(procs: dict[str, subprocess.Popen[bytes]]) -> None:
    for proc in procs.values():
        if proc.poll() is None:
            proc.terminate()
    for proc in procs.values():
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


class Command(BaseCommand):
    help = "Replay the 19 July 2024 content-update incident against the real stack and print one JSON object."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--hosts", type=int, default=100_000)
        parser.add_argument("--tenants", type=int, default=20)
        parser.add_argument("--json", action="store_true", help="print only the JSON result on stdout")
        parser.add_argument("--accelerate", type=float, default=1.0, help="simulated seconds per real second")
        parser.add_argument(
            "--interval", type=float, default=10.0, help="heartbeat interval, simulated seconds"
        )
        parser.add_argument("--url", default="", help="a running console (default: start one here)")
        parser.add_argument("--port", type=int, default=0, help="port of the web server started here")
        parser.add_argument(
            "--web-workers", type=int, default=1, help="processes of the web server started here"
        )
        parser.add_argument(
            "--worker-concurrency", type=int, default=2, help="processes of the Celery worker started here"
        )
        parser.add_argument(
            "--external-workers",
            action="store_true",
            help="a Celery worker and beat already run on this DB/Redis",
        )
        parser.add_argument(
            "--settle-timeout", type=float, default=900.0, help="seconds to reach a steady fleet"
        )
        parser.add_argument("--observe", type=float, default=90.0, help="seconds to watch after the halt")
        parser.add_argument(
            "--seed",
            type=int,
            default=0,
            help="fleet seed (default: a new one per run, so agent ids never repeat)",
        )
        parser.add_argument(
            "--enrol-via-api",
            action="store_true",
            help="enrol every simulated host through the enrolment API (slow at 100k) instead of "
            "bulk-registering the fleet as already enrolled before the incident",
        )
        parser.add_argument("--poll-every", type=int, default=3, help="heartbeat intervals between polls")

    def log(self, message: str) -> None:
        self.stderr.write(f"[replay] {message}")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["hosts"] < options["tenants"] or options["tenants"] < 1:
            raise CommandError("--hosts must be at least --tenants, and --tenants at least 1")
        workdir = Path(tempfile.mkdtemp(prefix="replay-"))
        logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per probe request is too much
        options["seed"] = options["seed"] or int(time.time())
        tenants, pipeline_token, tokens = self.setup(options["tenants"])
        credentials = None
        if not options["enrol_via_api"]:
            credentials = workdir / "credentials.json"
            self.fleet_register(options["hosts"], tenants, options["seed"], credentials)
            # The fleet's desired state is on the edge before the first sensor polls (a sensor that
            # finds no edge at all backs off for several intervals).
            from rollout.desired import desired_state_publish_now

            for tenant in tenants:
                desired_state_publish_now(tenant.pk)
        port = options["port"] or _free_port()
        url = options["url"].rstrip("/") or f"http://127.0.0.1:{port}"
        env = dict(os.environ)
        env.setdefault("ROLLOUT_GATE_TICK_SECONDS", "2")
        # SIGTERM (a timeout, a CI cancel) must still stop the children started here.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
        procs = (
            {}
            if options["url"]
            else _processes(
                port,
                env,
                workdir,
                options["external_workers"],
                options["web_workers"],
                options["worker_concurrency"],
            )
        )
        if options["url"] and not options["external_workers"]:
            procs = {k: v for k, v in _processes(port, env, workdir, False).items() if k != "web"}
        try:
            result = self.run_replay(
                options, url, tenants, pipeline_token, tokens, procs, workdir, credentials
            )
        finally:
            _stop(procs)
        self.stdout.write(json.dumps(result, sort_keys=True))

    # ------------------------------------------------------------------------------------- setup

    def setup(self, count: int) -> tuple[list[Any], str, dict[str, str]]:
        """Replay tenants ``replay-01``... with default policies and rings (previous replay hosts and
        rollouts removed), the known-good release, and a telemetry pipeline client."""
        from console.access import Actor
        from console.models import ApiClient, ApiScope, Tenant
        from console.tokens import token_generate
        from rollout.models import ContentCategory, ContentRelease, ContentStage, Rollout
        from rollout.rollouts import rings_defaults_ensure
        from rollout.services import policy_defaults_ensure
        from rollout.validation import canonical_digest
        from rollout.vendor_stages import release_recall
        from telemetry.demo import demo_enrolment_token_ensure
        from telemetry.models import Host

        actor = Actor.system("replay_incident")
        with transaction.atomic():
            category, _ = ContentCategory.objects.get_or_create(
                key=CATEGORY, defaults={"name": "Rapid response content"}
            )
            instances = _instances(20)
            ContentRelease.objects.get_or_create(
                category=category,
                version=KNOWN_GOOD,
                defaults={
                    "instances": instances,
                    "digest": canonical_digest(instances),
                    "valid": True,
                    "stage": ContentStage.GA,
                    "early_access_at": timezone.now(),
                    "ga_at": timezone.now(),
                },
            )
            _template_ensure()
            tenants = []
            for n in range(1, count + 1):
                tenant, _ = Tenant.objects.get_or_create(
                    slug=f"replay-{n:02d}", defaults={"name": f"Replay tenant {n}"}
                )
                Host.objects.filter(tenant=tenant).delete()
                Rollout.objects.filter(tenant=tenant).delete()
                policy_defaults_ensure(tenant=tenant, actor=actor)
                rings_defaults_ensure(tenant=tenant, actor=actor)
                tenants.append(tenant)
            # A run that was stopped before its halt left its bad release in canary, where it would
            # start rollouts again in this run: recall it first.
            for stale in ContentRelease.objects.filter(
                category=category, notes__startswith=BAD_RELEASE_NOTES
            ).exclude(stage=ContentStage.RECALLED):
                release_recall(
                    release=stale, actor=actor, reason="An earlier replay run ended before its halt."
                )
            token, lookup, digest = token_generate()
            ApiClient.objects.create(
                tenant=None,
                name=f"replay pipeline {lookup}",
                prefix=lookup,
                token_hash=digest,
                scopes=[ApiScope.TELEMETRY],
            )
            tokens = {t.slug: demo_enrolment_token_ensure(t) for t in tenants}
        return tenants, token, tokens

    def fleet_register(self, hosts: int, tenants: list[Any], seed: int, path: Path) -> None:
        """The simulated fleet as already enrolled before the incident: the same hosts the simulator
        generates (same seed, same agent ids), registered in bulk with a credential each, and the
        credentials written where the simulated sensors keep them."""
        from rollout.distribution.credentials import edge_credential_cache
        from telemetry.credentials import HOST_PREFIX, credential_generate
        from telemetry.models import Host, HostStatus
        from telemetry.simulator import fleet_generate

        by_slug = {t.slug: t for t in tenants}
        fleet = fleet_generate(hosts, list(by_slug), seed)
        known: dict[str, str] = {}
        rows = []
        now = timezone.now()
        for sim_host in fleet:
            secret, lookup, digest = credential_generate(HOST_PREFIX)
            known[str(sim_host.agent_id)] = secret
            rows.append(
                Host(
                    id=sim_host.agent_id,
                    tenant=by_slug[sim_host.tenant],
                    hostname=sim_host.hostname,
                    platform=sim_host.platform,
                    os_version=sim_host.os_version,
                    tags=sim_host.tags,
                    site=sim_host.site,
                    sensor_build=sim_host.sensor_build,
                    content_versions=dict(sim_host.content),
                    status=HostStatus.OFFLINE,
                    enrolled_at=now,
                    credential_prefix=lookup,
                    credential_hash=digest,
                )
            )
        for start in range(0, len(rows), 5000):
            Host.objects.bulk_create(rows[start : start + 5000])
        # What each host's first poll after enrolling would have left in the edge's cache.
        for row in rows:
            edge_credential_cache(str(row.id), str(row.tenant_id), row.credential_hash)
        path.write_text(json.dumps(known))
        path.chmod(0o600)
        self.log(f"registered {len(rows)} enrolled hosts")

    # --------------------------------------------------------------------------------------- run

    def run_replay(
        self,
        options: dict[str, Any],
        url: str,
        tenants: list[Any],
        pipeline_token: str,
        tokens: dict[str, str],
        procs: dict[str, subprocess.Popen[bytes]],
        workdir: Path,
        credentials: Path | None,
    ) -> dict[str, Any]:
        from rollout.models import ContentRelease, TenantRevision

        config = SimulatorConfig(
            url=url,
            pipeline_token=pipeline_token,
            enrolment_tokens=tokens,
            hosts=options["hosts"],
            interval=options["interval"],
            accelerate=options["accelerate"],
            seed=options["seed"],
            poll_every=options["poll_every"],
            crash_report_chance=0.8,
            credentials_file=credentials,
        )
        sim = ReplaySimulator(config, out=_Sink(self.stderr))
        stop = threading.Event()
        loop_box: dict[str, Any] = {}

        def run_sim() -> None:
            loop = asyncio.new_event_loop()
            loop_box["loop"] = loop
            task = loop.create_task(sim.run())
            loop_box["task"] = task
            try:
                loop.run_until_complete(task)
            except asyncio.CancelledError:
                pass
            except Exception as exc:  # the director reports it
                loop_box["error"] = exc

        thread = threading.Thread(target=run_sim, daemon=True)
        tenant_ids = [t.pk for t in tenants]

        def check_procs() -> None:
            for name, proc in procs.items():
                if proc.poll() is not None:
                    raise CommandError(f"{name} exited; see {workdir / (name + '.log')}")
            if "error" in loop_box:
                raise CommandError(f"simulator failed: {loop_box['error']}")

        try:
            # 1. a steady fleet: every host enrolled and reporting, desired state published. Hosts
            # first poll spread over one poll period from the start (as they keep doing), so some
            # may not have asked yet: the ones in the canary ring learn of the release when they do.
            started = time.monotonic()
            _wait_web(url, check_procs, options["settle_timeout"])
            thread.start()
            sim_started = time.monotonic()
            self.log(f"settling {options['hosts']} hosts in {len(tenants)} tenants at {url}")
            while True:
                check_procs()
                enrolled = sum(1 for h in sim.fleet if h.credential)
                answered = sum(1 for h in sim.fleet if h.etag)
                revisions = list(
                    TenantRevision.objects.filter(tenant_id__in=tenant_ids).values_list(
                        "revision", "published_revision"
                    )
                )
                published = len(revisions) == len(tenants) and all(
                    p is not None and p >= r > 0 for r, p in revisions
                )
                if enrolled == len(sim.fleet) and published and sim.stats["sent"] >= len(sim.fleet):
                    break
                if time.monotonic() - started > options["settle_timeout"]:
                    raise CommandError(
                        f"the fleet did not settle: {enrolled} enrolled, {answered} have their desired "
                        f"state, published={published}, stats {sim.stats}"
                    )
                time.sleep(1.0)
            settle_seconds = time.monotonic() - started
            self.log(
                f"settled in {settle_seconds:.0f} s ({answered} hosts polled); the vendor publishes the bad release"
            )
            # 2. the vendor publishes content that crashes every Windows host that loads it
            release = self.publish_bad_release()
            sim.watch = (CATEGORY, release.version)
            # Marked bad before any host can have polled it (the simulator re-reads the marks every tick).
            sim.config.bad_content.append(BadContent(CATEGORY, release.version, frozenset({"windows"})))
            published_at = timezone.now()
            # 3. wait for the first crash report, then for the halt to be served to probe hosts
            first_crash = self.wait_first_crash(release.version, check_procs)
            probes = self.probes(sim, release.version, tenant_ids)
            served_at = self.wait_served(url, probes, release.version, check_procs)
            release.refresh_from_db()
            self.log(f"first crash report {first_crash:%H:%M:%S.%f}, halt served {served_at:%H:%M:%S.%f}")
            # 4. observe recovery
            deadline = time.monotonic() + options["observe"]
            while time.monotonic() < deadline:
                check_procs()
                if sim.exposed and all(self.recovered(sim, h) for h in sim.exposed):
                    break
                time.sleep(1.0)
            release = ContentRelease.objects.get(pk=release.pk)
            recovered = sum(1 for h in sim.exposed if self.recovered(sim, h))
            on_known_good = sum(
                1 for h in sim.fleet if h.content.get(CATEGORY) == KNOWN_GOOD and not h.loading
            )
            return {
                "hosts": len(sim.fleet),
                "tenants": len(tenants),
                "bad_release": release.version,
                "release_stage_at_end": release.stage,
                "exposed_hosts": len(sim.exposed),
                "exposed_fraction": round(len(sim.exposed) / len(sim.fleet), 5),
                "crashed_hosts": sim.stats["crashes"],
                "first_crash_report_at": first_crash.isoformat(),
                "halt_served_at": served_at.isoformat(),
                "seconds_publish_to_first_crash_report": round(
                    (first_crash - published_at).total_seconds(), 2
                ),
                "seconds_first_crash_to_halt_served": round((served_at - first_crash).total_seconds(), 2),
                "probe_hosts": len(probes),
                "recovered_hosts": recovered,
                "hosts_on_known_good_at_end": on_known_good,
                "accelerate": options["accelerate"],
                "time_acceleration_used": options["accelerate"] != 1.0,
                "heartbeat_interval_s": options["interval"] / options["accelerate"],
                "settle_seconds": round(settle_seconds, 1),
                "hosts_polled_before_release": answered,
                "poll_period_s": options["interval"] * options["poll_every"] / options["accelerate"],
                "web_workers": options["web_workers"],
                "worker_concurrency": options["worker_concurrency"],
                # what the console actually served, on average over the run (a loaded machine
                # serves less than the fleet asks for: polls then come late)
                "edge_polls_per_s": round(sim.stats["polls"] / (time.monotonic() - sim_started), 1),
                "heartbeats_per_s": round(sim.stats["sent"] / (time.monotonic() - sim_started), 1),
                "target_s1": {"max_exposed_fraction": 0.01, "max_seconds_to_halt": 10},
                "s1_met": len(sim.exposed) / len(sim.fleet) <= 0.01
                and (served_at - first_crash).total_seconds() <= 10,
            }
        finally:
            stop.set()
            loop = loop_box.get("loop")
            task = loop_box.get("task")
            if loop is not None and task is not None:
                loop.call_soon_threadsafe(task.cancel)
            if thread.ident is not None:
                thread.join(timeout=30)

    def publish_bad_release(self) -> Any:
        from console.access import Actor
        from rollout import services
        from rollout.models import ContentCategory, ContentRelease
        from rollout.rollouts import rollouts_start_for_release
        from rollout.targets import version_key
        from rollout.validation import canonical_digest

        category = ContentCategory.objects.get(key=CATEGORY)
        newest = max(
            ContentRelease.objects.filter(category=category).values_list("version", flat=True),
            key=version_key,
        )
        major, _, minor = newest.partition(".")
        version = f"{major}.{int(minor or 0) + 1}" if minor.isdigit() else f"{newest}.1"
        instances = _instances(20)  # passes validation: the fault is in the sensor's interpreter
        release = ContentRelease.objects.create(
            category=category,
            version=version,
            instances=instances,
            digest=canonical_digest(instances),
            valid=True,
            notes=BAD_RELEASE_NOTES,
        )
        vendor = Actor.system("vendor release pipeline (replay)")
        release = services.content_release_stage_set(actor=vendor, release=release, stage="canary")
        rollouts_start_for_release(release=release, actor=vendor)
        return release

    def wait_first_crash(self, version: str, check: Any, timeout: float = 600.0) -> datetime:
        from telemetry.models import CrashEvent

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            check()
            first = (
                CrashEvent.objects.filter(category=CATEGORY, content_version=version)
                .order_by("received_at")
                .values_list("received_at", flat=True)
                .first()
            )
            if first is not None:
                return first
            time.sleep(0.1)
        raise CommandError("no crash report arrived")

    def probes(self, sim: ReplaySimulator, version: str, tenant_ids: list[Any]) -> list[SimHost]:
        """One host per tenant that was offered the bad version (a canary host), to ask the edge."""
        from rollout.models import DesiredState, Rollout

        offered: dict[str, str] = {}
        for host_id, tenant_id in DesiredState.objects.filter(
            tenant_id__in=tenant_ids, **{f"content__{CATEGORY}": version}
        ).values_list("host_id", "tenant_id"):
            offered.setdefault(str(tenant_id), str(host_id))
        # Already stopped tenants have no such row any more: take their canary hosts from the rollout.
        if len(offered) < len(tenant_ids):
            for rollout in Rollout.objects.filter(tenant_id__in=tenant_ids, version=version):
                if str(rollout.tenant_id) not in offered:
                    exposed = [
                        h
                        for h in sim.fleet
                        if str(h.agent_id) in sim.exposed and h.tenant == rollout.tenant.slug
                    ]
                    if exposed:
                        offered[str(rollout.tenant_id)] = str(exposed[0].agent_id)
        return [sim.by_id[h] for h in offered.values() if h in sim.by_id]

    def wait_served(
        self, url: str, probes: list[SimHost], version: str, check: Any, timeout: float = 300.0
    ) -> datetime:
        """The moment the edge serves a version other than ``version`` to every probe host."""
        pending = {str(h.agent_id): h for h in probes}
        deadline = time.monotonic() + timeout
        with httpx.Client(base_url=url, timeout=5.0) as client:
            while pending and time.monotonic() < deadline:
                check()
                for host_id, host in list(pending.items()):
                    try:
                        response = client.get(
                            "/edge/v1/desired-state",
                            headers={"Authorization": f"Host {host.agent_id}:{host.credential}"},
                        )
                    except httpx.HTTPError:
                        continue
                    if response.status_code == 200:
                        served = (response.json().get("content") or {}).get(CATEGORY)
                        if served and served != version:
                            del pending[host_id]
                if pending:
                    time.sleep(0.1)
        if pending:
            raise CommandError(f"{len(pending)} probe hosts were still offered {version}")
        return timezone.now()

    @staticmethod
    def recovered(sim: ReplaySimulator, host_id: str) -> bool:
        host = sim.by_id[host_id]
        return (
            not host.loading
            and host.content.get(CATEGORY) == KNOWN_GOOD
            and host.state in ("online", "recovering")
        )


class _Sink:
    """Simulator progress lines go to stderr (stdout carries only the JSON)."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        if text.strip():
            self.stream.write(text.rstrip("\n"))
        return len(text)

    def flush(self) -> None:
        return None


def _wait_web(url: str, check: Any, timeout: float) -> None:
    """Until the web server answers: sensors that start before it only back off."""
    deadline = time.monotonic() + timeout
    with httpx.Client(base_url=url, timeout=2.0) as client:
        while time.monotonic() < deadline:
            check()
            try:
                if client.get("/healthz").status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
    raise CommandError(f"the web server at {url} did not answer within {timeout:.0f} s")


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _instances(fields: int) -> list[dict[str, Any]]:
    return [
        {
            "id": f"ch291-{i:04d}",
            "template_type": "NamedPipe",
            "fields": [f"\\\\.\\pipe\\rule{i}-{f}" for f in range(fields - 1)] + [i],
        }
        for i in range(3)
    ]


def _template_ensure() -> None:
    from rollout.models import TemplateType

    TemplateType.objects.get_or_create(
        name="NamedPipe", defaults={"field_types": ["str"] * 19 + ["int"], "min_sensor_build": "7.08.17706"}
    )
