"""Who may do what: the four roles of an audit team, and the one check the core makes before every action.

- auditor: audits records (primary verdicts, flags), draws samples and imports extracts;
- peer reviewer: re-checks the records assigned to them (review verdicts), and sees a first verdict only when
  the review is open or their own blind review is complete (so no findings either: they are built from the
  first verdicts);
- audit lead: everything an auditor does, plus assigning reviews, adjudicating disagreements (final
  verdicts), deciding the force's challenges, registering people, deleting a sample that holds verdicts and
  purging the records no longer needed once the findings are issued;
- force liaison: exchanges the failed records with the force (export, import of responses) and sees nothing
  else: no narratives, no verdicts.

A database where nobody is registered is in single-user mode: the person who opens it may do everything
(one inspector auditing alone on a laptop). Once anyone is registered, only registered people may act, as
their role allows. On PostgreSQL the person is the database login (session_user), not a typed name, so on a
shared server nobody can act as someone else.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..kinds import PersonRole, VerdictRole
from ..storage.models import AppUser

ROLES: dict[str, str] = {PersonRole.AUDITOR: "Auditor", PersonRole.REVIEWER: "Peer reviewer",
                         PersonRole.LEAD: "Audit lead", PersonRole.LIAISON: "Force liaison"}

# action -> roles allowed to take it
PERMISSIONS: dict[str, frozenset[str]] = {
    "read records": frozenset({PersonRole.AUDITOR, PersonRole.REVIEWER, PersonRole.LEAD}),
    "audit": frozenset({PersonRole.AUDITOR, PersonRole.LEAD}),
    "review": frozenset({PersonRole.REVIEWER, PersonRole.LEAD}),
    "adjudicate": frozenset({PersonRole.LEAD}),
    "assign reviews": frozenset({PersonRole.LEAD}),
    # a blind review is sealed when completed (audit.review); only the lead reopens one, with a reason
    "reopen reviews": frozenset({PersonRole.LEAD}),
    "decide challenges": frozenset({PersonRole.LEAD}),
    "exchange with the force": frozenset({PersonRole.LIAISON, PersonRole.LEAD}),
    "manage people": frozenset({PersonRole.LEAD}),
    "draw samples": frozenset({PersonRole.AUDITOR, PersonRole.LEAD}),
    # a sample holding verdicts (or review assignments) goes, with its verdicts, only on the lead's word and reason
    "delete audited samples": frozenset({PersonRole.LEAD}),
    "import extracts": frozenset({PersonRole.AUDITOR, PersonRole.LEAD}),
    # findings drill down to the records and their first verdicts, which would unblind a peer reviewer
    "report": frozenset({PersonRole.AUDITOR, PersonRole.LEAD}),
    # the verdicts file holds every first (or final) verdict: not for a peer reviewer, nor the force's liaison
    "export verdicts": frozenset({PersonRole.AUDITOR, PersonRole.LEAD}),
    "carry records offline": frozenset({PersonRole.AUDITOR, PersonRole.REVIEWER, PersonRole.LEAD}),
    # a copy holds every record and verdict (a peer reviewer's would unblind them)
    "save a copy": frozenset({PersonRole.AUDITOR, PersonRole.LEAD}),
    # retention: records no longer needed deleted, narratives blanked, once the findings are issued (retention.py)
    "purge records": frozenset({PersonRole.LEAD}),
    # the programme: a month's audit added, closed or reopened (audit.programme), sample designs saved, targets,
    # the actions log, and records given to auditors to audit
    "plan audits": frozenset({PersonRole.LEAD}),
    # the force's recorded crime for an audit's annual estimate of crimes not recorded (findings.set_recorded_crime)
    "enter recorded crime": frozenset({PersonRole.AUDITOR, PersonRole.LEAD}),
}
# each action as the refusal and the window's tooltips say it
ACTION_TEXT = {
    "read records": "see the records",
    "audit": "enter first verdicts",
    "review": "enter review verdicts",
    "adjudicate": "decide disagreements",
    "assign reviews": "assign records for review",
    "reopen reviews": "reopen a sealed blind review",
    "decide challenges": "decide the force's challenges",
    "exchange with the force": "exchange failed records with the force",
    "manage people": "register people",
    "draw samples": "draw samples",
    "delete audited samples": "delete a sample holding verdicts",
    "import extracts": "import extracts",
    "report": "see or export the findings",
    "export verdicts": "export the verdicts",
    "carry records offline": "carry records offline",
    "save a copy": "save a copy of the audit database",
    "purge records": "purge records no longer needed",
    "plan audits": "plan the programme (its audits, sample designs, targets, actions and work given out)",
    "enter recorded crime": "enter the force's recorded-crime figures",
}
ROLE_ORDER = (PersonRole.LEAD, PersonRole.AUDITOR, PersonRole.REVIEWER, PersonRole.LIAISON)
ARTICLE: dict[str, str] = {PersonRole.LEAD: "the", PersonRole.AUDITOR: "an", PersonRole.REVIEWER: "a",
                           PersonRole.LIAISON: "the"}
VERDICT_ACTION: dict[str, str] = {VerdictRole.PRIMARY: "audit", VerdictRole.REVIEW: "review",
                                  VerdictRole.FINAL: "adjudicate"}


class NotAllowed(Exception):
    """The person's role does not allow this; the message says who, what and which roles may."""


@dataclass(frozen=True)
class Person:
    name: str
    role: str  # one of ROLES, or 'everything' in single-user mode
    registered: bool

    def may(self, action: str) -> bool:
        return self.role == "everything" or self.role in PERMISSIONS[action]

    def require(self, action: str) -> None:
        if not self.may(action):
            raise NotAllowed(f"{self.name} ({ROLES.get(self.role, self.role).lower()}) may not "
                             f"{ACTION_TEXT[action]}: only {who_may(action)} may")

    def require_name(self, action: str) -> str:
        """require(action), then the name to stamp on what is done."""
        self.require(action)
        return self.name

    @property
    def title(self) -> str:
        return "single-user mode" if self.role == "everything" else ROLES[self.role]


def who_may(action: str) -> str:
    """'the audit lead or an auditor': the roles allowed an action, as a refusal or a tooltip says it."""
    names = [ARTICLE[r] + " " + ROLES[r].lower() for r in ROLE_ORDER if r in PERMISSIONS[action]]
    return ", ".join(names[:-1]) + " or " + names[-1] if len(names) > 1 else names[0]


def login_name(s: Session) -> str | None:
    """The database login on PostgreSQL (who the server says is connected); None on SQLite."""
    if s.get_bind().dialect.name != "postgresql":
        return None
    return s.scalar(select(func.session_user()))


def identify(s: Session, name: str) -> Person:
    """The person acting: on PostgreSQL the login, elsewhere the name given; refused if not registered."""
    if s.scalar(select(func.count()).select_from(AppUser)) == 0:
        return Person(name.strip(), "everything", False)
    login = login_name(s)
    if login is not None:
        user = s.scalar(select(AppUser).where((AppUser.login == login) | (AppUser.name == login)))
        if user is None:
            raise NotAllowed(f"the database login {login!r} is not registered for this audit "
                             "(the lead adds people with: cdi users add)")
    else:
        user = s.scalar(select(AppUser).where(func.lower(AppUser.name) == name.strip().lower()))
        if user is None:
            if not name.strip():
                raise NotAllowed("say who you are (people are registered on this audit; on the command line: "
                                 "--user NAME)")
            raise NotAllowed(f"{name.strip()} is not registered for this audit; the people who are can be "
                             "listed with: cdi users list")
    if not user.active:
        raise NotAllowed(f"{user.name} no longer works on this audit")
    return Person(user.name, user.role, True)


def require(db, who: str, action: str) -> Person:  # noqa: ANN001 (a storage.database.Database)
    """Identify `who` on `db` and check they may take `action` (for core functions outside AuditService)."""
    with db.session() as s:
        person = identify(s, who)
        person.require(action)
        return person
