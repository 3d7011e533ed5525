"""The trend view and the board pack at scale (issue 14): a programme of 24 monthly audits x 500 completed verdicts
(tests/programme_builders.monthly_programme, built through the core before any timing).

Timed, each the median of --repeat runs in this process after one warm-up (the imports of statsmodels, scipy,
reportlab and openpyxl are not counted: a window or a long-running command has them already):

- the trend view: for each key figure, trends.series over the last 12 months with intervals, the p-chart, the test
  of change and the latest change, from the findings, trend point and completion of the window's audits
  (reports.board_pack.window_figures, as `cdi trends` and the board pack work them out); and the same from every
  audit of the programme (programme_figures.audits_figures: what a view of 'all audits' needs);
- the board pack: reports.board_pack.board_pack (which works out the same figures, plus the recording rate by unit)
  and the PDF and the workbook written.

Baseline, measured in the same run on the same data: findings.compute of one 500-verdict audit, 24 times (the
findings every trend point is made of; the floor for anything that reads every audit's verdicts), and
json.dumps of the trend numbers (what a plain export of the series would cost). The goal (issue 14): the trend
view and the board pack each under 2 s.

    .venv/bin/python -m benchmarks.board_pack                      # 24 audits x 500 verdicts, 3 repeats
    .venv/bin/python -m benchmarks.board_pack --audits 6 --verdicts 100 --repeat 1
    .venv/bin/python -m benchmarks.board_pack --db /tmp/programme24.db    # built once, timed again in later runs
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # also runnable as a script

from cdi_workbench.findings import compute  # noqa: E402
from cdi_workbench.programme_figures import KEY_FIGURES, audits_figures  # noqa: E402
from cdi_workbench.reports.board_pack import board_pack, window_figures  # noqa: E402
from cdi_workbench.reports.board_pack_excel import write_board_xlsx  # noqa: E402
from cdi_workbench.reports.board_pack_pdf import write_board_pdf  # noqa: E402
from cdi_workbench.trends import changes, latest_change, p_chart, select, series  # noqa: E402
from tests.programme_builders import monthly_programme  # noqa: E402

GOAL_S = 2.0


CPU: dict[str, float] = {}  # label -> median CPU seconds of this process


def _median(fn: Callable[[], Any], repeat: int, label: str = "") -> tuple[float, Any]:
    """The median wall-clock seconds of `repeat` runs (and, under `label`, the median CPU seconds: on a shared
    machine the wall clock also counts the time other work held the processor)."""
    times, cpu, result = [], [], None
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        result = fn()
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    CPU[label] = statistics.median(cpu)
    return statistics.median(times), result


def trend_view(db: Any, every: bool = False) -> list[Any]:  # noqa: ANN401
    """The key figures over the last 12 months: the audits of the window worked out (window_figures, as `cdi
    trends` and the board pack do), or every audit of the programme (audits_figures, as a view of 'all audits')."""
    figs = audits_figures(db, "normal") if every else window_figures(db, "normal")
    pts = [f.point for f in figs]
    window = select(pts, "last_12_months")
    return [(series(pts, f, "normal", "last_12_months"), p_chart(window, f), changes(window, f), latest_change(pts, f))
            for f in KEY_FIGURES]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--audits", type=int, default=24)
    ap.add_argument("--verdicts", type=int, default=500, help="completed verdicts per audit")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--db", type=Path, help="keep the programme here and use it again in later runs (built when "
                                            "missing; --audits and --verdicts then apply only to building it)")
    a = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        t = time.perf_counter()
        if a.db is not None and a.db.exists():
            from cdi_workbench.audit.programme import listing
            from cdi_workbench.storage.database import Database

            db = Database(a.db)
            names = [x.name for x in listing(db)]
            print(f"Using {a.db}: {len(names)} audits, {sum(x.verdicts for x in listing(db)):,} records with verdicts")
        else:
            rates = [0.80 + 0.004 * i + (0.08 if i >= a.audits * 2 // 3 else 0) for i in range(a.audits)]
            db, plans = monthly_programme(a.db or out / "programme.db", rates, records=a.verdicts)
            print(f"Built {a.audits} monthly audits x {a.verdicts} verdicts through the core in "
                  f"{time.perf_counter() - t:.1f} s ({sum(p.audited for p in plans):,} verdicts)")
            names = [p.name for p in plans]
        compute(db, audit=names[0])  # warm-up: the imports, the caches a window holds
        trend_view(db)
        write_board_pdf(board_pack(db), out / "warm.pdf")
        write_board_xlsx(board_pack(db), out / "warm.xlsx")

        one = names[len(names) // 2]
        base_s, _ = _median(lambda: [compute(db, audit=one) for _ in range(len(names))], a.repeat, "base")
        view_s, view = _median(lambda: trend_view(db), a.repeat, "view")
        every_s, _ = _median(lambda: trend_view(db, every=True), a.repeat, "every")
        numbers = [s.rows() for s, _, _, _ in view]
        json_s, _ = _median(lambda: json.dumps(numbers, default=str), a.repeat, "json")

        def pack_all() -> Any:  # noqa: ANN401
            pack = board_pack(db)
            write_board_pdf(pack, out / "board.pdf")
            write_board_xlsx(pack, out / "board.xlsx")
            return pack

        pack_s, pack = _median(pack_all, a.repeat, "pack")
        data_s, _ = _median(lambda: board_pack(db), a.repeat, "data")
        db.close()
        rows = [
            (f"baseline: findings.compute of one audit x {len(names)}", "base", base_s, None),
            ("baseline: json.dumps of the trend numbers", "json", json_s, None),
            ("trend view, last 12 months (window_figures + series ...)", "view", view_s, GOAL_S),
            (f"trend view over all {len(names)} audits (audits_figures + ...)", "every", every_s, GOAL_S),
            ("board pack data (board_pack)", "data", data_s, None),
            ("board pack (data + PDF + Excel)", "pack", pack_s, GOAL_S),
        ]
        print(f"{'operation':58} {'wall s':>7} {'CPU s':>7} {'x compute':>10}  goal (wall clock)")
        for label, key, secs, goal in rows:
            verdict = "" if goal is None else (f"under {goal:g} s: " + ("yes" if secs < goal else "NO"))
            print(f"{label:58} {secs:7.3f} {CPU[key]:7.3f} {secs / base_s:9.2f}x  {verdict}")
        print(f"(PDF {Path(out / 'board.pdf').stat().st_size:,} bytes; {len(pack.trends)} trends; "
              f"json.dumps is {view_s / max(json_s, 1e-9):,.0f}x faster than the trend view)")
        try:
            import os

            print(f"(load average over the last minute: {os.getloadavg()[0]:.1f} on {os.cpu_count()} processors)")
        except (AttributeError, OSError):
            pass
        ok = view_s < GOAL_S and pack_s < GOAL_S and every_s < GOAL_S
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
