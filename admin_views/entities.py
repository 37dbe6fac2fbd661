"""What each entity's screens show, where the generated defaults are not enough.

`happened_fields` are the fields that record when something happened (a payment made, a
patrol walked, an exam taken): a create form starts them at now, or today, in the company's
calendar (admin_views/form_help.py). Dates of plans (a visit planned, a session's start, a
move's effective date, a due date) and of facts to look up (a birth date, an ownership's
start) start empty.

Keys are the entity names of the access declaration. Anything left out is generated from the
model (admin_views/generated.py): list columns, details, filters on choices, booleans and
dates, form validators from column info, scoped pickers.
"""

from flask_admin.contrib.sqla.filters import FilterEqual
from flask_babel import lazy_gettext as _l

from models import AuditEntry

from .history import AUDIT_FORMATTERS, action_options, entity_options

# A person's name is 姓名; a project's, a building's or a course's is 名称.
PERSON_NAME = _l("Full name")

VIEWS: dict[str, dict] = {
    "project": dict(
        column_list=["code", "name", "kind", "address"],
        column_searchable_list=["code", "name"],
        column_default_sort="code",
    ),
    "building": dict(
        column_list=["project", "name", "floors"],
        column_searchable_list=["name"],
        column_filters=["project.name"],
        column_default_sort=[("project_id", False), ("name_key", False)],  # 2栋 before 10栋
    ),
    "unit": dict(
        column_list=["building", "number", "floor", "area", "usage", "steward"],
        column_searchable_list=["number"],
        column_filters=["usage", "building.name", "steward.name"],
        column_editable_list=["usage"],
        # rooms in natural order (rules/ordering.py): 101, 102, …, 1001
        column_default_sort=[("building_id", False), ("number_key", False)],
    ),
    "owner": dict(
        column_list=["name", "phone", "id_number", "preferred_channel", "wechat_id"],
        column_searchable_list=["name", "phone"],
        column_editable_list=["preferred_channel"],
        column_labels={"name": PERSON_NAME},
        column_default_sort="name",
    ),
    "ownership": dict(
        column_list=["owner", "unit", "since", "until", "is_primary"],
        column_default_sort=("since", True),
    ),
    "ticket": dict(
        column_list=[
            "code", "priority", "status", "category", "unit", "contact_name", "contact_phone",
            "steward", "due_at",
        ],
        column_searchable_list=["code", "contact_name"],
        column_filters=["status", "priority", "category", "channel", "due_at", "steward.name"],
        column_default_sort=("intake_at", True),
        happened_fields=("intake_at",),
    ),
    "ticket_event": dict(
        column_list=["ticket", "at", "actor", "from_status", "to_status", "note"],
        # a note or contact with the owner; status changes come from the ticket's steps
        form_columns=["ticket", "note"],
        column_default_sort=("at", True),
    ),
    "return_visit": dict(
        column_list=["owner", "unit", "ticket", "steward", "planned_on", "visited_at",
                     "satisfaction"],
        column_filters=["channel", "visited_at", "planned_on", "satisfaction", "steward.name"],
        column_default_sort=("planned_on", True),
    ),
    "dispatch": dict(
        column_list=["ticket", "department", "status", "due_at", "taken_by", "dispatched_at",
                     "done_at"],
        column_filters=["status", "department.code", "dispatched_at"],
        column_default_sort=("dispatched_at", True),
    ),
    "department": dict(
        column_list=["code", "head", "phone", "duties"],
        column_default_sort="code",
    ),
    "community_event": dict(column_default_sort=("starts_at", True)),
    "message_template": dict(
        column_list=["event", "channel", "subject", "variables", "provider_template"],
        column_filters=["event", "channel"],
        column_default_sort="event",
        column_descriptions={"body": _l("Write a variable in braces, as the template lists "
                                        "them.")},
    ),
    "procedure": dict(
        happened_fields=("started_on",),
        column_list=["kind", "unit", "owner", "steward", "status", "started_on",
                     "completed_on", "deposit"],
        column_filters=["kind", "status", "started_on", "completed_on"],
        column_default_sort=("started_on", True),
        column_descriptions={"owner": _l(
            "Move-in: the owner moving in (an owner of the unit from completion, if not one "
            "yet). Move-out: the owner giving the unit up (their ownership ends on "
            "completion). Leave empty for a tenant.")},
    ),
    "procedure_step": dict(
        column_list=["procedure", "position", "name", "done_at", "done_by", "note"],
        column_filters=["done_at"],
        column_labels={"position": _l("Order"), "name": _l("Step")},
        column_default_sort=[("procedure_id", True), ("position", False)],
    ),
    "fee_standard": dict(
        column_list=["project", "name", "basis", "rate", "effective_from", "effective_until"],
    ),
    "bill": dict(
        column_list=["period", "unit", "owner", "standard", "amount", "paid_amount", "status",
                     "due_date"],
        column_searchable_list=["period"],
        column_filters=["status", "period", "due_date"],
        column_default_sort=[("period", True), ("unit_id", False)],
    ),
    "payment": dict(
        column_list=["receipt_no", "bill", "amount", "method", "paid_at"],
        form_columns=["bill", "amount", "method", "paid_at", "receipt_no"],
        column_searchable_list=["receipt_no"],
        column_filters=["method", "paid_at"],
        column_default_sort=("paid_at", True),
        happened_fields=("paid_at",),
    ),
    "arrears_reminder": dict(
        column_list=["bill", "steward", "reminded_at", "method", "reason", "promised_on",
                     "outcome"],
        column_filters=["method", "reason", "outcome", "promised_on", "reminded_at"],
        column_default_sort=("reminded_at", True),
        happened_fields=("reminded_at",),
    ),
    "patrol": dict(column_default_sort=("patrolled_at", True), happened_fields=("patrolled_at",)),
    "hazard": dict(column_default_sort=("found_at", True), happened_fields=("found_at",)),
    "incident": dict(column_default_sort=("occurred_at", True),
                     happened_fields=("occurred_at",)),
    "work_log": dict(
        column_list=["steward", "day", "needs_received", "problems_handled", "feedback_given"],
        column_default_sort=("day", True),
        happened_fields=("day",),
    ),
    "summary": dict(
        column_list=["steward", "kind", "period_start", "status", "submitted_at",
                     "supervisor_comment"],
        # the figures are shown, worded, above the details and the form
        column_details_list=["steward", "kind", "period_start", "status", "submitted_at",
                             "work_done", "problems", "shortcomings", "improvements",
                             "supervisor_comment"],
        column_filters=["kind", "status", "period_start", "steward.name"],
        column_default_sort=("period_start", True),
    ),
    "career_move": dict(
        column_list=["staff", "kind", "from_position", "to_position", "to_department",
                     "to_supervisor", "effective_on", "status"],
        form_columns=["staff", "kind", "to_position", "to_department", "to_supervisor",
                      "effective_on", "reason"],
        column_filters=["kind", "status", "effective_on", "to_department"],
    ),
    "staff": dict(
        column_list=["employee_no", "name", "position", "department", "status", "supervisor",
                     "hire_date", "education", "hiring_check"],
        column_searchable_list=["employee_no", "name"],
        column_labels={"name": PERSON_NAME},
        column_default_sort="employee_no",
    ),
    "user": dict(
        column_list=["username", "role", "staff", "active", "last_login_at"],
        column_searchable_list=["username"],
        form_excluded_columns=["password_hash", "session_token", "last_login_at", "created_at",
                               "created_by",
                               "updated_at", "updated_by", "version"],
        column_default_sort="username",
    ),
    "training_result": dict(
        column_list=["staff", "session", "attempt", "taken_on", "exam_score", "passed"],
        column_default_sort=("taken_on", True),
        happened_fields=("taken_on",),
    ),
    "monthly_assessment": dict(
        column_list=["staff", "period", "total", "grade", "bonus_factor", "bonus_amount",
                     "status", "satisfaction_score", "collection_score", "on_time_score",
                     "task_score"],
        # the breakdown is shown, readably, on the assessment sheet
        column_details_list=["staff", "period", "assessor", "satisfaction_score",
                             "collection_score", "on_time_score", "task_score", "no_tasks",
                             "total", "grade", "bonus_factor", "bonus_base", "bonus_amount",
                             "status", "comment", "confirmed_at",
                             "confirmed_by", "reopen_note", "policy"],
        column_filters=["period", "grade", "status"],
        column_default_sort=("period", True),
    ),
    "annual_assessment": dict(column_default_sort=("year", True)),
    "meeting": dict(column_default_sort=("held_at", True), happened_fields=("held_at",)),
    "action_item": dict(
        column_list=["meeting", "what", "responsible", "due_on", "status", "done_at"],
        form_columns=["meeting", "what", "responsible", "due_on", "status",
                      "done_note"],
        column_searchable_list=["what"],
        column_filters=["status", "due_on", "responsible.name"],
        column_default_sort=[("due_on", False), ("id", False)],
    ),
    "policy_setting": dict(
        column_default_sort=("effective_from", True),
        column_descriptions={
            name: _l("One step per line. A procedure opened on or after the effective date "
                     "copies these steps; procedures already opened keep theirs.")
            for name in ("checklist_move_in", "checklist_renovation", "checklist_move_out")},
    ),
    "audit_entry": dict(
        column_list=["at", "actor_name", "action", "entity", "record_label", "source", "changes"],
        column_details_list=["at", "actor_name", "action", "entity", "record_label", "source",
                             "changes", "change_set"],
        # the person acting as 周静（admin）: their name, and the account they used
        column_labels={"actor_name": _l("Who"), "entity": _l("Record type")},
        column_formatters=AUDIT_FORMATTERS,
        # by the record's name (1栋-801, T202611-0001) or the person's (name or account)
        column_searchable_list=["record_label", "actor_name", "username"],
        column_filters=[
            FilterEqual(AuditEntry.entity, _l("Record type"), options=entity_options),
            FilterEqual(AuditEntry.action, _l("Action"), options=action_options),
            "at",
        ],
        column_default_sort=("at", True),
    ),
}
