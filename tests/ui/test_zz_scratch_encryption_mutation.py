"""Temporary: the window test must fail when the window does not ask for the passphrase (removed after use)."""
import pytest

from cdi_workbench.audit import operations as ops
from tests.ui.test_encrypted_window import _no_keys_kept, encrypted_db  # noqa: F401
from tests.ui import test_encrypted_window as t


def test_mutant(qtbot, encrypted_db, settings, tmp_path, monkeypatch):  # noqa: ANN001, F811
    monkeypatch.setattr(ops, "unlock", lambda *a, **k: True)  # the window no longer asks
    with pytest.raises(Exception):
        t.test_the_window_opens_an_encrypted_database_after_the_passphrase(qtbot, encrypted_db, settings, tmp_path,
                                                                           monkeypatch)
