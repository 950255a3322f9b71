"""The replay run itself (fields of its result: ``rollout/management/commands/replay_incident.py``):
the stack started, the fleet settled on the known-good release, the bad release published, the
first crash report and the served halt timed, recovery observed, and the measurements returned."""

from __future__ import annotations

import asyncio
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
from django.core.management.base import CommandError, OutputWrapper
from django.utils import timezone

from console.models import Tenant
from rollout.desired.publish import desired_state_publish_now
from rollout.models import ContentRelease, DesiredState, Rollout, RolloutState, TenantRevision
from rollout.replay.stack import Sink, free_port, processes_start, processes_stop, web_wait
from rollout.replay.timeline import hold_served_seconds, stops_timeline
from rollout.replay.world import (
    CATEGORY,
    GOOD_RELEASE_NOTES,
    KNOWN_GOOD,
    bad_release_publish,
    fleet_register,
    release_promote,
    replay_setup,
    rings_soak_set,
)
from telemetry.models import CrashEvent
from telemetry.simulator import BadContent, FleetSimulator, SimHost, SimulatorConfig

RECOVERY_WINDOW_S = 300  # exposed hosts must be back on the known-good version within 5 minutes


class ReplaySimulator(FleetSimulator):
    """The fleet simulator, recording every host that ever loads the watched (bad) version."""

    def __init__(self, config: SimulatorConfig, out: Any) -> None:
        super().__init__(config, out=out)
        self.exposed: set[str] = set()
        self.watch: tuple[str, str] | None = None

    def content_loaded(self, host: SimHost, category: str, version: str) -> None:
        if (category, version) == self.watch:
            self.exposed.add(str(host.agent_id))


class IncidentReplay:
    """One replay with the options of ``manage.py replay_incident``; progress goes to ``err`` (the
    command's stderr: each write is one line), the result is what :meth:`run` returns."""

    def __init__(self, options: dict[str, Any], err: OutputWrapper) -> None:
        self.options = options
        self.err = err

    def log(self, message: str) -> None:
        self.err.write(f"[replay] {message}")

    def run(self) -> dict[str, Any]:
        """Prepare the database, start the stack here (unless ``--url`` / ``--external-workers``
        say it already runs), replay, stop what was started, and return the measurements."""
        options = self.options
        workdir = Path(tempfile.mkdtemp(prefix="replay-"))
        logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per probe request is too much
        options["seed"] = options["seed"] or int(time.time())
        tenants, pipeline_token, tokens = replay_setup(options["tenants"])
        if options.get("healthy"):
            rings_soak_set(tenants, options.get("soak_minutes", 1))
        credentials = None
        if not options["enrol_via_api"]:
            credentials = workdir / "credentials.json"
            fleet_register(options["hosts"], tenants, options["seed"], credentials, self.log)
            # The fleet's desired state is on the edge before the first sensor polls (a sensor that
            # finds no edge at all backs off for several intervals).
            for tenant in tenants:
                desired_state_publish_now(tenant.pk)
        port = options["port"] or free_port()
        url = options["url"].rstrip("/") or f"http://127.0.0.1:{port}"
        env = dict(os.environ)
        env.setdefault("ROLLOUT_GATE_TICK_SECONDS", "2")
        # SIGTERM (a timeout, a CI cancel) must still stop the children started here.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
        procs = (
            {}
            if options["url"]
            else processes_start(
                port,
                env,
                workdir,
                options["external_workers"],
                options["web_workers"],
                options["worker_concurrency"],
            )
        )
        if options["url"] and not options["external_workers"]:
            procs = {k: v for k, v in processes_start(port, env, workdir, False).items() if k != "web"}
        try:
            return self.run_replay(url, tenants, pipeline_token, tokens, procs, workdir, credentials)
        finally:
            processes_stop(procs)

    def run_replay(
        self,
        url: str,
        tenants: list[Tenant],
        pipeline_token: str,
        tokens: dict[str, str],
        procs: dict[str, subprocess.Popen[bytes]],
        workdir: Path,
        credentials: Path | None,
    ) -> dict[str, Any]:
        options = self.options
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
            background_crash_rate=options.get("background_crash_rate", 0.002),
        )
        sim = ReplaySimulator(config, out=Sink(self.err))
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
            web_wait(url, check_procs, options["settle_timeout"])
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
            if options.get("healthy"):
                self.log(f"settled in {settle_seconds:.0f} s; the vendor publishes a good release")
                return self.run_healthy(sim, tenants, check_procs, settle_seconds, sim_started)
            self.log(
                f"settled in {settle_seconds:.0f} s ({answered} hosts polled); the vendor publishes the bad release"
            )
            # 2. the vendor publishes content that crashes every Windows host that loads it
            release = bad_release_publish()
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
            # 4. observe recovery (when each exposed host is first back on the known-good version)
            served_mono = time.monotonic()
            back: dict[str, float] = {}
            deadline = served_mono + options["observe"]
            while time.monotonic() < deadline:
                check_procs()
                now_mono = time.monotonic()
                back.update({h: now_mono for h in sim.exposed if h not in back and self.recovered(sim, h)})
                # Done early only when no host still has the bad version downloading (a host that
                # asked before the halt may load it minutes later: it is exposed too).
                if sim.exposed and len(back) == len(sim.exposed) and not self.pending(sim, release.version):
                    break
                time.sleep(1.0)
            in_time = sum(1 for t in back.values() if t - served_mono <= RECOVERY_WINDOW_S)
            release = ContentRelease.objects.get(pk=release.pk)
            timeline = stops_timeline(tenant_ids, release.version, first_crash)
            hold_s = hold_served_seconds(timeline)  # every stopped tenant's edge served its stop hold
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
                "seconds_first_crash_to_hold_served": hold_s,
                "stop_timeline": timeline,
                "probe_hosts": len(probes),
                "recovered_hosts": recovered,
                # exposed hosts back on the known-good version within 5 minutes of the halt being
                # served, by themselves (the recall from the edge, or their own fallback)
                "recovered_fraction": round(in_time / len(sim.exposed), 4) if sim.exposed else 1.0,
                "recovery_window_s": RECOVERY_WINDOW_S,
                "observed_s": options["observe"],
                "self_reverted_hosts": sim.stats["reverted"],
                # hosts that left the recalled version for their known-good one because the stop
                # hold named it (``Hold.leave``), before the recompute named the fix per host
                "left_by_hold_hosts": sim.stats["left"],
                "exposed_not_recovered_in_time": self.not_recovered(sim, back, served_mono),
                "hosts_with_bad_version_pending_at_end": self.pending(sim, release.version),
                "background_crashes": sim.stats["background_crashes"],
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
                "target_s1": {
                    "max_exposed_fraction": 0.01,
                    "max_seconds_to_halt": 10,
                    "max_seconds_to_hold_served": 2,
                },
                "s1_hold_served_met": hold_s is not None and hold_s <= 2,
                "s1_met": len(sim.exposed) / len(sim.fleet) <= 0.01
                and (served_at - first_crash).total_seconds() <= 10,
            }
        finally:
            loop = loop_box.get("loop")
            task = loop_box.get("task")
            if loop is not None and task is not None:
                loop.call_soon_threadsafe(task.cancel)
            if thread.ident is not None:
                thread.join(timeout=30)

    def run_healthy(
        self,
        sim: ReplaySimulator,
        tenants: list[Tenant],
        check: Any,
        settle_seconds: float,
        sim_started: float,
    ) -> dict[str, Any]:
        """A good release through every ring of every tenant, with the background crashes: the
        vendor promotes it to GA once every tenant's canary gate passed; it must reach every host
        with no halt. Ends when it has, when a rollout halts, or at ``--healthy-timeout``."""
        options = self.options
        release = bad_release_publish(GOOD_RELEASE_NOTES)
        started = time.monotonic()
        deadline = started + options.get("healthy_timeout", 1800.0)
        promoted_s: float | None = None
        stopped = (RolloutState.HALTED, RolloutState.ROLLED_BACK)
        while True:
            check()
            rollouts = list(Rollout.objects.filter(release=release))
            on_release = sum(1 for h in sim.fleet if h.content.get(CATEGORY) == release.version)
            if any(r.state in stopped for r in rollouts):
                break
            everywhere = len(rollouts) == len(tenants)
            if (
                promoted_s is None
                and everywhere
                and all(r.ring_index > 0 or (r.last_gate or {}).get("verdict") == "passed" for r in rollouts)
            ):
                release = release_promote(release)
                promoted_s = time.monotonic() - started
                self.log(f"every canary gate passed; GA after {promoted_s:.0f} s")
            done = everywhere and all(r.state == RolloutState.COMPLETED for r in rollouts)
            if (done and on_release == len(sim.fleet)) or time.monotonic() > deadline:
                break
            time.sleep(1.0)
        elapsed = time.monotonic() - started
        release.refresh_from_db()
        states: dict[str, int] = {}
        for r in rollouts:
            states[r.state] = states.get(r.state, 0) + 1
        halted = [r for r in rollouts if r.state in stopped]
        return {
            "mode": "healthy",
            "hosts": len(sim.fleet),
            "tenants": len(tenants),
            "release": release.version,
            "release_stage_at_end": release.stage,
            "rollout_states": states,
            "false_halts": len(halted),
            "halt_reasons": sorted({r.halted_reason for r in halted}),
            "hosts_on_release": on_release,
            "fraction_on_release": round(on_release / len(sim.fleet), 5),
            "reached_100": on_release == len(sim.fleet) and not halted,
            "seconds_to_ga": round(promoted_s, 1) if promoted_s is not None else None,
            "seconds_publish_to_end": round(elapsed, 1),
            "background_crash_rate": options.get("background_crash_rate", 0.002),
            "background_crashes": sim.stats["background_crashes"],
            "soak_minutes": options.get("soak_minutes", 1),
            "settle_seconds": round(settle_seconds, 1),
            "accelerate": options["accelerate"],
            "edge_polls_per_s": round(sim.stats["polls"] / (time.monotonic() - sim_started), 1),
            "target": {"false_halts": 0, "fraction_on_release": 1.0},
        }

    def wait_first_crash(self, version: str, check: Any, timeout: float = 600.0) -> datetime:
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
    def pending(sim: ReplaySimulator, version: str) -> int:
        """Hosts with ``version`` of the replayed category scheduled but not loaded yet."""
        what = f"content:{CATEGORY}"
        return sum(1 for h in list(sim.fleet) if h.pending.get(what, (0.0, ""))[1] == version)

    @staticmethod
    def not_recovered(sim: ReplaySimulator, back: dict[str, float], served: float) -> dict[str, int]:
        """The exposed hosts not back within the window, by platform and what they do at the end."""
        out: dict[str, int] = {}
        for host_id in sorted(sim.exposed):
            if host_id in back and back[host_id] - served <= RECOVERY_WINDOW_S:
                continue
            host = sim.by_id[host_id]
            doing = "looping" if host.loading else f"on {host.content.get(CATEGORY)} ({host.state})"
            key = f"{host.platform}: {doing}"
            out[key] = out.get(key, 0) + 1
        return out

    @staticmethod
    def recovered(sim: ReplaySimulator, host_id: str) -> bool:
        host = sim.by_id[host_id]
        return (
            not host.loading
            and host.content.get(CATEGORY) == KNOWN_GOOD
            and host.state in ("online", "recovering")
        )
