"""A simulated fleet of sensors that talks to the console only through its public interfaces.

Each simulated host enrols with its tenant's enrolment token (``POST /api/v1/telemetry/enrol``),
polls the distribution backend for its desired state, applies what it may after a realistic
delay, crashes when it loads content that is marked bad for its platform, and reports through
batched heartbeats (``POST /api/v1/telemetry/heartbeats`` with the vendor pipeline token).

Desired state (``GET /edge/v1/desired-state``, ``Authorization: Host <host_id>:<credential>``,
``If-None-Match`` honoured) is expected as::

    {"sensor_build": "7.11.18110", "content": {"<category>": "<version>"}, "holds": [...],
     "paused": false, "frozen": {"sensor_build": false, "content": ["*"] | ["<category>", ...]}}

A 404, 401, any other error or no answer at all keeps the host on what it runs. While
``paused`` is true the host takes no new version for what ``frozen`` names.

Bad content: ``--bad-content rapid_response:291.4@windows`` (repeatable; ``@windows,linux`` or no
``@`` for every platform), or at run time the Redis set ``telemetry:sim:bad-content`` holding the
same strings (``SADD telemetry:sim:bad-content rapid_response:291.4@windows``). A host that loads
bad content reports a crash (most of the time: some die before they can) and then boot-loops:
it sends nothing more until it recovers. It asks the edge first in the brief window of every reboot
(about a minute apart, backing off with jitter), and when the edge offers any other version of that
category (the known-good one after a recall) it takes it, as the real remediation did. When the change
came with a ``fallback`` it also reverts by itself after the rule's failed boots and never retakes the
version it left while the recall stands (``telemetry.recovery``); a recall's hold that names the
version to ``leave`` sends it (and any host running that version) to its known-good one at once, and
for the rule's window after such a change a host asks the edge at its reboot cadence even when it
did not crash, so that a recall reaches it in minutes. It reports the version it ran before
the crash, but the bad file is what is on its disk. Looping and just-reverted hosts say so to the
edge (``X-Sensor-State``), which admits them ahead of routine polls.

An unanswered poll (no connection, a timeout, an error status) is retried after a short, bounded,
jittered back-off (``retry_delay``), never later than the host's regular poll would have been.

Scale: one process drives 100,000 hosts. Hosts wait in time-ordered queues (next poll, next due
update) instead of being visited every tick, heartbeats go out in 1,000-item batches from a
background sender on a connection of its own, and polls share a few keep-alive connections
(``telemetry.simulator_http``). A crash is reported at once (ahead of routine heartbeats), as the
sensor does when it comes back up after the crash.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import json
import math
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from telemetry.components import SENSOR_COMPONENTS
from telemetry.recovery import hold_leaves, reboot_delay, retry_delay
from telemetry.sim_fleet import PHASES, PLATFORMS, SimHost, fleet_generate
from telemetry.simulator_http import HttpError, HttpPool

BAD_CONTENT_KEY = "telemetry:sim:bad-content"
FAULTING_COMPONENT = SENSOR_COMPONENTS  # bad content faults in the sensor itself
MINUTE = 60.0  # simulated seconds
POLLS_PER_CONNECTION = 4  # polls handed to the pool at once per connection; the rest wait their turn


@dataclass(frozen=True)
class BadContent:
    category: str
    version: str
    platforms: frozenset[str]


def bad_content_parse(spec: str) -> BadContent:
    """``rapid_response:291.4@windows,linux`` (no ``@``: every platform); raises ValueError."""
    target, _, platforms = spec.strip().partition("@")
    category, sep, version = target.partition(":")
    if not sep or not category or not version:
        raise ValueError(f"bad content {spec!r}: use <category>:<version>[@<platform>[,<platform>]]")
    chosen = (
        frozenset(p.strip() for p in platforms.split(",") if p.strip()) if platforms else frozenset(PLATFORMS)
    )
    unknown = chosen - set(PLATFORMS)
    if unknown:
        raise ValueError(f"bad content {spec!r}: unknown platform {', '.join(sorted(unknown))}")
    return BadContent(category, version, chosen)


def content_is_bad(marks: list[BadContent], platform: str, category: str, version: str) -> bool:
    return any(m.category == category and m.version == version and platform in m.platforms for m in marks)


@dataclass
class SimulatorConfig:
    url: str
    pipeline_token: str
    enrolment_tokens: dict[str, str]  # tenant slug -> enrolment token
    hosts: int = 200
    interval: float = 10.0  # heartbeat interval in simulated seconds
    accelerate: float = 1.0  # simulated seconds per real second
    seed: int = 42
    bad_content: list[BadContent] = field(default_factory=list)
    offer: dict[str, str] = field(default_factory=dict)  # category -> version applied as if offered
    poll_every: int = 3  # intervals between desired-state polls
    duration: float = 0.0  # real seconds; 0 runs until interrupted
    crash_report_chance: float = 0.8
    background_crash_rate: float = 0.0  # hosts that crash once for unrelated reasons after an update
    bad_content_source: Callable[[], list[str]] | None = None
    credentials_file: Path | None = None  # where hosts keep their credentials across runs
    connections: int = 32  # keep-alive connections the hosts poll (and enrol) through


class FleetSimulator:
    def __init__(self, config: SimulatorConfig, out: TextIO = sys.stdout) -> None:
        self.config = config
        self.out = out
        self.rng = random.Random(config.seed + 1)  # noqa: S311 - simulation, not security
        self.fleet = fleet_generate(config.hosts, list(config.enrolment_tokens), config.seed)
        self.real_interval = config.interval / config.accelerate
        self.poll_period = config.poll_every * self.real_interval
        # Fetching a content file and rebooting take about a minute, however rarely hosts report.
        self.real_minute = min(config.interval, MINUTE) / config.accelerate
        self.phases = max(PHASES, math.ceil(self.real_interval))
        self.by_phase: list[list[SimHost]] = [self.fleet[p :: self.phases] for p in range(self.phases)]
        self.outbox: list[dict[str, Any]] = []
        self.urgent: list[dict[str, Any]] = []  # heartbeats carrying crash reports go first
        self.stats: dict[str, int] = {
            "sent": 0,
            "rejected": 0,
            "polls": 0,
            "edge_unavailable": 0,
            "applied": 0,
            "crashes": 0,
            "reverted": 0,
            "left": 0,
            "background_crashes": 0,
        }
        self.bad: list[BadContent] = list(config.bad_content)
        self.by_id = {str(h.agent_id): h for h in self.fleet}
        # Time-ordered queues of (real time, tie-breaker, host); an entry is stale once the host's
        # own schedule moved (``next_poll``, ``pending``), and is then skipped when it comes up.
        self.seq = itertools.count()
        self.poll_queue: list[tuple[float, int, SimHost]] = []
        self.reboot_queue: list[tuple[float, int, SimHost]] = []  # looping hosts: not held back
        self.due_queue: list[tuple[float, int, SimHost]] = []
        self.in_flight: set[asyncio.Task[None]] = set()
        self.outbox_ready = asyncio.Event()

    def log(self, message: str) -> None:
        print(f"[simulate_fleet] {message}", file=self.out, flush=True)

    # -------------------------------------------------------------------------------- enrolment

    async def enrol_all(self, pool: HttpPool) -> None:
        gate = asyncio.Semaphore(16)

        async def enrol(host: SimHost) -> None:
            async with gate:
                for attempt in range(60):
                    try:
                        response = await pool.post_json(
                            "/api/v1/telemetry/enrol",
                            host.enrol_body(self.config.enrolment_tokens[host.tenant]),
                        )
                    except HttpError:
                        # the web server may still be starting
                        await asyncio.sleep(min(5.0, 0.5 * (attempt + 1)))
                        continue
                    if response.status_code == 201:
                        host.credential = response.json()["credential"]
                        self.poll_at(host, time.monotonic())
                        return
                    if response.status_code in (429, 502, 503):
                        await asyncio.sleep(1.0)
                        continue
                    raise RuntimeError(
                        f"enrolment of {host.hostname} refused: {response.status_code} {response.text[:200]}"
                    )
                raise RuntimeError(f"could not reach {self.config.url} to enrol {host.hostname}")

        todo = [h for h in self.fleet if not h.credential]
        await asyncio.gather(*(enrol(h) for h in todo))
        self.credentials_save()
        self.log(
            f"enrolled {len(todo)} hosts ({len(self.fleet) - len(todo)} kept their credentials) "
            f"in {', '.join(self.config.enrolment_tokens)}"
        )

    def credentials_load(self) -> None:
        """Sensors keep their credential on disk: a restarted simulator does not enrol again."""
        path = self.config.credentials_file
        if path is None or not path.exists():
            return
        with contextlib.suppress(ValueError, OSError):
            known = json.loads(path.read_text())
            for host in self.fleet:
                host.credential = known.get(str(host.agent_id), "")

    def credentials_save(self) -> None:
        path = self.config.credentials_file
        if path is None:
            return
        with contextlib.suppress(OSError):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps({str(h.agent_id): h.credential for h in self.fleet if h.credential}))
            path.chmod(0o600)

    # ---------------------------------------------------------------------------- desired state

    def refresh_bad_marks(self) -> None:
        marks = list(self.config.bad_content)
        if self.config.bad_content_source is not None:
            for spec in self.config.bad_content_source():
                with contextlib.suppress(ValueError):
                    marks.append(bad_content_parse(spec))
        self.bad = marks

    def schedule(self, host: SimHost, what: str, due: float, version: str) -> None:
        host.pending[what] = (due, version)
        heapq.heappush(self.due_queue, (due, next(self.seq), host))

    def desired_apply(self, host: SimHost, desired: dict[str, Any], now: float) -> None:
        """Schedules what the desired state asks for (after a delay), unless a hold freezes it.

        A host boot-looping on bad content has that file on disk whatever it reports: any other
        version of the category is the fix, even the one it reports running. The known-good version
        it kept with the change needs no download (a recall's fix, mostly): it loads at once. A
        hold that names a version to leave sends a host on it to its known-good one at once."""
        frozen = desired.get("frozen") or {}
        paused = bool(desired.get("paused"))
        frozen_content = set(frozen.get("content") or []) if paused else set()
        for category, leave in (hold_leaves(desired) if paused else {}).items():
            if host.pending.get(f"content:{category}", (0, ""))[1] in leave:
                del host.pending[f"content:{category}"]  # recalled before it was installed
            running = host.loading.get(category, host.content.get(category))
            to = host.recovery.leave_to(desired, category, running, leave)
            if running is not None and to is not None:
                self.revert(host, category, running, to, "left")
        build = desired.get("sensor_build")
        if (
            isinstance(build, str)
            and build
            and build != host.sensor_build
            and not (paused and frozen.get("sensor_build"))
            and host.pending.get("sensor_build", (0, ""))[1] != build
        ):
            delay = self.rng.uniform(2, 10) * self.real_interval  # download, install, restart
            self.schedule(host, "sensor_build", now + delay, build)
        content = desired.get("content") or {}
        if isinstance(content, dict):
            for category, version in content.items():
                if not isinstance(version, str):
                    continue
                on_disk = host.loading.get(category, host.content.get(category))
                if on_disk == version:
                    host.pending.pop(f"content:{category}", None)
                    continue
                if "*" in frozen_content or category in frozen_content:
                    continue
                if host.recovery.refuses(category, version):
                    continue  # it reverted from this version, and the recall still stands
                if host.pending.get(f"content:{category}", (0, ""))[1] != version:
                    # The known-good version kept with the change is on disk: no download.
                    kept = host.recovery.known_good.get(category) == version
                    delay = 0.0 if kept else self.rng.uniform(0.3, 3) * self.real_minute
                    host.recovery.offered(desired, category, version)
                    self.schedule(host, f"content:{category}", now + delay, version)

    def poll_at(self, host: SimHost, when: float) -> None:
        host.next_poll = when
        queue = self.reboot_queue if host.loading else self.poll_queue
        heapq.heappush(queue, (when, next(self.seq), host))

    def poll_next(self, host: SimHost, now: float) -> float:
        """When the host asks again: in its next reboot window while it boot-loops (about a minute,
        at most one interval), after a short back-off when unanswered, else after its regular poll period."""
        if host.loading:
            boots = max((len(b) for b in host.recovery.boots.values()), default=1)
            return now + reboot_delay(boots, self.real_minute, self.rng)
        if host.poll_failures:
            return now + retry_delay(host.poll_failures, self.poll_period, self.rng)
        regular = now + self.poll_period * self.rng.uniform(0.9, 1.1)
        watch = host.recovery.watch_poll(now * self.config.accelerate)  # just took a change
        return min(regular, now + reboot_delay(watch, self.real_minute, self.rng)) if watch else regular

    async def poll(self, pool: HttpPool, host: SimHost) -> None:
        headers = {"Authorization": f"Host {host.agent_id}:{host.credential}"}
        if host.loading or host.state != "online":
            headers["X-Sensor-State"] = "boot_loop" if host.loading else host.state
        if host.etag:
            headers["If-None-Match"] = host.etag
        self.stats["polls"] += 1
        try:
            response = await pool.get("/edge/v1/desired-state", headers)
        except HttpError:
            response = None
        now = time.monotonic()
        if response is None or response.status_code not in (200, 304):
            # No desired state (yet), or no edge at all: keep what the host runs, ask again soon.
            self.stats["edge_unavailable"] += 1
            host.poll_failures += 1
            self.reboot(host, now)
            self.poll_at(host, self.poll_next(host, now))
            return
        host.poll_failures = 0
        if response.status_code == 200:
            host.etag = response.headers.get("etag", "")
            with contextlib.suppress(ValueError):
                body = response.json()
                if isinstance(body, dict):
                    self.desired_apply(host, body, now)
        self.reboot(host, now)
        self.poll_at(host, self.poll_next(host, now))

    def reboot(self, host: SimHost, now: float) -> None:
        """A looping host's reboot, after it asked the edge: one more failed boot per bad category,
        unless the edge's fix is on its way; the rule met, it loads the fallback by itself."""
        for category, version in list(host.loading.items()):
            fix = host.pending.get(f"content:{category}")
            if fix is not None and fix[1] != version:
                continue
            fallback = host.recovery.failed_boot(category, now * self.config.accelerate)
            if fallback is not None:
                self.revert(host, category, version, fallback, "reverted")

    def revert(self, host: SimHost, category: str, left: str, to: str, stat: str) -> None:
        """Loads the known-good ``to`` instead of ``left`` (by the rule, or because a hold says to
        leave it) and remembers to report it and to refuse ``left``."""
        was_looping = host.loading.pop(category, None) is not None
        host.pending.pop(f"content:{category}", None)
        host.content[category] = to
        host.recovery.revert(category, left, to, datetime.now(UTC).isoformat())
        self.stats[stat] += 1
        if not host.loading and (was_looping or host.state == "online"):
            host.state, host.recovering_left = "recovering", 3

    def polls_start(self, pool: HttpPool, now: float) -> None:
        """Hands the hosts whose poll is due to the connection pool (a bounded number at a time);
        a looping host reboots when it reboots, so its poll never waits behind routine ones here."""
        self.polls_due(pool, self.reboot_queue, now, math.inf)
        self.polls_due(pool, self.poll_queue, now, POLLS_PER_CONNECTION * self.config.connections)

    def polls_due(
        self, pool: HttpPool, queue: list[tuple[float, int, SimHost]], now: float, limit: float
    ) -> None:
        while queue and queue[0][0] <= now and len(self.in_flight) < limit:
            when, _, host = heapq.heappop(queue)
            if when != host.next_poll or not host.credential:
                continue  # rescheduled meanwhile, or not enrolled yet (enrolment queues it)
            host.next_poll = math.inf  # asking now; the answer schedules the next poll
            task = asyncio.create_task(self.poll(pool, host))
            self.in_flight.add(task)
            task.add_done_callback(self.in_flight.discard)

    # ---------------------------------------------------------------------------- host behaviour

    def content_loaded(self, host: SimHost, category: str, version: str) -> None:
        """Hook: ``host`` has just loaded ``version`` of ``category`` (the replay records exposure)."""

    def updates_apply(self, now: float) -> None:
        queue = self.due_queue
        while queue and queue[0][0] <= now:
            _, _, host = heapq.heappop(queue)
            if host.pending:
                self.step(host, now)
                if host.crashes and host.credential:
                    beat = self.heartbeat(host)
                    if beat is not None:
                        self.urgent.append(beat)

    def step(self, host: SimHost, now: float) -> None:
        """Applies due updates; loading bad content crashes the host into a boot loop."""
        for what, (due, version) in list(host.pending.items()):
            if due > now:
                continue
            del host.pending[what]
            self.stats["applied"] += 1
            if what == "sensor_build":
                host.sensor_build = version
                continue
            category = what.split(":", 1)[1]
            self.content_loaded(host, category, version)
            if content_is_bad(self.bad, host.platform, category, version):
                self.stats["crashes"] += 1
                if self.rng.random() < self.config.crash_report_chance:
                    host.state = "crashed"
                    host.crashes.append(
                        {
                            "component": FAULTING_COMPONENT[host.platform],
                            "category": category,
                            "content_version": version,
                            "at": datetime.now(UTC).isoformat(),
                        }
                    )
                else:
                    host.state = "boot_loop"
                # The crash happens while loading: the version it reports stays the old one.
                host.loading[category] = version
                host.recovery.loaded(category, now * self.config.accelerate)
                host.recovery.failed_boot(category, now * self.config.accelerate)
                if host.credential and host.next_poll != math.inf:
                    self.poll_at(host, self.poll_next(host, now))  # asks again at its next reboot
                continue
            host.content[category] = version
            if category in host.recovery.known_good:  # the change named a fallback: watch the edge
                host.recovery.watch(now * self.config.accelerate)
                if host.credential and host.next_poll != math.inf:
                    self.poll_at(host, self.poll_next(host, now))
            if host.loading.pop(category, None) is not None and not host.loading:
                # The fix reached it in a brief window between reboots (what saved hosts in 2024).
                host.state = "recovering"
                host.recovering_left = 3
            rate = self.config.background_crash_rate
            if rate and self.rng.random() < rate:
                self.background_crash(host, category, version)

    def background_crash(self, host: SimHost, category: str, version: str) -> None:
        """A crash that has nothing to do with the release (a driver, the hardware): reported with
        what was loaded, as real crash dumps are; the host comes back at once."""
        self.stats["background_crashes"] += 1
        at = datetime.now(UTC).isoformat()
        crash = {"component": "storport.sys", "category": category, "content_version": version, "at": at}
        host.crashes.append(crash)
        host.state, host.recovering_left = "recovering", 3

    def heartbeat(self, host: SimHost, at: str | None = None) -> dict[str, Any] | None:
        if host.state == "boot_loop":
            return None
        status = host.state
        body: dict[str, Any] = {
            "host_id": str(host.agent_id),
            "time": at or datetime.now(UTC).isoformat(),
            "sensor_build": host.sensor_build,
            "content_versions": dict(host.content),
            "status": status,
            "interval_s": max(1, round(self.real_interval)),
            "hostname": host.hostname,
            "platform": host.platform,
            "os_version": host.os_version,
            "tags": host.tags,
            "site": host.site,
        }
        if host.crashes:
            body["crashes"], host.crashes = host.crashes, []
        if host.recovery.report is not None:
            body["recovered_from"], host.recovery.report = host.recovery.report, None
        if host.state == "crashed":
            host.state = "boot_loop"  # reported its crash, now it loops and goes silent
        elif host.state == "recovering":
            host.recovering_left -= 1
            if host.recovering_left <= 0:
                host.state = "online"
        return body

    async def send(self, pool: HttpPool) -> None:
        headers = {"Authorization": f"Bearer {self.config.pipeline_token}"}
        while self.outbox or self.urgent:
            if self.urgent:
                self.outbox[:0], self.urgent = self.urgent, []
            if len(self.outbox) > len(self.fleet):
                # A backlog beyond one round of the fleet (an outage, a slow ingest) holds stale
                # news: keep the newest heartbeat per host only (a crash report is never stale).
                newest: dict[str, dict[str, Any]] = {hb["host_id"]: hb for hb in self.outbox}
                self.outbox = [hb for hb in self.outbox if "crashes" in hb or newest[hb["host_id"]] is hb]
            batch = self.outbox[:1000]
            try:
                response = await pool.post_json(
                    "/api/v1/telemetry/heartbeats", {"heartbeats": batch}, headers
                )
            except HttpError as exc:
                self.log(f"ingest unreachable ({exc}); keeping {len(self.outbox)} heartbeats")
                break
            if response.status_code == 503:
                self.log(
                    f"ingest unavailable (503, Retry-After {response.headers.get('retry-after')}); will retry"
                )
                break
            del self.outbox[: len(batch)]
            if response.status_code != 202:
                self.log(f"ingest refused the batch: {response.status_code} {response.text[:200]}")
                continue
            result = response.json()
            self.stats["sent"] += result["accepted"]
            self.stats["rejected"] += len(result["rejected"])
            for rejected in result["rejected"]:
                if rejected["errors"].get("host_id") == ["Unknown host."]:
                    # A credential from an older database: this host must enrol again.
                    unknown = self.by_id.get(batch[rejected["index"]]["host_id"])
                    if unknown is not None:
                        unknown.credential = ""

    async def sender(self, pool: HttpPool) -> None:
        """Posts heartbeats as they are collected, so a slow ingest never delays the hosts' clock."""
        while True:
            await self.outbox_ready.wait()
            self.outbox_ready.clear()
            await self.send(pool)

    # ----------------------------------------------------------------------------------- the run

    async def run(self) -> dict[str, int]:
        started = time.monotonic()
        pool = HttpPool(self.config.url, size=self.config.connections, timeout=10.0)
        # The telemetry pipeline has its own connection: heartbeats never queue behind polls.
        ingest = HttpPool(self.config.url, size=1, timeout=30.0)
        self.credentials_load()
        # Hosts start spread evenly over one poll period.
        for n, host in enumerate(self.fleet):
            if host.credential:
                self.poll_at(
                    host, started + (n * 7919 % len(self.fleet)) / len(self.fleet) * self.poll_period
                )
            for category, version in self.config.offer.items():
                self.schedule(
                    host,
                    f"content:{category}",
                    started + self.rng.uniform(0.3, 2) * self.real_interval,
                    version,
                )
        # Heartbeats go through the pipeline token: hosts report as soon as they are enrolled.
        enrolment = asyncio.create_task(self.enrol_all(pool))
        sender = asyncio.create_task(self.sender(ingest))
        tick = 0
        last_report = started
        enrolled_at: float | None = None
        sub_tick = self.real_interval / self.phases
        try:
            while True:
                now = time.monotonic()
                # the duration counts from when the whole fleet is enrolled: a slow server (a busy
                # machine) never ends a run with hosts that never reported
                if (
                    self.config.duration
                    and enrolled_at is not None
                    and now - enrolled_at >= self.config.duration
                ):
                    break
                if enrolment.done():
                    enrolment.result()  # an enrolment that failed for good stops the simulator
                    if any(not h.credential for h in self.fleet):
                        enrolment = asyncio.create_task(self.enrol_all(pool))
                    elif enrolled_at is None:
                        enrolled_at = now
                if sender.done():
                    sender.result()
                self.refresh_bad_marks()
                self.polls_start(pool, now)
                self.updates_apply(now)
                at = datetime.now(UTC).isoformat()
                for host in self.by_phase[tick % self.phases]:
                    if host.credential:
                        beat = self.heartbeat(host, at)
                        if beat is not None:
                            (self.urgent if "crashes" in beat else self.outbox).append(beat)
                self.outbox_ready.set()
                if now - last_report >= 10:
                    last_report = now
                    states: dict[str, int] = {}
                    for host in self.fleet:
                        states[host.state] = states.get(host.state, 0) + 1
                    lag = max(0.0, now - self.poll_queue[0][0]) if self.poll_queue else 0.0
                    self.log(
                        f"{states} {self.stats} polls in flight {len(self.in_flight)}, late by {lag:.1f} s, "
                        f"heartbeats queued {len(self.outbox)}"
                    )
                tick += 1
                await asyncio.sleep(max(0.0, started + tick * sub_tick - time.monotonic()))
            sender.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sender
            await self.send(ingest)  # what the last tick collected
        finally:
            for task in (enrolment, sender, *self.in_flight):
                task.cancel()
            await asyncio.gather(enrolment, sender, *self.in_flight, return_exceptions=True)
            await pool.close()
            await ingest.close()
            self.credentials_save()
        return self.stats
