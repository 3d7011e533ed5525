"""Password-protected exports (issue 13): the findings PDF (reportlab's standard encryption, 128-bit) and the
findings workbook (msoffcrypto-tool: Office's agile encryption, AES-256), and what the `cdi` command and
the window say before writing a file that cannot be protected (JSON, CSV).

The password is never taken from the command line: `export_password` reads CDI_EXPORT_PASSWORD, else asks at the
terminal twice. A protected workbook is built in memory and only its encrypted form reaches the disk (through
spreadsheets.write_atomically's temporary file beside the target): no plain copy is ever written.

    with protected(password):           # every findings PDF and workbook written in the block is protected
        export_findings(db, who, findings, path, review)
"""

from __future__ import annotations

import getpass
import io
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import IO, Any

from cdi_workbench.spreadsheets import MARKING

PASSWORD_VARIABLE = "CDI_EXPORT_PASSWORD"
PROTECTABLE = (".pdf", ".xlsx")
_PASSWORD: ContextVar[str | None] = ContextVar("cdi_export_password", default=None)


class ExportPasswordNeeded(ValueError):
    """No password (or two that differ): nothing was written."""


class PlainRefused(ValueError):
    """A plain file holding free text was not confirmed: nothing was written."""


def export_password(ask: Callable[[str], str] | None = None) -> str:
    """The password for protected exports: CDI_EXPORT_PASSWORD, else asked for twice at the terminal."""
    ask = ask or getpass.getpass
    given = os.environ.get(PASSWORD_VARIABLE)
    if given:
        return given
    try:
        first = ask("Password for the protected files: ")
        if first and ask("The same password again: ") != first:
            raise ExportPasswordNeeded("the two passwords differ: nothing was written")
    except (EOFError, OSError):  # no terminal to ask at (a script, a pipe)
        first = ""
    if not first:
        raise ExportPasswordNeeded(f"no password given: set {PASSWORD_VARIABLE}, or answer the prompt")
    return first


@contextmanager
def protected(password: str | None) -> Iterator[None]:
    """Every findings PDF and workbook written in this block is protected with `password` (None: plain)."""
    token = _PASSWORD.set(password or None)
    try:
        yield
    finally:
        _PASSWORD.reset(token)


def current_password() -> str | None:
    """The password of the enclosing `protected` block, if any."""
    return _PASSWORD.get()


def pdf_encryption(password: str | None) -> Any:  # noqa: ANN401 (reportlab's StandardEncryption, or None)
    """reportlab's encryption for a PDF opened only with `password` (None for no password): 128-bit (revision 3),
    which every reader opens. Not reportlab's AES-256: it writes revision 5, which poppler's readers refuse even
    with the right password. Printing and copying stay allowed once opened."""
    if not password:
        return None
    from reportlab.lib.pdfencrypt import StandardEncryption

    return StandardEncryption(password, strength=128)


def save_encrypted_workbook(save: Callable[[IO[bytes]], object], password: str, target: Path) -> None:
    """Call save(buffer) for the plain workbook in memory and write only its encrypted form to `target`."""
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = io.BytesIO()
    save(plain)
    plain.seek(0)
    with open(target, "wb") as out:
        OOXMLFile(plain).encrypt(password, out)


def decrypt_workbook(path: str | Path, password: str) -> io.BytesIO:
    """The plain workbook of a protected one, in memory (msoffcrypto; its InvalidKeyError for a wrong password)."""
    import msoffcrypto

    plain = io.BytesIO()
    with open(path, "rb") as fh:
        office = msoffcrypto.OfficeFile(fh)
        office.load_key(password=password)
        office.decrypt(plain)
    plain.seek(0)
    return plain


# ---- files that cannot be protected -----------------------------------------------------------------------------
def confirm_plain(message: str, yes: bool, command: str, ask: Callable[[str], str] | None = None) -> None:
    """Before a plain file holding free text is written: `message` said on stderr, then nothing more with `yes`
    (--yes), a question at a terminal, and a refusal (PlainRefused) in a run with no terminal to answer it."""
    print(f"{command}: {message}", file=sys.stderr)
    if yes:
        return
    if not sys.stdin.isatty():
        raise PlainRefused("not written: no terminal to confirm at; give --yes to write it plain anyway")
    try:
        answer = (ask or input)("Write it anyway? [y/N] ")
    except (EOFError, OSError):
        answer = ""
    if answer.strip().lower() not in ("y", "yes"):
        raise PlainRefused("not written")


def csv_free_text_warning(path: str | Path, holds: str) -> str:
    """What is said before a CSV holding free text is written."""
    return (f"{Path(path).name} will hold {holds} (free text about victims and offenders: {MARKING}) in "
            "plain text: a CSV file cannot be protected with a password. Write .xlsx instead where you can.")
