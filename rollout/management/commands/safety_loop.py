"""``manage.py safety_loop``: the long-running consumer of crash signals (``rollout.rings.signals``).

Run one per control plane (``make run``, compose, the replay and the soak start it). SIGTERM or
Ctrl-C stops it after the current round; SIGKILL loses nothing (unacknowledged signals are read
again on the next start, and the gate tick halts meanwhile).
"""

from __future__ import annotations

import signal
from types import FrameType

from django.core.management.base import BaseCommand, CommandParser

from rollout.rings.signals import safety_loop


class Command(BaseCommand):
    help = "Consume crash signals and evaluate the gates of the crashing hosts' tenants at once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--consumer",
            default="safety-1",
            help="consumer name, stable across restarts of one control plane",
        )
        parser.add_argument("--block-ms", type=int, default=1000, help="longest wait for a signal per round")

    def handle(self, *args: object, **options: object) -> None:
        stopping = False

        def _stop(signum: int, frame: FrameType | None) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
        self.stdout.write(f"safety loop {options['consumer']} consuming crash signals", ending="\n")
        self.stdout.flush()
        stats = safety_loop(
            consumer=str(options["consumer"]),
            stop=lambda: stopping,
            block_ms=int(str(options["block_ms"])),
        )
        self.stdout.write(
            f"safety loop stopped: {stats.signals} signals, {stats.evaluations} evaluations, {stats.outcomes}"
        )
