"""Crash and concurrency (issue 12): verdict writers killed at random, and many writers at once, lose nothing.

Not a timed test: it prints counts, and exits 1 if anything was lost.

**Crash.** A writer process saves verdicts through the real core (AuditService.save_verdict) on the audit of
tests/builders.small_audit, one after another, and after each save returns prints an acknowledgement to its
standard output, flushed: the item, a value unique to that save (the verdict's rationale) and the digest of the
answers saved. The parent kills it with SIGKILL at a random moment (seeded), --trials times: mostly a random
time after the writer is ready (so mid-save, mid-commit or between saves), sometimes while it is still starting.
After each kill it opens the database again and checks every acknowledged save of that trial: its history row is
there once, with exactly the answers acknowledged; `trail.verify` finds nothing. At the end every acknowledged
save of every trial is checked again from scratch, every verdict is the last its history records, and the chain
has no fork (no two history rows follow the same row).

**Concurrency.** --processes processes of --threads threads each (every thread its own AuditService) save
--saves verdicts each to the same few records, started together. Then: every acknowledged save is in the
history with its answers; every record's verdict is the last acknowledged write for it in the history's order
(0 lost updates); no save was written that was not acknowledged; `trail.verify` finds nothing; no fork.

SQLite by default (a temporary file); --pg-url URL runs both parts on PostgreSQL, in that database, which must
be empty (create one first: psql -c 'CREATE DATABASE cdi_crash').

    .venv/bin/python -m benchmarks.crash_kill                          # 200 trials, 4 x 4 writers, SQLite
    .venv/bin/python -m benchmarks.crash_kill --trials 50 --pg-url postgresql+psycopg2://postgres@host/cdi_crash
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # also runnable as a script

from sqlalchemy import func, inspect, select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from cdi_workbench.audit.service import AuditService  # noqa: E402
from cdi_workbench.audit.trail import verify  # noqa: E402
from cdi_workbench.audit.verdicts import VerdictBody  # noqa: E402
from cdi_workbench.kinds import VerdictRole  # noqa: E402
from cdi_workbench.storage.database import Database, is_url  # noqa: E402
from cdi_workbench.storage.models import AuditItem, Verdict, VerdictChange  # noqa: E402

ACK = "ACK "  # an acknowledgement line: ACK {"item": ..., "value": ..., "digest": ...}
READY = "READY"
EARLY_KILLS = 0.1  # the share of trials killed while the writer is still starting (importing, opening)
WRITER = "Crash Writer"


# ---- what a save writes and acknowledges ------------------------------------------------------------------
def body_for(value: str, n: int) -> VerdictBody:
    """The answers saved under `value` (its rationale): varied a little, so a save is more than one field."""
    return VerdictBody(rationale=value, zero_status=n % 3 == 0, complete=n % 2 == 0)


def digest(body: dict[str, Any] | None) -> str:
    """The digest of answers as stored (canonical JSON)."""
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Ack:
    """A save the writer acknowledged: it returned, so it must be in the database exactly so."""

    item: int
    value: str
    digest: str


def read_acks(lines: Iterable[str]) -> list[Ack]:
    """The acknowledgements in a writer's output: whole lines only (a line cut short by the kill is not one)."""
    out = []
    for line in lines:
        if line.startswith(ACK) and line.endswith("\n"):
            d = json.loads(line[len(ACK):])
            out.append(Ack(int(d["item"]), str(d["value"]), str(d["digest"])))
    return out


# ---- the writer (a child process) -------------------------------------------------------------------------
def writer(a: argparse.Namespace) -> int:
    """Save verdicts (a.saves per thread, 0: until killed), acknowledging each on stdout once it has returned."""
    db = Database(a.target)
    items = [int(i) for i in a.items.split(",")]
    lock = threading.Lock()
    failures: list[str] = []

    def say(line: str) -> None:
        with lock:
            sys.stdout.write(line + "\n")
            sys.stdout.flush()

    def work(t: int) -> None:
        svc = AuditService(db, f"{WRITER} {a.worker}.{t}")
        rng = random.Random(f"{a.seed}:{a.tag}:{a.worker}:{t}")
        n = 0
        try:
            while a.saves == 0 or n < a.saves:
                item = rng.choice(items)
                value = f"{a.tag}:w{a.worker}:t{t}:n{n}:{rng.getrandbits(32):08x}"
                body = body_for(value, n)
                svc.save_verdict(item, body)
                say(ACK + json.dumps({"item": item, "value": value, "digest": digest(body.to_json())}))
                n += 1
        except Exception as exc:  # noqa: BLE001 (reported: the parent counts the writer as failed)
            failures.append(f"thread {t}: {type(exc).__name__}: {exc}")

    say(READY)
    if a.wait:
        sys.stdin.readline()  # GO: every process starts together
    threads = [threading.Thread(target=work, args=(t,)) for t in range(a.threads)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    db.close()
    for f in failures:
        print(f"writer {a.worker}: {f}", file=sys.stderr)
    return 1 if failures else 0


def _spawn(target: str, items: list[int], tag: str, worker: int, seed: int, threads: int, saves: int,
           wait: bool) -> subprocess.Popen[str]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "writer", target, "--items", ",".join(map(str, items)),
           "--tag", tag, "--worker", str(worker), "--seed", str(seed), "--threads", str(threads),
           "--saves", str(saves)] + (["--wait"] if wait else [])
    return subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            bufsize=1)


class _Reader(threading.Thread):
    """Collects a stream's lines as they come (the kill may land at any moment)."""

    def __init__(self, stream: IO[str]) -> None:
        super().__init__(daemon=True)
        self.stream, self.lines = stream, []  # type: list[str]
        self.ready = threading.Event()

    def run(self) -> None:
        while line := self.stream.readline():
            self.lines.append(line)
            if line == READY + "\n":
                self.ready.set()


# ---- the checks -------------------------------------------------------------------------------------------
@dataclass
class Figures:
    acknowledged: int = 0
    lost: list[str] = field(default_factory=list)  # acknowledged, and not in the database as acknowledged
    unacknowledged: int = 0  # saved but not acknowledged (killed between the commit and the print: allowed)
    lost_updates: list[str] = field(default_factory=list)
    forks: int = 0
    problems: list[str] = field(default_factory=list)  # trail.verify's findings
    writer_errors: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return bool(self.lost or self.lost_updates or self.forks or self.problems or self.writer_errors)


def saves_in(s: Session, after: int = 0) -> dict[str, list[tuple[int, int, str]]]:
    """The verdict saves in the history after row `after`: rationale -> [(row id, item, digest of the answers)]."""
    out: dict[str, list[tuple[int, int, str]]] = {}
    for ch in s.scalars(select(VerdictChange).where(VerdictChange.id > after, VerdictChange.action == "set",
                                                    VerdictChange.role == VerdictRole.PRIMARY)
                        .order_by(VerdictChange.id)):
        value = (ch.new_body or {}).get("rationale", "")
        out.setdefault(value, []).append((ch.id, ch.item_id, digest(ch.new_body)))
    return out


def check_acks(s: Session, acks: list[Ack], after: int = 0) -> list[str]:
    """Each acknowledged save that is not in the history (after row `after`) exactly once, on its record, with
    exactly the answers acknowledged."""
    saved = saves_in(s, after)
    lost = []
    for ack in acks:
        rows = saved.get(ack.value, [])
        if not rows:
            lost.append(f"{ack.value} (item {ack.item}): acknowledged, not in the history")
        elif len(rows) > 1:
            lost.append(f"{ack.value} (item {ack.item}): in the history {len(rows)} times")
        elif rows[0][1] != ack.item or rows[0][2] != ack.digest:
            lost.append(f"{ack.value} (item {ack.item}): in the history with other content (history row "
                        f"{rows[0][0]}, item {rows[0][1]})")
    return lost


def check_final(s: Session, acks: list[Ack], after: int = 0, all_acknowledged: bool = False) -> list[str]:
    """Lost updates: each record's verdict must be the answers of its last history row (after row `after`) and,
    with all_acknowledged (nobody was killed), that row must be the last acknowledged write to the record."""
    saved = saves_in(s, after)
    last_ack: dict[int, tuple[int, Ack]] = {}
    for ack in acks:
        rows = saved.get(ack.value, [])
        if rows and (ack.item not in last_ack or rows[0][0] > last_ack[ack.item][0]):
            last_ack[ack.item] = (rows[0][0], ack)
    last_row: dict[int, tuple[int, str]] = {}
    for rows in saved.values():
        for row_id, item, dig in rows:
            if item not in last_row or row_id > last_row[item][0]:
                last_row[item] = (row_id, dig)
    out = []
    for item in sorted(set(last_ack) | set(last_row)):
        body = s.scalar(select(Verdict.body).where(Verdict.item_id == item, Verdict.role == VerdictRole.PRIMARY))
        if item in last_row and digest(body) != last_row[item][1]:
            out.append(f"item {item}: its verdict is not its last saved answers (history row {last_row[item][0]})")
        if all_acknowledged and item in last_ack and digest(body) != last_ack[item][1].digest:
            out.append(f"item {item}: its verdict is not the last acknowledged write ({last_ack[item][1].value})")
    return out


def forks(s: Session) -> int:
    """History rows that follow a row another row already follows (a fork of the chain)."""
    dup = select(VerdictChange.prev_hash, (func.count() - 1).label("extra")).group_by(VerdictChange.prev_hash) \
        .having(func.count() > 1).subquery()
    return int(s.scalar(select(func.coalesce(func.sum(dup.c.extra), 0))) or 0)


def last_row(s: Session) -> int:
    return int(s.scalar(select(func.max(VerdictChange.id))) or 0)


def check_database(target: str, acks: list[Ack], fig: Figures, after: int = 0, tags: tuple[str, ...] = (),
                   all_acknowledged: bool = False) -> int:
    """Open the database afresh and check `acks` (saves after history row `after`), the trail and the chain;
    adds to `fig`. Returns the last history row. `tags`: count the saves with these tags nobody acknowledged."""
    db = Database(target)
    try:
        with db.snapshot() as s:
            fig.lost += check_acks(s, acks, after)
            fig.lost_updates += check_final(s, acks, after, all_acknowledged)
            fig.problems += [str(p) for p in verify(s)]
            fig.forks = forks(s)
            if tags:
                known = {a.value for a in acks}
                fig.unacknowledged += sum(len(rows) for v, rows in saves_in(s, after).items()
                                          if v.split(":", 1)[0] in tags and v not in known)
            return last_row(s)
    finally:
        db.close()


# ---- the two parts ----------------------------------------------------------------------------------------
def crash(target: str, items: list[int], trials: int, seed: int, max_delay: float, out: IO[str]) -> Figures:
    rng = random.Random(seed)
    fig = Figures()
    every: list[Ack] = []
    after = 0
    for trial in range(trials):
        tag = f"k{trial}"
        proc = _spawn(target, items, tag, 0, seed, threads=1, saves=0, wait=False)
        assert proc.stdout is not None and proc.stderr is not None
        reader = _Reader(proc.stdout)
        reader.start()
        if rng.random() < EARLY_KILLS:
            time.sleep(rng.uniform(0, 1.0))  # still importing, or opening the database
        else:
            if not reader.ready.wait(120):
                fig.writer_errors.append(f"trial {trial}: the writer never became ready")
            time.sleep(rng.uniform(0, max_delay))
        exited = proc.poll()
        if exited is None:
            proc.send_signal(signal.SIGKILL)
        proc.wait()
        reader.join()
        err = proc.stderr.read()
        for stream in (proc.stdin, proc.stderr):
            if stream is not None:
                stream.close()
        if exited is not None:
            fig.writer_errors.append(f"trial {trial}: the writer stopped by itself ({exited}): {err.strip()[-300:]}")
        acks = read_acks(reader.lines)
        every += acks
        fig.acknowledged += len(acks)
        after = check_database(target, acks, fig, after, tags=(tag,))
        if (trial + 1) % 25 == 0 or trial + 1 == trials:
            print(f"  crash: {trial + 1} trials, {fig.acknowledged:,} acknowledged saves, lost {len(fig.lost)}, "
                  f"verify problems {len(fig.problems)}", file=out, flush=True)
    final = Figures()  # every acknowledged save of every trial again, from scratch
    check_database(target, every, final)
    fig.lost += [f"(final check) {x}" for x in final.lost if x not in fig.lost]
    fig.lost_updates += final.lost_updates
    fig.problems += [p for p in final.problems if p not in fig.problems]
    fig.forks = final.forks
    return fig


def concurrency(target: str, items: list[int], processes: int, threads: int, saves: int, seed: int) -> Figures:
    fig = Figures()
    db = Database(target)
    try:
        with db.snapshot() as s:
            after = last_row(s)
    finally:
        db.close()
    procs = [_spawn(target, items, "c", w, seed, threads, saves, wait=True) for w in range(processes)]
    readers = []
    for p in procs:
        assert p.stdout is not None
        r = _Reader(p.stdout)
        r.start()
        readers.append(r)
    for r in readers:
        if not r.ready.wait(120):
            fig.writer_errors.append("a writer never became ready")
    for p in procs:
        assert p.stdin is not None
        p.stdin.write("GO\n")
        p.stdin.flush()
    acks: list[Ack] = []
    for w, (p, r) in enumerate(zip(procs, readers, strict=True)):
        try:
            rc = p.wait(timeout=1800)
        except subprocess.TimeoutExpired:
            p.kill()
            rc = p.wait()
        r.join()
        assert p.stderr is not None
        err = p.stderr.read()
        for stream in (p.stdin, p.stderr):
            if stream is not None:
                stream.close()
        if rc != 0:
            fig.writer_errors.append(f"writer {w} exited {rc}: {err.strip()[-300:]}")
        acks += read_acks(r.lines)
    fig.acknowledged = len(acks)
    check_database(target, acks, fig, after, tags=("c",), all_acknowledged=True)
    return fig


def _items(target: str) -> list[int]:
    db = Database(target)
    try:
        with db.session() as s:
            return list(s.scalars(select(AuditItem.id).order_by(AuditItem.id)))
    finally:
        db.close()


def _build(target: str) -> None:
    from tests.builders import small_audit

    small_audit(target).close()


def _empty(url: str) -> bool:
    from sqlalchemy import create_engine

    engine = create_engine(url)
    try:
        return not inspect(engine).get_table_names()
    finally:
        engine.dispose()


def report(label: str, fig: Figures, out: IO[str]) -> None:
    for what, found in (("lost", fig.lost), ("lost update", fig.lost_updates), ("verify", fig.problems),
                        ("writer", fig.writer_errors)):
        for x in found[:20]:
            print(f"  {what}: {x}", file=out)
        if len(found) > 20:
            print(f"  {what}: ... and {len(found) - 20} more", file=out)
    print(f"{label}: acknowledged saves {fig.acknowledged:,}, lost {len(fig.lost)} (must be 0), "
          f"lost updates {len(fig.lost_updates)}, verify problems {len(fig.problems)}, chain forks {fig.forks}, "
          f"writer errors {len(fig.writer_errors)}", file=out)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="mode")
    w = sub.add_parser("writer", help="(internal) the writer process")
    w.add_argument("target")
    w.add_argument("--items", required=True)
    w.add_argument("--tag", required=True)
    w.add_argument("--worker", type=int, default=0)
    w.add_argument("--seed", type=int, default=0)
    w.add_argument("--threads", type=int, default=1)
    w.add_argument("--saves", type=int, default=0, help="per thread; 0: until killed")
    w.add_argument("--wait", action="store_true", help="wait for a line on stdin before saving")
    p.add_argument("--trials", type=int, default=200, help="writers killed (default 200)")
    p.add_argument("--processes", type=int, default=4)
    p.add_argument("--threads", type=int, default=4)
    p.add_argument("--saves", type=int, default=25, help="saves per thread in the concurrency part (default 25)")
    p.add_argument("--seed", type=int, default=12)
    p.add_argument("--max-delay", type=float, default=0.5,
                   help="seconds: each kill lands at a random time up to this after the writer is ready")
    p.add_argument("--pg-url", help="run on this PostgreSQL database (it must be empty) instead of SQLite")
    p.add_argument("--sqlite", help="the SQLite file to use (default: a temporary file, removed afterwards)")
    a = p.parse_args(argv)
    if a.mode == "writer":
        return writer(a)
    out = sys.stdout
    with tempfile.TemporaryDirectory() as tmp:
        target = a.pg_url or a.sqlite or str(Path(tmp) / "crash.db")
        if a.pg_url and not is_url(a.pg_url):
            p.error("--pg-url takes a database URL")
        if a.pg_url and not _empty(a.pg_url):
            print(f"crash_kill: {a.pg_url} is not empty: give a fresh database (CREATE DATABASE ...)", file=sys.stderr)
            return 2
        if not a.pg_url and os.path.exists(target):
            print(f"crash_kill: {target} exists: give a new file", file=sys.stderr)
            return 2
        _build(target)
        items = _items(target)
        where = "PostgreSQL" if a.pg_url else "SQLite"
        print(f"Crash and concurrency on {where}: {len(items)} records, seed {a.seed}", file=out, flush=True)
        crashed = crash(target, items, a.trials, a.seed, a.max_delay, out)
        print(f"crash: {a.trials} trials (SIGKILL at a random moment), committed but killed before acknowledging "
              f"{crashed.unacknowledged} (allowed)", file=out)
        report("crash", crashed, out)
        together = concurrency(target, items, a.processes, a.threads, a.saves, a.seed) \
            if a.processes and a.threads and a.saves else Figures()
        print(f"concurrency: {a.processes} processes x {a.threads} threads x {a.saves} saves on {len(items)} "
              f"records, saved but not acknowledged {together.unacknowledged} (must be 0)", file=out)
        report("concurrency", together, out)
        failed = crashed.failed or together.failed or together.unacknowledged > 0
        print(f"Result: {'FAILED' if failed else 'nothing lost'}", file=out)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
