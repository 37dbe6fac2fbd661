"""Staff: the hiring check HR reads on each steward's and steward candidate's record (P-REQ-1,
-2, -4) and putting stewards on duty after their onboarding exam (P-TRN-2)."""

from __future__ import annotations

from flask_admin.actions import action
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from extensions import db
from models.queries import company_today
from rules.staffing import Applicant, hiring_check
from services.staffing import put_on_duty

from .context import policy_today
from .generated import EntityView


def check_of(person):
    """The hiring check of a staff record on today's date, under today's policy."""
    applicant = Applicant(person.birth_date, person.education, person.major,
                          person.property_years, person.steward_years)
    return hiring_check(applicant, company_today(), policy_today())


def _not_applicable():
    return Markup('<span class="text-muted" title="{}">—</span>').format(
        gettext("The hiring requirements are the steward position's (P-REQ-1, P-REQ-2, "
                "P-REQ-4)."))


def _check_summary(view, context, model, name):
    if model.position != "steward":  # candidates for the position included
        return _not_applicable()
    check = check_of(model)
    if check.meets:
        text, tone = gettext("Meets the requirements"), "success"
    else:
        text, tone = gettext("%(n)s requirements not met", n=len(check.reasons)), "danger"
    plus = Markup(' <span class="badge badge-info">{}</span>').format(
        gettext("Preferred major")) if check.preferred_major else ""
    return Markup('<span class="badge badge-{}">{}</span>{}').format(tone, text, plus)


def _check_details(view, context, model, name):
    if model.position != "steward":
        return _not_applicable()
    check = check_of(model)
    reasons = [gettext(message, **params) for message, params in check.reasons]
    items = Markup("").join(Markup("<li>{}</li>").format(r) for r in reasons)
    summary = _check_summary(view, context, model, name)
    return Markup('{}<ul class="mb-0" id="hiring-reasons">{}</ul>').format(summary, items)


class StaffView(EntityView):
    action_letters = {"delete": "D", "put_on_duty": "U"}
    # the button on the person's record too (P-TRN-2 checked the same way)
    record_actions = (("put_on_duty", lambda person: person.status not in ("on_duty", "left")),)

    def __init__(self, entity, **declared):
        declared["column_formatters"] = {
            **declared.get("column_formatters", {}), "hiring_check": _check_summary}
        declared["column_labels"] = {**declared.get("column_labels", {}),
                                     "hiring_check": _l("Hiring requirements")}
        super().__init__(entity, **declared)

    def _prepare_columns(self) -> None:
        super()._prepare_columns()
        self.column_details_list = [*self.column_details_list, "hiring_check"]
        self.column_formatters_detail = {**self.column_formatters,
                                         "hiring_check": _check_details}

    @action("put_on_duty", _l("Put on duty"), _l("Put the selected staff on duty?"))
    def action_put_on_duty(self, ids):
        self.apply_to_selected(ids, lambda person: put_on_duty(db.session, person),
                               gettext("%(count)s now on duty."))
