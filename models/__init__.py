"""The schema of the whole domain, one module per area."""

from .assessment import AnnualAssessment, CareerMove, MonthlyAssessment, RewardPenalty
from .base import Base, Choices, Entity
from .bill_totals import BillTotal
from .departments import Department, Dispatch
from .fees import ArrearsReminder, Bill, FeeStandard, Payment
from .household_totals import HouseholdTotal
from .jobs import Job, Notice, ScheduleRun
from .numbering import NumberCounter
from .org import ActionItem, ExternalBody, Meeting
from .outbox import MessageTemplate, OutboxMessage
from .people import Staff, User
from .platform import AuditEntry, ImportBatch, PolicySetting
from .property import Building, Owner, Ownership, Project, Unit, UnitAssignment
from .safety import Hazard, Incident, Patrol
from .service import CommunityEvent, Procedure, ProcedureStep
from .signin import OwnerPageHit, SignInFailure
from .tickets import ReturnVisit, Ticket, TicketEvent
from .training import TrainingProgram, TrainingResult, TrainingSession
from .worklog import Summary, WorkLog

__all__ = [
    "ActionItem", "AnnualAssessment", "ArrearsReminder", "AuditEntry", "Base", "Bill",
    "BillTotal",
    "Building", "CareerMove", "Choices", "CommunityEvent", "Department", "Dispatch", "Entity",
    "ExternalBody", "FeeStandard", "HouseholdTotal",
    "Hazard", "ImportBatch", "Incident", "Job", "Notice", "ScheduleRun",
    "Meeting", "MessageTemplate", "MonthlyAssessment", "NumberCounter", "OutboxMessage",
    "Owner", "Ownership",
    "Patrol",
    "Payment", "PolicySetting", "Procedure", "ProcedureStep", "Project", "ReturnVisit",
    "RewardPenalty",
    "OwnerPageHit", "SignInFailure", "Staff", "Summary", "Ticket", "TicketEvent", "TrainingProgram",
    "TrainingResult", "TrainingSession", "Unit", "UnitAssignment", "User", "WorkLog",
]
