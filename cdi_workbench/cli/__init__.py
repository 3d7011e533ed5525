"""The `cdi` command line: the same core the GUI uses, one module per group of commands.

- audit.py: init, info, backup, verify, users
- samples.py: sample, sample-size
- report.py: report, recorded-crime, agreement
- challenges.py: challenges
- verdicts.py: verdicts import|export
- packages.py: package export|import
- review.py: review, history
- imports.py: import
- keys.py: keys new, sign
- encryption.py: encrypt, decrypt; and the passphrase provider every command runs with (env, else a prompt)
- purge.py: purge (retention)
- programme.py: audit new|list|close|reopen|draw|team (the programme's audits), design list|show|save
- board.py: board-pack, trends, targets, actions (the board pack, trends in words, the force's targets, the actions log)
- config.py: config codes|disposal-types|checks (the force's local configuration: local_config)

Each module has the commands' functions (cmd_*), COMMANDS (name -> the function adding its parser) and
register(subparsers) for all of its commands. build_parser() adds them in the order `cdi --help` lists them.
"""

from __future__ import annotations

import argparse
import sys

from ..audit.roles import NotAllowed
from ..audit.service import AuditError
from ..storage.database import DatabaseError
from ..storage.encryption import provided_by
from . import (
    audit,
    board,
    challenges,
    config,
    encryption,
    imports,
    keys,
    packages,
    programme,
    purge,
    report,
    review,
    samples,
    verdicts,
)
from .audit import info_dict
from .samples import KINDS

__all__ = ["KINDS", "ORDER", "build_parser", "info_dict", "main"]

ORDER = ["init", "audit", "design", "config", "info", "report", "board-pack", "trends", "targets", "actions", "sample",
         "recorded-crime", "agreement", "challenges", "backup", "verify", "sample-size", "verdicts", "package",
         "users", "review", "history", "import", "keys", "sign", "encrypt", "decrypt", "purge"]


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="cdi", description="Crime data integrity audit workbench")
    p.add_argument("--user", help="who is acting (stamped on what is done)")
    sub = p.add_subparsers(dest="command", required=True)
    adders = {}
    for group in (audit, programme, config, samples, report, board, challenges, verdicts, packages, review, imports,
                  keys, encryption, purge):
        adders.update(group.COMMANDS)
    assert sorted(adders) == sorted(ORDER), "a command group's COMMANDS and ORDER disagree"
    for name in ORDER:
        adders[name](sub)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        with provided_by(encryption.at_the_terminal):  # an encrypted file's passphrase: env, else a prompt
            return int(args.func(args))
    except (DatabaseError, ValueError, AuditError) as exc:
        print(f"cdi: {exc}", file=sys.stderr)
        return 1
    except NotAllowed as exc:
        print(f"cdi: not allowed: {exc}", file=sys.stderr)
        return 4
    except BrokenPipeError:  # the output piped into a program that stopped reading (`cdi info DB | head`)
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error as Python flushes at exit
        return 141  # 128 + SIGPIPE, as a shell reports it
