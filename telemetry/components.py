"""The faulting components that are the sensor itself, per platform (plain standard library).

A crash report names the component that faulted. A crash in one of these, on content the host had
just been given, is the sensor's own interpreter failing on that content (Channel File 291 faulted
in ``csagent.sys``): the strongest evidence a release can give, unlike a crash in a storage driver
or the hardware that merely happened after an update. The vendor canary gate halts a release on the
first such report (``rollout.rings.vendor.sensor_fault_halt``); the simulator reports them.
"""

from __future__ import annotations

from typing import Final

SENSOR_COMPONENTS: Final = {"windows": "csagent.sys", "macos": "com.vendor.sensor", "linux": "sensor-bpf"}
SENSOR_COMPONENT_NAMES: Final = frozenset(SENSOR_COMPONENTS.values())
