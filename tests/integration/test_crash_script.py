"""benchmarks/crash_kill.py (issue 12: writers killed at random and many at once lose nothing) keeps working, and
its checks count what they must: an acknowledged save the database lacks or holds otherwise, a lost update and a
fork of the chain. The script itself runs here with a few trials only; its figures are in the issue's report."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select, update

from benchmarks.crash_kill import Ack, Figures, body_for, check_database, digest, forks, read_acks, report
from cdi_workbench.audit.service import AuditService
from cdi_workbench.storage.database import Database
from cdi_workbench.storage.models import AuditItem, Verdict, VerdictChange
from tests.builders import small_audit

ROOT = Path(__file__).resolve().parents[2]


def test_the_script_kills_writers_and_finds_nothing_lost(db_target: str) -> None:
    where = ["--pg-url", db_target] if "://" in db_target else ["--sqlite", db_target]
    run = subprocess.run([sys.executable, "-m", "benchmarks.crash_kill", "--trials", "5", "--processes", "1",
                          "--threads", "2", "--saves", "10", *where], cwd=ROOT, capture_output=True, text=True,
                         timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    crash = re.search(r"^crash: acknowledged saves ([\d,]+), lost (\d+) .*verify problems (\d+), chain forks (\d+)",
                      run.stdout, re.M)
    together = re.search(r"^concurrency: acknowledged saves ([\d,]+), lost (\d+) \(must be 0\), lost updates (\d+), "
                         r"verify problems (\d+), chain forks (\d+)", run.stdout, re.M)
    assert crash and together, run.stdout
    assert int(crash.group(1).replace(",", "")) > 0  # the writers were killed while saving, not before
    assert crash.groups()[1:] == ("0", "0", "0")
    assert together.groups() == ("20", "0", "0", "0", "0")  # 1 process x 2 threads x 10 saves, all there
    assert "Result: nothing lost" in run.stdout


def _saved(tmp_path: Path) -> tuple[str, list[Ack], list[int]]:
    """An audit with three acknowledged saves made through the core (two on the same record)."""
    target = str(tmp_path / "audit.db")
    db = small_audit(target)
    svc = AuditService(db, "Crash Writer")
    with db.session() as s:
        items = list(s.scalars(select(AuditItem.id).order_by(AuditItem.id)))
    acks = []
    for n, item in enumerate([items[0], items[1], items[0]]):
        value = f"t:w0:t0:n{n}:0000000{n}"
        body = body_for(value, n)
        svc.save_verdict(item, body)
        acks.append(Ack(item, value, digest(body.to_json())))
    db.close()
    return target, acks, items


def test_every_acknowledged_save_found_is_not_lost(tmp_path: Path) -> None:
    target, acks, _ = _saved(tmp_path)
    fig = Figures(acknowledged=len(acks))
    check_database(target, acks, fig, all_acknowledged=True)
    assert (fig.lost, fig.lost_updates, fig.problems, fig.forks, fig.failed) == ([], [], [], 0, False)


def test_an_acknowledgement_the_database_lacks_or_holds_otherwise_is_lost(tmp_path: Path, capsys) -> None:
    target, acks, items = _saved(tmp_path)
    lines = [f'ACK {{"item": {a.item}, "value": "{a.value}", "digest": "{a.digest}"}}\n' for a in acks]
    lines.append(f'ACK {{"item": {items[2]}, "value": "t:w0:t0:n9:never", "digest": "{"0" * 64}"}}\n')  # not saved
    lines.append(f'ACK {{"item": {items[1]}, "value": "{acks[1].value}", "digest": "{"1" * 64}"}}\n')  # other answers
    lines.append('ACK {"item": 1, "value": "cut short by the kill"')  # no newline: never acknowledged
    told = read_acks(lines)
    assert len(told) == 5
    fig = Figures(acknowledged=len(told))
    check_database(target, told, fig)
    assert fig.failed and len(fig.lost) == 2
    assert "t:w0:t0:n9:never" in fig.lost[0] and "not in the history" in fig.lost[0]
    assert acks[1].value in fig.lost[1] and "other content" in fig.lost[1]
    report("crash", fig, sys.stdout)
    assert "lost 2 (must be 0)" in capsys.readouterr().out


def test_a_lost_update_and_a_fork_are_counted(tmp_path: Path) -> None:
    target, acks, items = _saved(tmp_path)
    db = Database(target)
    with db.session() as s:  # the first save's answers back over the later one: a lost update
        first = s.scalar(select(VerdictChange.new_body).where(VerdictChange.action == "set")
                         .order_by(VerdictChange.id).limit(1))
        s.execute(update(Verdict).where(Verdict.item_id == items[0]).values(body=first))
    db.close()
    fig = Figures()
    check_database(target, acks, fig, all_acknowledged=True)
    assert fig.failed and any(f"item {items[0]}:" in x and "last acknowledged write" in x for x in fig.lost_updates)
    assert fig.lost == []  # every save is in the history: it is the verdict that lost the last one

    db = Database(target)
    with db.session() as s:  # the last row chained to the row the one before it follows: a fork
        last, before = s.scalars(select(VerdictChange).order_by(VerdictChange.id.desc()).limit(2)).all()
        last.prev_hash = before.prev_hash
    with db.snapshot() as s:
        assert forks(s) == 1
    db.close()
