"""``make bench``: runs every ``bench/<name>.py`` that has a ``main()``, in a fixed order."""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
import traceback
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")


def main() -> int:
    import django

    from bench.report import bench_begin

    django.setup()
    only = set(sys.argv[1:])
    names = sorted(
        m.name
        for m in pkgutil.iter_modules([str(Path(__file__).parent)])
        if m.name not in {"report", "__main__"}
    )
    failed = 0
    for name in names:
        if only and name not in only:
            continue
        module = importlib.import_module(f"bench.{name}")
        if not hasattr(module, "main"):
            continue
        bench_begin()
        try:
            module.main()
        except Exception:
            failed += 1
            print(f"bench.{name} failed:", file=sys.stderr)
            traceback.print_exc()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
