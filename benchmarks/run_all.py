"""`make bench`: every benchmark with its default settings (import_incidents: 1,000,000 rows)."""

from __future__ import annotations

import sys

from benchmarks import import_incidents


def main(argv: list[str] | None = None) -> int:
    return import_incidents.main(argv)


if __name__ == "__main__":
    sys.exit(main())
