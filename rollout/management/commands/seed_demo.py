"""``manage.py seed_demo``: idempotent demo data for every app (top layer, so it may call them all)."""

from __future__ import annotations

import contextlib
import json
import sys
from importlib import import_module
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Create (or keep) the demo vendor, tenants acme and globex, users of every role and API clients."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="Print logins and tokens as one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        # Anything the seeding prints (the console e-mail backend in development writes mails to
        # stdout) goes to stderr, so that `--json` prints exactly one JSON object on stdout.
        with contextlib.redirect_stdout(sys.stderr):
            result = self._seed()
        if options["json"]:
            self.stdout.write(json.dumps(result))
            return
        self.stdout.write("Demo logins:")
        for login in result["logins"]:
            self.stdout.write(f"  {login['username']:<30} {login['password']}  ({login['what']})")
        self.stdout.write("API tokens:")
        for token in result["api_tokens"]:
            self.stdout.write(f"  {token['tenant']:<8} {token['name']:<28} {token['token']}")

    def _seed(self) -> dict[str, Any]:
        from console.demo import seed_console

        result = seed_console()
        for app in ("telemetry", "rollout"):
            try:
                module = import_module(f"{app}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{app}.demo":
                    raise
                continue
            result.update(module.seed(result) or {})
        return result
