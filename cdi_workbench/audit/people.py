"""Registering the people who work on an audit (the lead does it; the first person registered must be a lead).

Every registration, role change, deactivation and reactivation is written to the hash-chained history
(audit.trail, action 'person'), the changes with the lead's reason, so `cdi verify` shows a role given or a
person added outside the application.

On PostgreSQL a person can be given their own database login (CREATE ROLE ... LOGIN) with the privileges the
workbench needs; the workbench then knows them by that login, whatever name is typed, and the server itself
refuses what their role may not do (schema 0011: docs/security.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..kinds import PersonRole
from ..storage.database import Database, serialise_writes
from ..storage.models import AppUser, VerdictChange
from ..timeutil import now_utc
from .roles import ROLES, NotAllowed, identify, login_name
from .trail import PEOPLE, PERSON, person_body, seal


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
        serialise_writes(s)  # the trail's next link
        first = s.scalar(select(func.count()).select_from(AppUser)) == 0
        if first:
            if role != PersonRole.LEAD:
                raise NotAllowed("register the audit lead first: the lead then registers everyone else")
            by = acting.strip() or name
            login = login or login_name(s)  # on PostgreSQL the lead who sets up keeps their own login
        else:
            person = identify(s, acting)
            person.require("manage people")
            by = person.name
        if s.scalar(select(AppUser.id).where(func.lower(AppUser.name) == name.lower())) is not None:
            raise ValueError(f"{name} is already registered")
        user = AppUser(name=name, role=role, login=login or None, active=True, added_at=now_utc(), added_by=by)
        s.add(user)
        s.flush()
        _record(s, by, None, user, f"registered as {ROLES[role].lower()}" + (f" (login {login})" if login else ""))


def set_active(db: Database, acting: str, name: str, active: bool, reason: str) -> None:
    """Deactivate (or reactivate) a person: the lead only, with a reason, into the trail. Never deleted: their
    name stays on what they did."""
    _change(db, acting, name, reason, active=active)


def set_role(db: Database, acting: str, name: str, role: str, reason: str) -> None:
    """Give a registered person another role: the lead only, with a reason, into the trail."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}: {', '.join(ROLES)}")
    _change(db, acting, name, reason, role=role)


def _change(db: Database, acting: str, name: str, reason: str, role: str | None = None,
            active: bool | None = None) -> None:
    reason = " ".join(reason.split())
    with db.session() as s:
        serialise_writes(s)  # the trail's next link
        lead = identify(s, acting)
        lead.require("manage people")
        if not reason:
            raise ValueError("say why (the reason goes in the audit trail)")
        user = s.scalar(select(AppUser).where(AppUser.name == name))
        if user is None:
            raise ValueError(f"{name} is not registered")
        before = person_body(user)
        new_role = role if role is not None else user.role
        new_active = active if active is not None else user.active
        if (new_role, new_active) == (user.role, user.active):
            raise ValueError(f"{name} is already {ROLES[new_role].lower()}" + ("" if new_active else ", inactive"))
        if user.role == PersonRole.LEAD and user.active and not (new_role == PersonRole.LEAD and new_active):
            others = s.scalar(select(func.count()).select_from(AppUser).where(
                AppUser.role == PersonRole.LEAD, AppUser.active.is_(True), AppUser.id != user.id))
            if not others:
                raise NotAllowed(f"{name} is the only active audit lead: register or appoint another lead first")
        user.role, user.active = new_role, new_active
        what = []
        if new_role != before["role"]:
            what.append(f"role {ROLES[str(before['role'])].lower()} -> {ROLES[new_role].lower()}")
        if new_active != before["active"]:
            what.append("reactivated" if new_active else "deactivated")
        _record(s, lead.name, before, user, f"{', '.join(what)}: {reason}")


def _record(s: Session, who: str, before: dict[str, object] | None, user: AppUser, reason: str) -> None:
    """The change to a person, as a row of the hash-chained history, in the same transaction (on PostgreSQL the
    server checks at commit that the people table agrees with the history: schema 0011)."""
    change = VerdictChange(item_id=0, role=PEOPLE, at=now_utc(), who=who, action=PERSON, old_body=before,
                           new_body=person_body(user), reason=reason)
    seal(s, change)
    s.add(change)
    s.flush()


def people(db: Database) -> list[PersonRow]:
    with db.session() as s:
        return [PersonRow(u.name, u.role, u.login or "", u.active)
                for u in s.scalars(select(AppUser).order_by(AppUser.name))]


def create_login(db: Database, login: str, password: str | None = None) -> None:
    """PostgreSQL only: a login role for one person, with the privileges every workbench login has (schema
    0011's cdi_grant_app_login): read everything; append to the history, never change or remove a row of it;
    write verdicts, assignments, people and challenges only as the role the person is registered with allows,
    which the server checks on every write (docs/security.md)."""
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
        conn.exec_driver_sql("SELECT cdi_grant_app_login(%(l)s)", {"l": login})
