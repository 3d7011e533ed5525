"""The trail's anchor: the head of the history as a report or a package issued it, checked against the database.

Every report (JSON, Excel, PDF) and every package carries the head of the audit's history when it was made:
how many rows the history had and the digest of the last (trail.trail_head). Each row's digest covers the row
before it, so that digest stands for every row up to it. `cdi verify DB --against REPORT.json|PACKAGE|HASH:COUNT`
chains the first COUNT rows of today's history again from their content (the digests stored are not trusted)
and compares the result with HASH: equal, and the history issued then is an unchanged prefix of today's; fewer
rows, and rows were cut (or the history wiped); another digest, and the history was rewritten, even if whoever
rewrote it worked every digest out again with the workbench's own function (nothing kept beside the data can
show that; a digest printed in a report that has left the building can). docs/security.md.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from .trail import prefix_head, trail_head

_HASH = re.compile(r"[0-9a-fA-F]{64}")


class AnchorError(ValueError):
    """Something given as an anchor that is not one (a file without a trail head, a malformed HASH:COUNT)."""


@dataclass(frozen=True)
class Anchor:
    """A trail head as issued: `rows` history rows, the last with digest `head`; `source` says where it came from."""

    rows: int
    head: str
    source: str = ""

    @property
    def text(self) -> str:
        """HASH:COUNT, as `cdi verify --against` takes it."""
        return f"{self.head}:{self.rows}"


def head_dict(rows: int, head: str) -> dict[str, Any]:
    """A trail head as reports and packages carry it ({"rows": ..., "head": ...})."""
    return {"rows": rows, "head": head}


def head_text(rows: int, head: str) -> str:
    """A trail head for people: '1,234 rows, head 3f2a...' with the HASH:COUNT to check it by."""
    return f"{rows:,} rows, head {head} (check: cdi verify DATABASE --against {head}:{rows})"


def _from_dict(value: Any, source: str) -> Anchor:
    if not isinstance(value, dict):
        raise AnchorError(f"{source} holds no trail head (made before reports carried one?)")
    rows, head = value.get("rows"), value.get("head")
    if not isinstance(rows, int) or isinstance(rows, bool) or rows < 0 or not isinstance(head, str) \
            or not _HASH.fullmatch(head):
        raise AnchorError(f"{source}: the trail head it holds is not one ({value!r:.120})")
    return Anchor(rows, head.lower(), source)


def parse(text: str) -> Anchor:
    """HASH:COUNT (or COUNT:HASH) as given on the command line."""
    parts = [p.strip().replace(",", "") for p in text.strip().split(":")]
    if len(parts) == 2:
        for h, n in (parts, parts[::-1]):
            if _HASH.fullmatch(h) and n.isdigit():
                return Anchor(int(n), h.lower(), f"{h[:12]}...:{n}")
    raise AnchorError(f"{text!r} is neither a findings JSON file, a package (.cdipkg) nor HASH:COUNT (the 64-digit "
                      "head and the number of rows a report prints)")


def read_anchor(given: str) -> Anchor:
    """The anchor in a findings JSON file (audit.trail), a package (its manifest's "trail": the audit's head when
    it was exported), or HASH:COUNT."""
    path = Path(given)
    if not path.is_file():
        return parse(given)
    if is_package(path):
        return _from_package(path)
    return report_anchor(read_report(path), path.name)


def is_package(path: Path) -> bool:
    """A SQLite file (a package, or an audit database; plain or encrypted), not a report."""
    from ..storage.encryption import is_encrypted

    with path.open("rb") as fh:
        return fh.read(16).startswith(b"SQLite format 3") or is_encrypted(path)


def read_report(path: Path) -> dict[str, Any]:
    """A findings JSON report as a document (AnchorError when the file is not one)."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise AnchorError(f"{path.name} is neither a findings JSON file nor a package: for a PDF or Excel report, "
                          f"give the HASH:COUNT its first page prints ({exc})") from None
    if not isinstance(doc, dict):
        raise AnchorError(f"{path.name} is not a findings JSON report")
    return doc


def report_anchor(doc: dict[str, Any], source: str) -> Anchor:
    """The trail head a findings JSON document carries (audit.trail)."""
    audit = doc.get("audit")
    return _from_dict(audit.get("trail") if isinstance(audit, dict) else None, source)


def _from_package(path: Path) -> Anchor:
    """A package's manifest, read from a private copy opened as any package is (schema checked first)."""
    from ..packages.common import MANIFEST_KEY, read_json
    from ..storage.database import Database

    with tempfile.TemporaryDirectory() as tmp:
        copied = Path(tmp) / path.name
        shutil.copyfile(path, copied)
        for side in ("-wal", "-journal"):
            if Path(f"{path}{side}").exists():
                shutil.copyfile(f"{path}{side}", f"{copied}{side}")
        db = Database(copied)
        try:
            with db.session() as s:
                manifest = read_json(s, MANIFEST_KEY)
        finally:
            db.close()
    if not isinstance(manifest, dict):
        raise AnchorError(f"{path.name} is an audit database, not a package: give a report or a package made "
                          "from it, or HASH:COUNT")
    return _from_dict(manifest.get("trail"), path.name)


@dataclass(frozen=True)
class AnchorCheck:
    """What checking an anchor found: `intact` and, in words, what (and, when not, what differs)."""

    anchor: Anchor
    rows_now: int
    head_now: str
    intact: bool
    message: str


def check(s: Session, anchor: Anchor, stop: Callable[[], bool] | None = None) -> AnchorCheck:
    """Is the history issued then (anchor.rows rows ending in anchor.head) the first rows of today's, unchanged?"""
    rows_now, head_now = trail_head(s)
    got, head = prefix_head(s, anchor.rows, stop)
    where = f" ({anchor.source})" if anchor.source else ""
    if got < anchor.rows:
        if rows_now == 0:
            what = "the whole history was wiped"
        else:
            what = f"{anchor.rows - got:,} rows were cut (removed, with whatever they recorded)"
        return AnchorCheck(anchor, rows_now, head_now, False,
                           f"the history has {rows_now:,} rows where {anchor.rows:,} had been issued{where}: {what}")
    if head != anchor.head:
        return AnchorCheck(anchor, rows_now, head_now, False,
                           f"the first {anchor.rows:,} rows of the history no longer chain to the head issued"
                           f"{where} ({anchor.head}; today they give {head}): the history issued then was "
                           "rewritten")
    later = rows_now - anchor.rows
    return AnchorCheck(anchor, rows_now, head_now, True,
                       f"the history issued then is intact: its {anchor.rows:,} rows (head {anchor.head}){where} are "
                       f"the first rows of today's, unchanged" + (f" ({later:,} added since)" if later else ""))
