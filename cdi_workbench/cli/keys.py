"""`cdi keys new` (a person's signing key) and `cdi sign` (their signature on a findings JSON report's trail head).

Signing is a command of its own, not an option of `cdi report`: the person who vouches for a head (the lead) is
not always the one who made the report (though it is signed when made, before the audit moves on), and the
passphrase is asked for once, by the one command that needs it. The head signed, and the figures (worked out again
with the report's options, audit.report_match), are checked against the database first.

The passphrase is read from CDI_KEY_PASSPHRASE or asked for at the terminal, never taken from the command line
(where other users and the shell's history would see it). A refusal (SigningError, a ValueError) is shown in
words by `cdi` with status 1.
"""

from __future__ import annotations

import argparse
import getpass
import os
from pathlib import Path
from typing import Any

from ..storage.database import Database

PASSPHRASE_VARIABLE = "CDI_KEY_PASSPHRASE"


def passphrase(what: str, confirm: bool = False) -> bytes:
    """The passphrase: CDI_KEY_PASSPHRASE, else asked for (twice when a key is made)."""
    from ..audit.signing import SigningError  # (cryptography is loaded only by the commands that sign)

    given = os.environ.get(PASSPHRASE_VARIABLE)
    if given is not None:
        return given.encode("utf-8")
    first = getpass.getpass(f"Passphrase for {what}: ")
    if confirm and getpass.getpass("The same passphrase again: ") != first:
        raise SigningError("the two passphrases differ: no key was made")
    return first.encode("utf-8")


def cmd_keys(a: argparse.Namespace) -> int:
    from ..audit.signing import new_key

    out = Path(a.out)
    pub, kid = new_key(out, passphrase(f"the new key {out.name}", confirm=True), overwrite=a.force)
    print(f"Wrote the private key {out} (protected by its passphrase; keep it to yourself) and the public key {pub}")
    print(f"Key {kid}: give {pub.name} to whoever checks your reports (cdi verify DB --against REPORT.json "
          f"--public-key {pub.name}), by a route an insider cannot change")
    return 0


def cmd_sign(a: argparse.Namespace) -> int:
    from ..audit.signing import load_private, public_path, sign_report

    key = load_private(Path(a.key), passphrase(f"the key {Path(a.key).name}"))
    db = Database(a.db)
    try:
        stated = sign_report(db, Path(a.report), key, a.user or "")
    finally:
        db.close()
    print(f"Signed {a.report}: trail head {stated['head']}:{stated['rows']} of {stated['audit']['force']}, by "
          f"{stated['signed_by']} with key {stated['key']}")
    print(f"Check it with: cdi verify {a.db} --against {a.report} --public-key {public_path(Path(a.key))}")
    return 0


# ---- the parsers -----------------------------------------------------------------------------------------------
def add_keys(sub: Any) -> None:
    sp = sub.add_parser("keys", help="signing keys (Ed25519) for the trail heads you issue")
    ks = sp.add_subparsers(dest="keys_command", required=True)
    new = ks.add_parser("new", help="make a key pair: the private key in FILE, protected by a passphrase "
                                    f"({PASSPHRASE_VARIABLE} or asked for), the public key in FILE.pub")
    new.add_argument("--out", required=True, metavar="FILE", help="the private key file to write")
    new.add_argument("--force", action="store_true", help="replace FILE and FILE.pub if they exist")
    sp.set_defaults(func=cmd_keys)


def add_sign(sub: Any) -> None:
    sp = sub.add_parser("sign", help="sign a findings JSON report's trail head with your key (its head and figures "
                                     "are checked against the database first: sign when the report is made)")
    sp.add_argument("db", help="the audit database the report was made from")
    sp.add_argument("report", metavar="REPORT.json", help="the findings JSON report (cdi report DB --json FILE)")
    sp.add_argument("--key", required=True, metavar="KEYFILE", help=f"your private key (cdi keys new); its "
                                                                    f"passphrase from {PASSPHRASE_VARIABLE} or asked")
    sp.set_defaults(func=cmd_sign)


COMMANDS = {"keys": add_keys, "sign": add_sign}


def register(subparsers: Any) -> None:
    """Add keys and sign to the `cdi` command's subparsers."""
    for add in COMMANDS.values():
        add(subparsers)
