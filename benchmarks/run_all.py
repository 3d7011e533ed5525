"""`make bench`: every benchmark with its default settings (1,000,000 rows each; the findings and exports of
an audit of 20,000 verdicts; the window's start-up and quit on the bundled sample, when it has been built)."""

from __future__ import annotations

import sys

from benchmarks import findings_scale, import_incidents, navigation, startup


def main(argv: list[str] | None = None) -> int:
    rc = import_incidents.main(argv)
    sys.argv = [sys.argv[0]]
    navigation.main()
    findings_scale.main([])
    if startup.SAMPLE.exists():  # `make sample` builds it
        startup.main([])
    else:
        print(f"start-up benchmark skipped: {startup.SAMPLE} not built (make sample)")
    return rc


if __name__ == "__main__":
    sys.exit(main())
