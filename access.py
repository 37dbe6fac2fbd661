"""The access declaration: for every entity and role, what may be done and to which rows.

This table is the single source of the back office's permissions. The admin views, the
menu, the permission-matrix tests and docs/access.md are generated from it.

Each cell is "LETTERS scope":
    C create · R read (list and details) · U update (form and inline edit) · D delete ·
    E export
    scope: all (default) · own (the rows of the stewards the user acts for: a steward
    themselves, a supervisor their team and themselves) · own_confirmed (own, confirmed only)
    · department (the work dispatched to the user's own department)
An empty cell means the role does not see the entity at all.

Actions on a list need the letter their view declares (delete needs D, workflow steps U).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import inspect as sa_inspect

import models as m

ROLES = ("admin", "hr", "supervisor", "steward", "department")
OPERATIONS = {"C": "create", "R": "read", "U": "update", "D": "delete", "E": "export"}
SCOPES = ("all", "own", "own_confirmed", "department")

# Roles that see owners' phone and ID numbers in full. A steward only ever sees the
# owners of their own units, so "the owner's steward" is the steward role within scope.
REVEAL_PERSONAL_TO = frozenset({"admin", "steward"})


@dataclass(frozen=True)
class Grant:
    letters: str
    scope: str = "all"

    def allows(self, letter: str) -> bool:
        return letter in self.letters

    @classmethod
    def parse(cls, cell: str) -> Grant:
        parts = cell.split()
        if not parts:
            return cls("")
        letters, scope = parts[0], (parts[1] if len(parts) > 1 else "all")
        if set(letters) - set(OPERATIONS) or scope not in SCOPES:
            raise ValueError(f"bad access cell {cell!r}")
        return cls(letters, scope)


@dataclass(frozen=True)
class EntityAccess:
    name: str
    model: type
    label: object
    category: object
    grants: dict[str, Grant]
    personal: tuple[str, ...] = ()
    writes: dict[str, tuple[str, ...]] | None = None  # role -> fields; None: every field

    def grant(self, role: str | None) -> Grant:
        return self.grants.get(role or "", Grant(""))

    def may_write(self, role: str | None, field: str) -> bool:
        """Whether `role` writes `field` of this entity (given it may create or update)."""
        return self.writes is None or field in self.writes.get(role or "", ())


PROPERTY = _l("Property")
SERVICE = _l("Service")
FEES = _l("Fees")
SAFETY = _l("Safety")
WORK = _l("Work records")
PEOPLE = _l("People")
TRAINING = _l("Training")
ASSESSMENT = _l("Assessment")
ORGANISATION = _l("Organisation")
SYSTEM = _l("System")

# fmt: off
_TABLE = [
    # name               model                category     label                         admin     hr        supervisor          steward             department
    ("project",          m.Project,           PROPERTY,    _l("Projects"),               "CRUDE",  "",       "RE own",           "RE own",           ""),
    ("building",         m.Building,          PROPERTY,    _l("Buildings"),              "CRUDE",  "",       "RE own",           "RE own",           ""),
    ("unit",             m.Unit,              PROPERTY,    _l("Units"),                  "CRUDE",  "",       "RE own",           "RE own",           ""),
    ("owner",            m.Owner,             PROPERTY,    _l("Owners"),                 "CRUDE",  "",       "RE own",           "RUE own",          ""),
    ("ownership",        m.Ownership,         PROPERTY,    _l("Ownerships"),             "CRUDE",  "",       "RE own",           "RUE own",          ""),
    ("ticket",           m.Ticket,            SERVICE,     _l("Tickets"),                "CRUDE",  "",       "RUE own",          "CRUE own",         ""),
    ("dispatch",         m.Dispatch,          SERVICE,     _l("Dispatched work"),        "RE",     "",       "RE own",           "RE own",           "RE department"),
    ("ticket_event",     m.TicketEvent,       SERVICE,     _l("Ticket events"),          "CRE",    "",       "RE own",           "CRE own",          ""),
    ("return_visit",     m.ReturnVisit,       SERVICE,     _l("Return visits"),          "CRUDE",  "",       "RUE own",          "CRUE own",         ""),
    ("community_event",  m.CommunityEvent,    SERVICE,     _l("Community events"),       "CRUDE",  "",       "RE own",           "CRUE own",         ""),
    ("message_template", m.MessageTemplate,   SERVICE,     _l("Message templates"),      "CRUDE",  "",       "",                 "",                 ""),
    ("procedure",        m.Procedure,         SERVICE,     _l("Procedures"),             "CRUDE",  "",       "RE own",           "CRUE own",         ""),
    ("procedure_step",   m.ProcedureStep,     SERVICE,     _l("Procedure steps"),        "RE",     "",       "RE own",           "RE own",           ""),
    ("fee_standard",     m.FeeStandard,       FEES,        _l("Fee standards"),          "CRUDE",  "",       "RE",               "RE",               ""),
    ("bill",             m.Bill,              FEES,        _l("Bills"),                  "CRUDE",  "",       "RE own",           "RE own",           ""),
    ("payment",          m.Payment,           FEES,        _l("Payments"),               "CRUDE",  "",       "RE own",           "RE own",           ""),
    ("arrears_reminder", m.ArrearsReminder,   FEES,        _l("Arrears reminders"),      "CRUDE",  "",       "RE own",           "CRUE own",         ""),
    ("patrol",           m.Patrol,            SAFETY,      _l("Patrols"),                "CRUDE",  "",       "RE own",           "CRUE own",         ""),
    ("hazard",           m.Hazard,            SAFETY,      _l("Hazards"),                "CRUDE",  "",       "RE own",           "CRUE own",         ""),
    ("incident",         m.Incident,          SAFETY,      _l("Incidents"),              "CRUDE",  "",       "RE own",           "CRUE own",         ""),
    ("work_log",         m.WorkLog,           WORK,        _l("Work logs"),              "RE",     "",       "RUE own",          "CRUE own",         ""),
    ("summary",          m.Summary,           WORK,        _l("Weekly/monthly summaries"), "RE",   "",       "RUE own",          "CRUE own",         ""),
    ("staff",            m.Staff,             PEOPLE,      _l("Staff"),                  "RE",     "CRUDE",  "RE own",           "R own",            ""),
    ("user",             m.User,              PEOPLE,      _l("Login accounts"),         "CRUDE",  "",       "",                 "",                 ""),
    ("training_program", m.TrainingProgram,   TRAINING,    _l("Training programs"),      "RE",     "CRUDE",  "RE",               "R",                ""),
    ("training_session", m.TrainingSession,   TRAINING,    _l("Training sessions"),      "RE",     "CRUDE",  "RE",               "R",                ""),
    ("training_result",  m.TrainingResult,    TRAINING,    _l("Training results"),       "RE",     "CRUDE",  "RE own",           "R own",            ""),
    ("monthly_assessment", m.MonthlyAssessment, ASSESSMENT, _l("Monthly assessments"),   "RE",     "RE",     "CRUE own",         "R own_confirmed",  ""),
    ("annual_assessment", m.AnnualAssessment, ASSESSMENT,  _l("Annual assessments"),     "RE",     "RE",     "CRUE own",         "R own_confirmed",  ""),
    ("reward_penalty",   m.RewardPenalty,     ASSESSMENT,  _l("Rewards and penalties"),  "RE",     "CRUDE",  "RE own",           "R own",            ""),
    ("career_move",      m.CareerMove,        ASSESSMENT,  _l("Career moves"),           "RE",     "CRUDE",  "RE own",           "R own",            ""),
    ("department",       m.Department,        ORGANISATION, _l("Departments"),           "CRUE",   "RE",     "R",                "R",                "R"),
    ("meeting",          m.Meeting,           ORGANISATION, _l("Coordination meetings"), "CRUDE",  "RE",     "CRUE",             "R",                "R"),
    ("action_item",      m.ActionItem,        ORGANISATION, _l("Action items"),          "CRUDE",  "RU own", "CRUE",             "RU own",           "RU own"),
    ("external_body",    m.ExternalBody,      ORGANISATION, _l("External bodies"),       "CRUDE",  "RE",     "RE",               "R",                ""),
    ("policy_setting",   m.PolicySetting,     SYSTEM,      _l("Policy settings"),        "CRUDE",  "R",      "R",                "",                 ""),
    ("audit_entry",      m.AuditEntry,        SYSTEM,      _l("Audit trail"),            "RE",     "",       "",                 "",                 ""),
]
# fmt: on

PERSONAL_FIELDS = {
    "owner": ("phone", "id_number", "wechat_openid"),
    "ticket": ("contact_phone",),
}

# Who writes which fields, where roles share a record but not its fields: the steward
# writes their own work log or summary, the supervisor only the comment on it. In an entity
# listed here a role writes only the fields named for it; elsewhere a role that may create
# or update writes every field its form offers.
FIELD_WRITERS = {
    "work_log": {
        "steward": ("steward", "day", "needs_received", "problems_handled", "feedback_given"),
        "supervisor": ("supervisor_comment",),
    },
    "summary": {
        "steward": ("steward", "kind", "period_start", "work_done", "problems",
                    "shortcomings", "improvements"),
        "supervisor": ("supervisor_comment",),
    },
    # Whoever holds the meeting writes its items; the person responsible for one (any role)
    # marks it done with a note.
    "action_item": {
        "admin": ("meeting", "what", "responsible", "due_on", "status", "done_note"),
        "supervisor": ("meeting", "what", "responsible", "due_on", "status",
                       "done_note"),
        "hr": ("status", "done_note"),
        "steward": ("status", "done_note"),
        "department": ("status", "done_note"),
    },
}

# Pages the policy keeps to some roles, beyond the letter they need on their entity.
# The handover of a leaving steward's work (career moves → "Hand over") moves units,
# tickets and visits between stewards: HR, whose decision the move is, and the office
# administrator who keeps those records. Not a supervisor: the matrix gives supervisors
# read-only career moves and staff records, and no units to assign.
HANDOVER_ROLES = frozenset({"hr", "admin"})

ENTITIES: dict[str, EntityAccess] = {
    name: EntityAccess(
        name=name,
        model=model,
        label=label,
        category=category,
        grants={role: Grant.parse(cell) for role, cell in zip(ROLES, cells, strict=True)},
        personal=PERSONAL_FIELDS.get(name, ()),
        writes=FIELD_WRITERS.get(name),
    )
    for name, model, category, label, *cells in _TABLE
}

def check_declaration() -> None:
    """Fail loudly at start-up if the table names a scope the models cannot apply."""
    from models.scopes import CONFIRMED, DEPARTMENT_PATHS, STEWARD_PATHS

    for entity in ENTITIES.values():
        for role, grant in entity.grants.items():
            if grant.scope == "department":
                if entity.model not in DEPARTMENT_PATHS:
                    raise ValueError(f"{entity.name}: scope department for {role} has no path")
            elif grant.scope != "all" and entity.model not in STEWARD_PATHS:
                raise ValueError(f"{entity.name}: scope {grant.scope} for {role} has no path")
            if grant.scope == "own_confirmed" and entity.model not in CONFIRMED:
                raise ValueError(f"{entity.name}: no 'confirmed' condition")
        known = set(sa_inspect(entity.model).attrs.keys())
        for role, fields in (entity.writes or {}).items():
            if set(fields) - known:
                raise ValueError(f"{entity.name}: {role} writes unknown {set(fields) - known}")


BY_MODEL: dict[type, EntityAccess] = {entity.model: entity for entity in ENTITIES.values()}
