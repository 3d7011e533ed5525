"""Time zone handling: everything is stored in UTC and shown in UK local time as dd/mm/yyyy HH:MM."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

UK = ZoneInfo("Europe/London")
DISPLAY_FORMAT = "%d/%m/%Y %H:%M"


def aware(value: datetime, default_tz: ZoneInfo = UK) -> datetime:
    """Return an aware datetime; a naive one is read as UK local time (as forces export them)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=default_tz)
    return value


def to_utc(value: datetime) -> datetime:
    tz = value.tzinfo
    if tz is UTC:
        return value  # what astimezone(UTC) returns for a time already in UTC: the same object
    return (value if tz is not None else value.replace(tzinfo=UK)).astimezone(UTC)


def now_utc() -> datetime:
    return datetime.now(UTC)


def uk_local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A wall-clock time in the UK as an aware UTC datetime."""
    return datetime(year, month, day, hour, minute, tzinfo=UK).astimezone(UTC)


def display(value: datetime | None) -> str:
    """Show a stored time as UK local time, dd/mm/yyyy HH:MM; blank when missing."""
    if value is None:
        return ""
    local = to_utc(value).astimezone(UK)
    if local.year < 1000:  # strftime's %Y pads short years on some platforms and not on others: left to it
        return local.strftime(DISPLAY_FORMAT)
    return f"{local.day:02d}/{local.month:02d}/{local.year} {local.hour:02d}:{local.minute:02d}"  # DISPLAY_FORMAT


def display_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_utc(value).astimezone(UK).date()
    return value.strftime("%d/%m/%Y")


def format_duration(delta: timedelta) -> str:
    """'31 h 12 min' style, as the verdict panel and reports print it."""
    total_minutes = int(delta.total_seconds() // 60)
    sign = "-" if total_minutes < 0 else ""
    total_minutes = abs(total_minutes)
    hours, minutes = divmod(total_minutes, 60)
    if hours >= 48:
        days, rem = divmod(hours, 24)
        return f"{sign}{hours} h {minutes} min ({days} days {rem} h)"
    return f"{sign}{hours} h {minutes} min"
