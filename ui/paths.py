"""Where the window's export dialogs start: the last export's folder, remembered (issue 11)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

from cdi_workbench.audit.operations import AuditHandle

EXPORT_FOLDER = "export_folder"  # the settings key of the folder of the last export


def export_start(settings: QSettings, db: AuditHandle | None, name: str) -> str:
    """The file name an export dialog starts with: in the folder of the last export, else beside the audit
    database, else in the home folder; never the program's working folder."""
    saved = str(settings.value(EXPORT_FOLDER, "") or "")
    if saved and Path(saved).is_dir():
        folder = Path(saved)
    elif db is not None and "://" not in db.target:  # a file, not a database URL
        folder = Path(db.target).absolute().parent
    else:
        folder = Path.home()
    return str(folder / name)


def remember_export(settings: QSettings, path: str | Path) -> None:
    """The folder an export was written to: the next export dialog starts there."""
    settings.setValue(EXPORT_FOLDER, str(Path(path).absolute().parent))
