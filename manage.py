#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")
    from django.core.management import execute_from_command_line

    from console.reachability import services_unreachable_message

    try:
        execute_from_command_line(sys.argv)
    except Exception as exc:
        # PostgreSQL or Redis not there: say what to start or set, not a driver traceback.
        message = services_unreachable_message(exc)
        if message is None:
            raise
        sys.stderr.write(f"CommandError: {message}\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
