"""Registering the people who work on an audit (the lead does it; the first person registered must be a lead).

On PostgreSQL a person can be given their own database login (CREATE ROLE ... LOGIN) with the privileges the
workbench needs; the workbench then knows them by that login, whatever name is typed.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from ..storage.database import Database
from ..storage.models import AppUser
from ..timeutil import now_utc
from .roles import ROLES, NotAllowed, identify, login_name


@dataclass(frozen=True)
class PersonRow:
    name: str
    role: str
    login: str
    active: bool


def add_person(db: Database, acting: str, name: str, role: str, login: str | None = None) -> None:
    name = " ".join(name.split())
    if not name:
        raise ValueError("give the person's name")
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}: {', '.join(ROLES)}")
    with db.session() as s:
        first = s.scalar(select(func.count()).select_from(AppUser)) == 0
        if first:
            if role != "lead":
                raise NotAllowed("register the audit lead first: the lead then registers everyone else")
            by = acting.strip() or name
            login = login or login_name(s)  # on PostgreSQL the lead who sets up keeps their own login
        else:
            person = identify(s, acting)
            person.require("manage people")
            by = person.name
        if s.scalar(select(AppUser.id).where(func.lower(AppUser.name) == name.lower())) is not None:
            raise ValueError(f"{name} is already registered")
        s.add(AppUser(name=name, role=role, login=login or None, active=True, added_at=now_utc(), added_by=by))


def set_active(db: Database, acting: str, name: str, active: bool) -> None:
    with db.session() as s:
        identify(s, acting).require("manage people")
        user = s.scalar(select(AppUser).where(AppUser.name == name))
        if user is None:
            raise ValueError(f"{name} is not registered")
        user.active = active


def people(db: Database) -> list[PersonRow]:
    with db.session() as s:
        return [PersonRow(u.name, u.role, u.login or "", u.active)
                for u in s.scalars(select(AppUser).order_by(AppUser.name))]


def create_login(db: Database, login: str, password: str | None = None) -> None:
    """PostgreSQL only: a login role for one person, allowed to read and write the workbench's tables."""
    if db.engine.dialect.name != "postgresql":
        raise ValueError("database logins exist on PostgreSQL only; a SQLite file is opened by one person")
    if not login.replace("_", "").isalnum():
        raise ValueError("a login is letters, digits and underscores")
    with db.engine.begin() as conn:
        quoted = conn.dialect.identifier_preparer.quote(login)
        if password:
            conn.exec_driver_sql(f"CREATE ROLE {quoted} LOGIN PASSWORD %(p)s", {"p": password})
        else:
            conn.exec_driver_sql(f"CREATE ROLE {quoted} LOGIN")
        conn.exec_driver_sql(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quoted}")
        conn.exec_driver_sql(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quoted}")
