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
  ``recovered_fraction``: the share of exposed hosts back on it within 5 minutes of the halt being
  served, by themselves (the edge's recall or their own fallback; ``self_reverted_hosts``), as far
  as ``--observe`` lets the run watch (it ends early only once every exposed host is back and no
  host still has the bad version downloading); ``left_by_hold_hosts``: hosts that left it because
  the recall's hold named it (``Hold.leave``); ``exposed_not_recovered_in_time``: the others, by
  platform and what they do at the end;
- ``--healthy``: a good release instead, with the same background crashes (``--background-crash-rate``,
  default 0.2 % of hosts), through every ring of every tenant (soaks ``--soak-minutes``); the JSON says
  whether every rollout completed, how many halted (``false_halts``), and how many hosts run it;
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
        parser.add_argument(
            "--healthy",
            action="store_true",
            help="a good release through every ring of every tenant instead of the bad one: it must "
            "reach 100 %% of the hosts with no halt (false_halts in the JSON)",
        )
        parser.add_argument(
            "--background-crash-rate",
            type=float,
            default=0.002,
            help="fraction of hosts that crash once, for reasons unrelated to the release, after an update",
        )
        parser.add_argument(
            "--soak-minutes",
            type=int,
            default=1,
            help="soak of every replay ring with --healthy (the defaults, 30 and 60 minutes, are real time)",
        )
        parser.add_argument(
            "--healthy-timeout", type=float, default=1800.0, help="seconds for --healthy to reach 100 %%"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["hosts"] < options["tenants"] or options["tenants"] < 1:
            raise CommandError("--hosts must be at least --tenants, and --tenants at least 1")
        services_check()
        result = IncidentReplay(options, self.stderr).run()
        self.stdout.write(json.dumps(result, sort_keys=True))
