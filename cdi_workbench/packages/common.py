"""What export and merge share: the package's manifest, the audit database's identity, verdict hashes."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..audit.roles import NotAllowed, Person
from ..audit.verdicts import VerdictBody
from ..storage.models import AppUser, AuditSetting, VerdictChange
from ..storage.settings import get_setting, put_setting  # noqa: F401 (also imported from here by export and merge)

FORMAT = 1
MARKING = "OFFICIAL-SENSITIVE"  # the records describe victims of crime: the manifest carries the marking
SUFFIX = ".cdipkg"
MANIFEST_KEY = "package:manifest"  # in the package: what it holds and where from (JSON)
UID_KEY = "audit_uid"  # in the audit database: its identity, made on the first export
EXPORT_KEY = "package-export:"  # + package id, in the audit database: who exported what, when
MERGE_KEY = "package-merge:"  # + package id, in the audit database: what each merge took or kept (the new base)
# in the audit database only, never in a package: the key that binds each package to what it was issued for
SECRET_KEY = "package:secret"
ISSUE, MAC = "issue", "mac"  # in the manifest: what the package was issued for, and its HMAC-SHA256
ISSUED_ITEM = ("item_id", "position", "kind", "ref", "base")  # what the issue description binds of each item


class PackageError(Exception):
    """A package that cannot be written or merged, with a message fit to show the user."""


def body_hash(body: dict[str, Any] | None) -> str | None:
    """A digest of a verdict's answers, in their canonical form; None when there is no verdict."""
    if body is None:
        return None
    canon = json.dumps(VerdictBody.from_json(body).to_json(), sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canon.encode("utf-8")).hexdigest()


def read_json(s: Session, key: str) -> Any:
    text = get_setting(s, key)
    return json.loads(text) if text else None


def put_json(s: Session, key: str, value: Any) -> None:
    put_setting(s, key, json.dumps(value, sort_keys=True, ensure_ascii=False))


def audit_uid(s: Session, create: bool = False) -> str | None:
    """This audit database's identity (a random id kept in audit_setting); made on first need if `create`."""
    uid = get_setting(s, UID_KEY)
    if uid is None and create:
        uid = uuid.uuid4().hex
        s.add(AuditSetting(key=UID_KEY, value=uid))
        s.flush()
    return uid


def package_secret(s: Session, create: bool = False) -> bytes | None:
    """This audit database's package key (32 random bytes kept in audit_setting, never copied into a package);
    made on first need if `create`."""
    key = get_setting(s, SECRET_KEY)
    if key is None and create:
        key = secrets.token_hex(32)
        s.add(AuditSetting(key=SECRET_KEY, value=key))
        s.flush()
    return bytes.fromhex(key) if key else None


def issue_mac(secret: bytes, issue: dict[str, Any]) -> str:
    """HMAC-SHA256 of an issue description (package id, database, items, person, roles, blind) in canonical JSON."""
    canon = json.dumps(issue, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hmac.new(secret, canon.encode("utf-8"), hashlib.sha256).hexdigest()


def person_named(s: Session, name: str) -> Person:
    """The registered person of that name (not the login: someone else than who is acting), as their role here;
    anyone in single-user mode (nobody registered)."""
    if s.scalar(select(func.count()).select_from(AppUser)) == 0:
        return Person(name.strip(), "everything", False)
    user = s.scalar(select(AppUser).where(func.lower(AppUser.name) == name.strip().lower()))
    if user is None:
        raise NotAllowed(f"{name.strip() or '(nobody)'} is not registered for this audit")
    if not user.active:
        raise NotAllowed(f"{user.name} no longer works on this audit")
    return Person(user.name, user.role, True)


def last_change(s: Session, item_id: int, role: str) -> VerdictChange | None:
    """The latest history row that set this verdict (flags left out)."""
    return s.scalar(select(VerdictChange).where(VerdictChange.item_id == item_id, VerdictChange.role == role,
                                                VerdictChange.action != "flag")
                    .order_by(VerdictChange.id.desc()).limit(1))


def parse_positions(text: str) -> list[int]:
    """'1-20,25' as sorted positions; raises PackageError on anything else."""
    out: set[int] = set()
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        m = re.fullmatch(r"(\d+)\s*(?:-\s*(\d+))?", part)
        if m is None:
            raise PackageError(f"{part!r} is not a position or a range of positions (e.g. 1-20,25)")
        first, last = int(m.group(1)), int(m.group(2) or m.group(1))
        if first < 1 or last < first:
            raise PackageError(f"{part!r}: positions count from 1 and a range goes upwards")
        out.update(range(first, last + 1))
    if not out:
        raise PackageError("give at least one position (e.g. 1-20,25)")
    return sorted(out)


def format_positions(positions: list[int]) -> str:
    """[1, 2, 3, 7] as '1-3, 7'."""
    runs: list[list[int]] = []
    for p in sorted(positions):
        if runs and p == runs[-1][1] + 1:
            runs[-1][1] = p
        else:
            runs.append([p, p])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in runs)
