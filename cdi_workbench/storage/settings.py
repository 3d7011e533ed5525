"""The programme's settings (audit_setting: key -> text), read and written in a session: one place for the
read, and for the write that adds the row or replaces its value."""

from __future__ import annotations

from sqlalchemy.orm import Session

from .models import AuditSetting


def get_setting(s: Session, key: str) -> str | None:
    row = s.get(AuditSetting, key)
    return row.value if row is not None else None


def put_setting(s: Session, key: str, value: str) -> None:
    row = s.get(AuditSetting, key)
    if row is None:
        s.add(AuditSetting(key=key, value=value))
    else:
        row.value = value
