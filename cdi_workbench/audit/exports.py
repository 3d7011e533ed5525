"""Every export checks the person's role in the core and goes in the hash-chained trail.

An export carries records and verdicts out of the audit, where the workbench no longer guards them: so each is
allowed only to the roles that may see what it holds (audit.roles: the verdicts file to the lead and auditors,
a record's history to those who may read it, a draw list to those who draw samples, a package to those who carry
records offline, as the assignment allows) and leaves a history row of kind 'export': who exported what, when,
to which file. `cdi verify` checks those rows with the rest of the chain.

    exported(db, user, "export verdicts", "verdicts", path, write)

checks the role, calls write(person) to write the file (returning what to note about it: rows, sample, ...) and
then records it; a file whose export cannot be recorded (a read-only database, say) is removed again.

    with noting(details):   # e.g. {"pseudonymised": {...}}: what every export row written in the block notes too
        export_findings(db, user, findings, path)

lets a caller add to the row of an export made by a function it does not own (the findings and verdicts writers);
a row noting "pseudonymised" says so in its reason too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from ..storage.models import VerdictChange
from ..timeutil import now_utc
from .roles import Person, require
from .trail import EXPORT, seal

UNNAMED = "(no name given)"  # single-user mode, nobody named: the export is still recorded
SCREEN = "(the screen)"  # written to standard output, not a file

T = TypeVar("T")
# What the export rows written in a `noting` block note besides their own details (this thread's, this block's).
_NOTING: ContextVar[Mapping[str, Any] | None] = ContextVar("cdi_export_noting", default=None)


@contextmanager
def noting(details: Mapping[str, Any]) -> Iterator[None]:
    """Every export recorded in this block notes `details` too. They are read when the row is written, so a dict the
    caller fills in while the file is written (the pseudonymiser's counts) is noted as it then stands."""
    token = _NOTING.set(details)
    try:
        yield
    finally:
        _NOTING.reset(token)


def allowed(db: Any, user: str, action: str) -> Person:  # noqa: ANN401 (a storage.database.Database)
    """The person exporting, if their role allows `action` (roles.NotAllowed if not)."""
    return require(db, user, action)


def file_name(path: str | Path | None) -> str:
    return SCREEN if path is None else Path(path).name


def record_in(s: Session, person: Person, what: str, path: str | Path | None, item_id: int = 0,
              **details: Any) -> VerdictChange:  # noqa: ANN401
    """Add the export's history row in this unit of work."""
    name = file_name(path)
    body: dict[str, Any] = {"what": what, "file": name}
    body.update({k: v for k, v in {**(_NOTING.get() or {}), **details}.items() if v is not None})
    reason = f"exported {what} to {name}" + (", pseudonymised" if body.get("pseudonymised") else "")
    change = VerdictChange(item_id=item_id, role=EXPORT, at=now_utc(), who=person.name or UNNAMED, action=EXPORT,
                           old_body=None, new_body=body, reason=reason)
    seal(s, change)
    s.add(change)
    s.flush()
    return change


def record(db: Any, person: Person, what: str, path: str | Path | None, item_id: int = 0,  # noqa: ANN401
           **details: Any) -> None:  # noqa: ANN401
    """The export's history row, in a unit of work of its own."""
    with db.session() as s:
        record_in(s, person, what, path, item_id, **details)


def exported(db: Any, user: str, action: str, what: str, path: str | Path | None,  # noqa: ANN401
             write: Callable[[Person], T], details: Callable[[T], Mapping[str, Any]] | None = None,
             item_id: int = 0) -> T:
    """Check the role, write the file (write(person)), record the export; write's result is returned.

    `details` turns that result into what the history row notes beside the file's name (e.g. rows written). If
    the export cannot be recorded, the file written is removed and the error raised: no export goes unrecorded."""
    person = allowed(db, user, action)
    result = write(person)
    try:
        record(db, person, what, path, item_id, **(dict(details(result)) if details else {}))
    except BaseException:
        if path is not None:
            Path(path).unlink(missing_ok=True)
        raise
    return result
