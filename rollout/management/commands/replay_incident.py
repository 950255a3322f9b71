"""``manage.py replay_incident --json``: the 19 July 2024 replay (DESIGN section 7, target S1), a thin
entry point over ``rollout.replay``.

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
- ``seconds_first_crash_to_hold_served``: from the first crash report to the moment the edge had
  served the stop hold in every stopped tenant (each tenant's first stop; the edge's first-served
  mark): the stop itself, before the recompute (S1 target: 2 s);
- ``recovered_hosts``: exposed hosts back on the known-good version, reporting, by the end;
- ``accelerate``: the simulator's time acceleration (1.0 = real time).
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rollout.replay.scenario import IncidentReplay
from rollout.replay.stack import services_check


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

    def handle(self, *args: Any, **options: Any) -> None:
        if options["hosts"] < options["tenants"] or options["tenants"] < 1:
            raise CommandError("--hosts must be at least --tenants, and --tenants at least 1")
        services_check()
        result = IncidentReplay(options, self.stderr).run()
        self.stdout.write(json.dumps(result, sort_keys=True))
