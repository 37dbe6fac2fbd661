"""The back office: one generated view per entity of the access declaration, and a start page."""

from __future__ import annotations

import sqlalchemy as sa
from flask import url_for
from flask_admin import Admin, AdminIndexView, expose
from flask_admin.theme import Bootstrap4Theme
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from access import ENTITIES, check_declaration
from extensions import db
from models.assessment import CAREER_MOVE_KIND, CAREER_MOVE_STATUS, GRADE, REWARD_PENALTY_KIND
from models.base import utcnow
from models.people import ROLE, STAFF_STATUS
from models.tickets import TICKET_STATUS
from rules import workflow

from . import history, i18n, landing, landing_loops, phone_menu, printing
from .accounts import AccountView
from .assessments import AnnualAssessmentView, MonthlyAssessmentView, RewardPenaltyView
from .auth import PasswordView, to_sign_in
from .careers import CareerMoveView
from .context import policy_today
from .dashboard import DashboardView
from .dispatch import DispatchView
from .entities import VIEWS
from .fees import BillView, FeeStandardView
from .formats import call_link, day, moment, money, percent
from .generated import EntityView
from .importing import ImportView
from .jobs import JobView
from .meetings import ActionItemView, MeetingView
from .notices import CommunityEventView
from .procedures import ProcedureView
from .property_files import OwnerView, UnitView
from .staffing import StaffView
from .summaries import SummaryView
from .tickets import TicketView
from .training import TrainingResultView
from .visits import ReturnVisitView

# Entities whose screens need more than the generated view.
VIEW_CLASSES: dict[str, type[EntityView]] = {
    "user": AccountView,
    "unit": UnitView,
    "owner": OwnerView,
    "ticket": TicketView,
    "monthly_assessment": MonthlyAssessmentView,
    "annual_assessment": AnnualAssessmentView,
    "reward_penalty": RewardPenaltyView,
    "staff": StaffView,
    "career_move": CareerMoveView,
    "bill": BillView,
    "fee_standard": FeeStandardView,
    "community_event": CommunityEventView,
    "dispatch": DispatchView,
    "return_visit": ReturnVisitView,
    "procedure": ProcedureView,
    "summary": SummaryView,
    "meeting": MeetingView,
    "action_item": ActionItemView,
    "training_result": TrainingResultView,
}


# The admin's start page counts each list's rows up to this many.
OVERVIEW_CAP = 10_000


class StartPage(AdminIndexView):
    """The page each role lands on: its waiting work (admin_views/landing.py); the admin's
    records with counts."""

    def is_accessible(self) -> bool:
        return current_user.is_authenticated

    def inaccessible_callback(self, name, **kwargs):
        return to_sign_in()

    @expose("/")
    def index(self):
        role = current_user.role
        work = {"steward": landing.steward_work, "supervisor": landing.supervisor_work,
                "hr": landing.hr_work, "department": landing.department_work}.get(role)
        overview = self._overview() if role == "admin" else []
        return self.render("admin/index.html", overview=overview, loops=landing_loops.work(),
                           work=work() if work else {}, role=role, deadline=self._deadline,
                           may_find=ENTITIES["unit"].grant(role).allows("R"),
                           ticket_status=TICKET_STATUS, grades=GRADE, kinds=REWARD_PENALTY_KIND,
                           staff_status=STAFF_STATUS, move_kinds=CAREER_MOVE_KIND,
                           move_status=CAREER_MOVE_STATUS, now=utcnow())

    def _overview(self) -> list:
        """The admin's records, with counts, by menu category: all counted in one statement,
        each only up to OVERVIEW_CAP rows (a bigger one reads "10,000+"), so the page costs
        the same for a company of 300 units or of 100,000 (issue 16)."""
        views = [view for view in self.admin._views
                 if isinstance(view, EntityView) and view.is_accessible() and view.allows("R")]
        capped = [sa.select(sa.func.count()).select_from(
            view.get_query().with_entities(view.model.id).limit(OVERVIEW_CAP + 1).subquery())
            .scalar_subquery() for view in views]
        counts = db.session.execute(sa.select(*capped)).one() if capped else ()
        overview: dict[str, list] = {}
        for view, count in zip(views, counts, strict=True):
            shown = f"{OVERVIEW_CAP:,}+" if count > OVERVIEW_CAP else f"{count:,}"
            overview.setdefault(str(view.category), []).append(
                (view.name, url_for(f"{view.endpoint}.index_view"), shown))
        return list(overview.items())

    @staticmethod
    def _deadline(ticket):
        return workflow.deadline_state(ticket.status, ticket.due_at, utcnow(), policy_today())


def page_language() -> str:
    """The HTML language of the page being rendered: zh-CN or en."""
    from flask_babel import get_locale

    return "zh-CN" if str(get_locale() or "").startswith("zh") else "en"


def init_admin(app) -> Admin:
    check_declaration()
    i18n.install()
    admin = Admin(
        app,
        name=_l("Steward Back Office"),
        theme=Bootstrap4Theme(swatch=app.config["FLASK_ADMIN_SWATCH"], fluid=True),
        index_view=StartPage(name=_l("Home"), url="/admin"),
    )
    admin.add_view(DashboardView(name=_l("Dashboard"), endpoint="dashboard",
                                 url="/admin/dashboard"))
    for name, entity in ENTITIES.items():
        view_class = VIEW_CLASSES.get(name, EntityView)
        admin.add_view(view_class(entity, **VIEWS.get(name, {})))
    admin.add_view(PasswordView(name=_l("Change password"), endpoint="account",
                                url="/admin/account/password"))
    admin.add_view(ImportView(name=_l("Import owners and units"),
                              category=ENTITIES["owner"].category, endpoint="import",
                              url="/admin/import"))
    admin.add_view(JobView(name=_l("Jobs"), endpoint="jobs", url="/admin/jobs"))
    admin.add_view(printing.PrintView(name=_l("Print"), endpoint="print", url="/admin/print"))
    printing.init_app(app)

    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["moment"] = moment
    app.jinja_env.filters["day"] = day
    app.jinja_env.filters["percent"] = percent
    app.jinja_env.filters["call"] = call_link
    app.jinja_env.filters["who"] = history.who  # the person acting in an audit entry

    @app.context_processor
    def _labels():
        # the page's language, for what the browser words itself (the date pickers)
        return {"role_label": ROLE.label, "phone_menu": phone_menu.entries,
                "page_language": page_language()}

    return admin
