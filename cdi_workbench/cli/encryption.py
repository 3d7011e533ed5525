"""`cdi encrypt DB` and `cdi decrypt DB` (an audit database converted in place: storage/conversion.py), and where
the `cdi` command gets passphrases from (`at_the_terminal`, the provider `cdi` gives storage/encryption.py while a
command runs).

A passphrase is never taken from the command line, where other users and the shell's history would see it: it
is read from CDI_PASSPHRASE (CDI_PACKAGE_PASSPHRASE for a package), else asked for at the terminal, twice when
one is being chosen. Every command that opens a database opens an encrypted one this way (`cdi init --encrypt`
makes one; `cdi package export` encrypts its package unless --plain).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path
from typing import Any

from ..storage.encryption import PassphraseNeeded, PassphraseRequest


def at_the_terminal(request: PassphraseRequest) -> str:
    """The passphrase asked for: its environment variable, else a prompt (twice for a new one). Never nothing:
    no answer is PassphraseNeeded, said in words."""
    given = os.environ.get(request.variable)
    if given:
        return given
    try:
        if not sys.stdin.isatty():  # no terminal to ask at (a script, a pipe): getpass would read the passphrase
            raise EOFError       # from stdin and echo it, with a warning; refused in words instead
        first = getpass.getpass(f"{request.prompt}: ")
        if first and request.new and getpass.getpass("The same passphrase again: ") != first:
            raise PassphraseNeeded("the two passphrases differ: nothing was written")
    except (EOFError, OSError):
        first = ""
    if not first:
        raise PassphraseNeeded(f"no passphrase given for {request.what}: set {request.variable}, or answer the "
                               "prompt" + (" (or export it plain with --plain)" if request.package and request.new
                                           else ""))
    return first


def new_encrypted(target: str) -> Path:
    """`cdi init --encrypt`: the new, empty encrypted file (its passphrase asked for twice), kept open for the
    session so that init_audit makes the audit in it."""
    from ..storage.conversion import PG_ADVICE
    from ..storage.database import DatabaseError, is_url
    from ..storage.encryption import Key, create_encrypted, new_passphrase

    if is_url(target):
        raise DatabaseError(PG_ADVICE)
    path = Path(target)
    if path.exists():
        raise DatabaseError(f"{path} already exists: an encrypted audit database is made as a new file (to encrypt "
                            f"an existing one: cdi encrypt {path.name})")
    return create_encrypted(path, Key.derive(new_passphrase(path)))


def cmd_encrypt(a: argparse.Namespace) -> int:
    from ..storage.conversion import encrypt_file, encryptable, plain_copies
    from ..storage.encryption import new_passphrase

    path = encryptable(a.db)  # refused (a server, no such file, already encrypted) before a passphrase is asked for
    encrypt_file(path, new_passphrase(path))
    print(f"Encrypted {path} (SQLCipher: AES-256, key from the passphrase by PBKDF2-HMAC-SHA512); it opens only "
          f"with its passphrase ({PassphraseRequest(path).variable}, or at the prompt)")
    print("The plain original was overwritten with zeros; on an SSD or a copy-on-write filesystem its old blocks "
          "may still survive until the disk reuses them: keep such a disk encrypted as well.")
    for old in plain_copies(path):
        print(f"Still plain: {old} (an upgrade backup): delete it, or encrypt it too (cdi encrypt {old})")
    return 0


def cmd_decrypt(a: argparse.Namespace) -> int:
    from ..storage.conversion import decrypt_file

    path = Path(a.db)
    decrypt_file(path)
    print(f"Decrypted {path}: it is now a plain SQLite file that anyone holding it can read (OFFICIAL-SENSITIVE: "
          "keep it only on an encrypted, approved device)")
    return 0


# ---- the parsers -----------------------------------------------------------------------------------------------
def add_encrypt(sub: Any) -> None:
    sp = sub.add_parser("encrypt", help="encrypt an audit database in place (SQLCipher); its passphrase from "
                                        "CDI_PASSPHRASE or asked for twice, never on the command line")
    sp.add_argument("db", help="the audit database (a SQLite file; nothing else has it open)")
    sp.set_defaults(func=cmd_encrypt)


def add_decrypt(sub: Any) -> None:
    sp = sub.add_parser("decrypt", help="decrypt an encrypted audit database in place (a plain SQLite file again); "
                                        "its passphrase from CDI_PASSPHRASE or asked for")
    sp.add_argument("db", help="the encrypted audit database (nothing else has it open)")
    sp.set_defaults(func=cmd_decrypt)


COMMANDS = {"encrypt": add_encrypt, "decrypt": add_decrypt}


def register(subparsers: Any) -> None:
    """Add encrypt and decrypt to the `cdi` command's subparsers."""
    for add in COMMANDS.values():
        add(subparsers)
