"""A new encrypted file refuses a weak passphrase (found by a tester: CDI_PASSPHRASE=' ' and 'abc' encrypted an
audit database)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cdi_workbench.cli import main
from cdi_workbench.storage.encryption import MIN_PASSPHRASE, weak_passphrase
from tests.builders import small_audit


@pytest.mark.parametrize("passphrase", [" ", "abc", "aaaaaaaaaaaa", "ab" * 6, "  short  "])
def test_cdi_encrypt_refuses_a_weak_passphrase(tmp_path: Path, monkeypatch, capsys, passphrase: str) -> None:  # noqa: ANN001
    path = tmp_path / "a.db"
    small_audit(path).close()
    before = path.read_bytes()
    monkeypatch.setenv("CDI_PASSPHRASE", passphrase)
    assert main(["encrypt", str(path)]) != 0
    assert "passphrase" in capsys.readouterr().err
    assert path.read_bytes()[:16] == b"SQLite format 3\x00" and path.read_bytes() == before


def test_a_good_passphrase_is_taken(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    path = tmp_path / "a.db"
    small_audit(path).close()
    monkeypatch.setenv("CDI_PASSPHRASE", "correct horse battery staple")
    assert main(["encrypt", str(path)]) == 0
    assert path.read_bytes()[:16] != b"SQLite format 3\x00"


def test_the_rule() -> None:
    assert weak_passphrase("x" * (MIN_PASSPHRASE - 1) + "yz") == ""  # long enough, three characters
    assert weak_passphrase("abc") and weak_passphrase("ab" * 20) and not weak_passphrase("given separately")
