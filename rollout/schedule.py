"""Celery beat entries of the rollout app (console/celery.py collects them).

Kept free of Django imports: beat reads it before Django is set up.
"""

from __future__ import annotations

import os
from typing import Any, Final

# Pending outbox rows and unpublished revisions are picked up within this bound after a lost
# task (worker killed, Redis restarted, backend down).
SWEEP_SECONDS: Final = 15.0
# Time-driven changes (windows, GA + delay, freezes): every tenant is recomputed this often (an
# unchanged tenant writes nothing); every 10th pass also refreshes hosts' groups and attributes.
TICK_SECONDS: Final = 60.0
RECONCILE_SECONDS: Final = 300.0
# Hosts enrolled or changed (attributes that group rules and desired state use) are recomputed
# within this bound (rollout.host_changes).
HOSTS_CHANGED_SECONDS: Final = 5.0
# Rollout health gates are evaluated this often: a failing gate halts within one tick (DESIGN rule 4).
GATE_TICK_SECONDS: Final = float(os.environ.get("ROLLOUT_GATE_TICK_SECONDS", "2.0"))

BEAT_SCHEDULE: dict[str, dict[str, Any]] = {
    "rollout-outbox-sweep": {
        "task": "rollout.tasks.outbox_sweep",
        "schedule": SWEEP_SECONDS,
        "options": {"expires": SWEEP_SECONDS * 2},
    },
    "rollout-desired-tick": {
        "task": "rollout.tasks.desired_state_tick",
        "schedule": TICK_SECONDS,
        "options": {"expires": TICK_SECONDS},
    },
    "rollout-hosts-changed": {
        "task": "rollout.tasks.hosts_changed_sweep",
        "schedule": HOSTS_CHANGED_SECONDS,
        "options": {"expires": HOSTS_CHANGED_SECONDS * 2},
    },
    "rollout-reconcile": {
        "task": "rollout.tasks.distribution_reconcile_all",
        "schedule": RECONCILE_SECONDS,
        "options": {"expires": RECONCILE_SECONDS},
    },
    "rollout-outbox-purge": {
        "task": "rollout.tasks.outbox_purge_task",
        "schedule": 86400.0,
        "options": {"expires": 3600},
    },
    # A gate tick that could not start in time is dropped, never queued behind a slow one.
    "rollout-gate-tick": {
        "task": "rollout.rollouts.rollouts_tick_task",
        "schedule": GATE_TICK_SECONDS,
        "options": {"expires": GATE_TICK_SECONDS * 2},
    },
}
