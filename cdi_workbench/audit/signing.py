"""Signed trail heads: a person's Ed25519 key vouches for the head a findings JSON report issued.

The anchor (audit.anchor) proves that the history a report issued is still the first rows of today's. It does not
say who issued that head: whoever can rewrite a SQLite file can also write a new report with a new head. A lead
who signs the report with a key only they hold (`cdi sign DB REPORT.json --key KEY`) can later prove which head
they issued: `cdi verify DB --against REPORT.json --public-key KEY.pub` refuses a report whose head, identity or
figures were changed after signing, a signature made with another key, and a report that carries none.

What is signed (the "statement", kept in the report beside the anchor as audit.trail_signature): the head (rows
and digest), the audit database's identity (its id, force, period and rule set), the digest of the rest of the
report (every figure), who signed and when. The signature is Ed25519 (the `cryptography` package) over the
statement in canonical JSON. The private key is kept in a file encrypted with a passphrase (PKCS #8, the best
encryption `cryptography` offers); the public key beside it (KEY.pub, PEM) is what others check with.
docs/security.md says what the signature proves and what it does not.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy.orm import Session

from ..timeutil import display, now_utc
from .anchor import Anchor

if TYPE_CHECKING:
    from ..storage.database import Database

SIGNATURE = "trail_signature"  # the key of the signature in a findings JSON's "audit", beside its "trail"
PURPOSE = "CDI Workbench: the trail head of an audit, as issued in a findings report"
VERSION = 1


class SigningError(ValueError):
    """A key, a passphrase or a report that cannot be used to sign or to check a signature, in words."""


def public_path(private: Path) -> Path:
    """Where the public key of the private key file `private` is written: beside it, with .pub added."""
    return private.with_name(private.name + ".pub")


def key_id(public: Ed25519PublicKey) -> str:
    """A short name for a public key: the first 16 hex digits of the SHA-256 of its 32 bytes."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def new_key(out: Path, passphrase: bytes, overwrite: bool = False) -> tuple[Path, str]:
    """Make a key pair: the private key in `out` (encrypted with the passphrase, readable by its owner only), the
    public key beside it (public_path). Returns the public key's path and its id. An existing file is refused
    unless `overwrite` (a key replaced cannot sign as the old one)."""
    if not passphrase:
        raise SigningError("a key needs a passphrase (an empty one would leave the private key readable by anyone "
                           "who copies the file)")
    pub_path = public_path(out)
    if not overwrite:
        for path in (out, pub_path):
            if path.exists():
                raise SigningError(f"{path} exists: a key is never overwritten unless asked (--force)")
    key = Ed25519PrivateKey.generate()
    private_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.BestAvailableEncryption(passphrase))
    public_pem = key.public_key().public_bytes(serialization.Encoding.PEM,
                                               serialization.PublicFormat.SubjectPublicKeyInfo)
    out.parent.mkdir(parents=True, exist_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if overwrite else os.O_EXCL)
    fd = os.open(out, flags, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(private_pem)
    os.chmod(out, 0o600)  # also when it was overwritten
    pub_path.write_bytes(public_pem)
    return pub_path, key_id(key.public_key())


def load_private(path: Path, passphrase: bytes) -> Ed25519PrivateKey:
    """The private key in `path`, opened with the passphrase."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SigningError(f"cannot read the key {path}: {exc.strerror or exc}") from None
    try:
        key = serialization.load_pem_private_key(data, password=passphrase or None)
    except TypeError:  # not encrypted, or encrypted and no passphrase given
        raise SigningError(f"{path.name}: this key is not protected by a passphrase, or none was given; "
                           "make keys with: cdi keys new") from None
    except (ValueError, UnsupportedAlgorithm):
        raise SigningError(f"{path.name}: the passphrase does not open this key, or it is not a private key made "
                           "by cdi keys new") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningError(f"{path.name} is not an Ed25519 key (make one with: cdi keys new)")
    return key


def load_public(path: Path) -> Ed25519PublicKey:
    """The public key in `path` (PEM, as cdi keys new writes it beside the private key)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SigningError(f"cannot read the public key {path}: {exc.strerror or exc}") from None
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, UnsupportedAlgorithm):
        raise SigningError(f"{path.name} is not a public key (give the .pub file cdi keys new wrote beside the "
                           "private key)") from None
    if not isinstance(key, Ed25519PublicKey):
        raise SigningError(f"{path.name} is not an Ed25519 public key")
    return key


def canonical(value: Any) -> bytes:
    """The one byte form of a JSON value that is signed and checked (sorted keys, no spaces, UTF-8)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def report_digest(doc: dict[str, Any]) -> str:
    """SHA-256 of the report as signed: every key and figure but the signature itself."""
    rest = copy.deepcopy(doc)
    audit = rest.get("audit")
    if isinstance(audit, dict):
        audit.pop(SIGNATURE, None)
    return hashlib.sha256(canonical(rest)).hexdigest()


def identity(s: Session, uid: str | None, name: str | None = None) -> dict[str, Any]:
    """The audit database as a signature names it: its id (packages.common.audit_uid) and the force, period and
    rule set of the audit of the programme the report is of (`name`, as the report's audit.audit says; None: the
    latest, as in a report made before programmes)."""
    from .programme import ProgrammeError, resolve

    try:
        audit = resolve(s, name)
    except ProgrammeError as exc:
        raise SigningError(str(exc)) from None
    return {"uid": uid, "force": audit.force, "period_start": audit.period_start.isoformat(),
            "period_end": audit.period_end.isoformat(), "rule_set": audit.rule_set}


def statement(doc: dict[str, Any], anchor: Anchor, who: str, audit: dict[str, Any], key: Ed25519PublicKey,
              at: datetime | None = None) -> dict[str, Any]:
    """What a signature vouches for."""
    return {"purpose": PURPOSE, "version": VERSION, "rows": anchor.rows, "head": anchor.head, "audit": audit,
            "report_sha256": report_digest(doc), "signed_by": who,
            "signed_at": (at or now_utc()).strftime("%Y-%m-%dT%H:%M:%SZ"), "key": key_id(key)}


def sign(doc: dict[str, Any], stated: dict[str, Any], key: Ed25519PrivateKey) -> dict[str, Any]:
    """The report with the signature of `stated` added beside its anchor (audit.trail_signature)."""
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    out = copy.deepcopy(doc)
    out["audit"][SIGNATURE] = {
        "statement": stated,
        "signature": base64.b64encode(key.sign(canonical(stated))).decode("ascii"),
        "public_key": base64.b64encode(raw).decode("ascii"),
        "algorithm": "Ed25519",
    }
    return out


@dataclass(frozen=True)
class SignatureCheck:
    """What checking a report's signature found: `valid` and, in words, what (or what is wrong)."""

    valid: bool
    message: str


def _refused(why: str) -> SignatureCheck:
    return SignatureCheck(False, f"signature refused: {why}")


def check(doc: dict[str, Any], anchor: Anchor, public: Ed25519PublicKey, audit: dict[str, Any],
          source: str = "the report") -> SignatureCheck:
    """Does the report carry a signature by `public` of its own head, its own figures and this audit database
    (`audit`, identity())? The head itself is checked against the history by audit.anchor.check."""
    block = (doc.get("audit") or {}).get(SIGNATURE)
    if block is None:
        return _refused(f"{source} carries no signature (it was never signed with cdi sign, or the signature was "
                        "removed): nothing shows who issued its head")
    stated = block.get("statement") if isinstance(block, dict) else None
    signature = block.get("signature") if isinstance(block, dict) else None
    if not isinstance(stated, dict) or not isinstance(signature, str):
        return _refused(f"{source}: its signature is not one CDI Workbench writes (no statement or no signature)")
    try:
        raw = base64.b64decode(signature, validate=True)
    except ValueError:
        return _refused(f"{source}: its signature is not valid base64: it was altered")
    try:
        public.verify(raw, canonical(stated))
    except InvalidSignature:
        given = key_id(public)
        if stated.get("key") not in (None, given):
            return _refused(f"{source} was not signed with the key given ({given}): it names key "
                            f"{stated.get('key')}, so either another key signed it or the signature was forged")
        return _refused(f"{source}: the signature does not match what it vouches for, under the key given "
                        f"({given}): the signed head, the statement or the signature was altered, or another key "
                        "signed it")
    if stated.get("purpose") != PURPOSE or stated.get("version") != VERSION:
        return _refused(f"{source}: the key given signed something else, not the trail head of a report")
    if (stated.get("rows"), stated.get("head")) != (anchor.rows, anchor.head):
        return _refused(f"the head {source} carries ({anchor.head}:{anchor.rows}) is not the head that was signed "
                        f"({stated.get('head')}:{stated.get('rows')}): the report's head was changed after signing")
    if stated.get("report_sha256") != report_digest(doc):
        return _refused(f"{source} was changed after it was signed: its figures or other content are not what was "
                        "signed (the head is)")
    if stated.get("audit") != audit:
        differ = sorted(k for k in set(audit) | set(stated.get("audit") or {})
                        if (stated.get("audit") or {}).get(k) != audit.get(k))
        return _refused(f"{source} was signed for another audit database (it differs in: {', '.join(differ)}): "
                        "the head it vouches for is not this database's")
    return SignatureCheck(True, f"signed by {stated.get('signed_by') or 'someone unnamed'} with key "
                                f"{key_id(public)} on {_when(stated.get('signed_at'))}: the head "
                                f"{anchor.head}:{anchor.rows} and the report's figures are as they issued them")


def _when(text: Any) -> str:
    try:
        return display(datetime.fromisoformat(str(text).replace("Z", "+00:00")))
    except ValueError:
        return str(text)


# ---- a report file and its database ------------------------------------------------------------------------
def sign_report(db: Database, path: Path, key: Ed25519PrivateKey, user: str) -> dict[str, Any]:
    """Sign the head of the findings JSON report `path` made from `db`, and write the signature into it (the file
    replaced whole). Refused unless the person may report, the database's own checks find nothing, the head is
    the database's head now (but for exports recorded since) and the report's figures, tables and verdict rows are
    what the database gives with the options the report records (audit.report_match): a lead vouches only for a
    report the database bears out. Returns the statement signed."""
    from ..packages.common import audit_uid
    from ..spreadsheets.writing import write_atomically
    from .anchor import check as check_anchor
    from .anchor import is_package, read_report, report_anchor
    from .report_match import ReportMismatch, require_current
    from .roles import require
    from .trail import verify

    if not path.is_file() or is_package(path):
        raise SigningError(f"{path.name} is not a findings JSON report (cdi report DB --json FILE writes one): only "
                           "a findings JSON report carries a signature")
    doc = read_report(path)
    anchor = report_anchor(doc, path.name)
    earlier = doc["audit"].get(SIGNATURE)
    if earlier is not None:
        by = (earlier.get("statement") or {}).get("signed_by", "") if isinstance(earlier, dict) else ""
        raise SigningError(f"{path.name} is already signed{f' by {by}' if by else ''}: make a new report to sign it "
                           "again")
    person = require(db, user, "report")
    if not person.name:
        raise SigningError("say who is signing (cdi --user NAME sign ...): the name goes into the signature")
    with db.snapshot() as s:
        problems = verify(s)
        checked = check_anchor(s, anchor)
    if problems:
        raise SigningError(f"not signed: the audit trail of {db.display_name} has been changed outside the "
                           f"application ({problems[0]}{f'; and {len(problems) - 1} more' if len(problems) > 1 else ''}"
                           "): run cdi verify")
    if not checked.intact:
        raise SigningError(f"not signed: {checked.message}")
    try:  # the head is today's (but for exports) and the figures are what the database gives (audit.report_match)
        require_current(db, doc, anchor.rows, path.name)
    except ReportMismatch as exc:
        raise SigningError(f"not signed: {exc}") from None
    with db.session() as s:
        audit = identity(s, audit_uid(s, create=True), doc["audit"].get("audit") or None)
    stated = statement(doc, anchor, person.name, audit, key.public_key())
    text = json.dumps(sign(doc, stated, key), ensure_ascii=False, indent=2) + "\n"
    mode = path.stat().st_mode & 0o777

    def write(tmp: Path) -> None:
        tmp.write_text(text, encoding="utf-8")
        os.chmod(tmp, mode)  # the report keeps the permissions it had

    write_atomically(path, write)
    return stated


def check_report(s: Session, given: str, anchor: Anchor, public: Ed25519PublicKey) -> SignatureCheck:
    """The signature of the report `given` (as `cdi verify --against` takes it) checked with `public` against the
    database `s` reads: a package or HASH:COUNT carries none."""
    from ..packages.common import audit_uid
    from .anchor import is_package, read_report

    path = Path(given)
    if not path.is_file() or is_package(path):
        return _refused(f"{path.name if path.is_file() else 'HASH:COUNT'} carries no signature: only a findings "
                        "JSON report signed with cdi sign does")
    doc = read_report(path)
    named = doc.get("audit") if isinstance(doc.get("audit"), dict) else {}
    return check(doc, anchor, public, identity(s, audit_uid(s), (named or {}).get("audit") or None), path.name)
