"""`make bench`: every benchmark with its default settings (1,000,000 rows each; the findings and exports of
an audit of 20,000 verdicts)."""

from __future__ import annotations

import sys

from benchmarks import findings_scale, import_incidents, navigation


def main(argv: list[str] | None = None) -> int:
    rc = import_incidents.main(argv)
    sys.argv = [sys.argv[0]]
    navigation.main()
    findings_scale.main([])
    return rc


if __name__ == "__main__":
    sys.exit(main())
