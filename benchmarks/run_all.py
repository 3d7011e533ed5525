"""`make bench`: every benchmark with its default settings (1,000,000 rows each)."""

from __future__ import annotations

import sys

from benchmarks import import_incidents, navigation


def main(argv: list[str] | None = None) -> int:
    rc = import_incidents.main(argv)
    sys.argv = [sys.argv[0]]
    navigation.main()
    return rc


if __name__ == "__main__":
    sys.exit(main())
