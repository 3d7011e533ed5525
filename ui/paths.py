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


AUDITS = "audit_of"  # the settings key of the audit last open in each database (a JSON object: target -> name)


def _chosen(settings: QSettings) -> dict[str, str]:
    import json

    try:
        value = json.loads(str(settings.value(AUDITS, "") or "{}"))
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def chosen_audit(settings: QSettings, target: str) -> str | None:
    """The audit of the programme last open in the database at `target` (None: none remembered)."""
    return _chosen(settings).get(target)


def remember_audit(settings: QSettings, target: str, name: str) -> None:
    """The audit open in the database at `target`: the next opening of it starts there."""
    import json

    chosen = _chosen(settings)
    chosen.pop(target, None)
    chosen[target] = name
    settings.setValue(AUDITS, json.dumps(dict(list(chosen.items())[-50:])))  # the 50 databases last used
