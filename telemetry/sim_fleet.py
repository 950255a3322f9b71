"""The simulated fleet's hosts: what each sensor is (platform, OS, tags, site, builds, content) and
what it remembers, generated deterministically from a seed (``fleet_generate``). The behaviour lives
in ``telemetry.simulator``; the recovery memory in ``telemetry.recovery``."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from typing import Any

from telemetry.recovery import Recovery

PHASES = 5  # hosts are spread over at least this many sub-ticks of an interval (one per second at most)
PLATFORMS = ("windows", "macos", "linux")
PLATFORM_WEIGHTS = (0.7, 0.2, 0.1)
OS_VERSIONS = {
    "windows": ("10.0.19045", "10.0.22631", "10.0.20348", "10.0.17763"),
    "macos": ("14.5", "14.6.1", "13.6.7"),
    "linux": ("RHEL 9.4", "Ubuntu 22.04", "Ubuntu 24.04", "Amazon Linux 2023"),
}
SENSOR_BUILDS = {
    "windows": ("7.11.18110", "7.10.17706"),
    "macos": ("7.11.18105", "7.10.17701"),
    "linux": ("7.11.18108", "7.10.17703"),
}
CONTENT = {
    "rapid_response": "291.3",
    "sensor_operations": "44.1",
    "vulnerability_management": "12.0",
    "allow_block_lists": "8.2",
}
SITES = ("nyc", "ber", "lon", "sfo", "sgp", "dc1")
TAGS = ("finance", "engineering", "exec", "servers", "kiosk", "pos", "vdi", "lab")
NAMESPACE = uuid.UUID("5f0c1e9e-8d1b-4a53-9b86-2f8d7c1a0b11")


@dataclass
class SimHost:
    agent_id: uuid.UUID
    tenant: str
    hostname: str
    platform: str
    os_version: str
    tags: list[str]
    site: str
    sensor_build: str
    content: dict[str, str]
    phase: int
    credential: str = ""
    state: str = "online"  # online, crashed, boot_loop, recovering
    crashes: list[dict[str, str]] = field(default_factory=list)
    pending: dict[str, tuple[float, str]] = field(default_factory=dict)  # what -> (apply at, version)
    next_poll: float = 0.0
    etag: str = ""
    poll_failures: int = 0  # unanswered polls in a row
    recovering_left: int = 0
    loading: dict[str, str] = field(default_factory=dict)  # bad content it crashes on while loading
    recovery: Recovery = field(default_factory=Recovery)  # fallbacks, failed boots, refusals

    def enrol_body(self, token: str) -> dict[str, Any]:
        return {
            "enrolment_token": token,
            "agent_id": str(self.agent_id),
            "hostname": self.hostname,
            "platform": self.platform,
            "os_version": self.os_version,
            "tags": self.tags,
            "site": self.site,
            "sensor_build": self.sensor_build,
            "content_versions": self.content,
        }


def fleet_generate(hosts: int, tenants: list[str], seed: int) -> list[SimHost]:
    """A deterministic fleet: the same seed gives the same hosts (and agent ids) on every run."""
    rng = random.Random(seed)  # noqa: S311 - simulation, not security
    fleet = []
    for n in range(hosts):
        tenant = tenants[n % len(tenants)]
        platform = rng.choices(PLATFORMS, PLATFORM_WEIGHTS)[0]
        site = rng.choice(SITES)
        role = {"windows": rng.choice(("ws", "ws", "ws", "srv")), "macos": "mac", "linux": "srv"}[platform]
        tags = sorted(rng.sample(TAGS, rng.randint(0, 3)))
        if role == "srv" and "servers" not in tags:
            tags.append("servers")
        fleet.append(
            SimHost(
                agent_id=uuid.uuid5(NAMESPACE, f"{seed}:{tenant}:{n}"),
                tenant=tenant,
                hostname=f"{site}-{role}-{n:05d}",
                platform=platform,
                os_version=rng.choice(OS_VERSIONS[platform]),
                tags=tags,
                site=site,
                sensor_build=SENSOR_BUILDS[platform][0 if rng.random() < 0.85 else 1],
                content=dict(CONTENT),
                phase=n % PHASES,
            )
        )
    return fleet
