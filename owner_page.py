"""The owner's page, `/o/<token>` (no account; P-TKT-4, P-TKT-5, P-OWN-3, P-COM-1).

Outside /admin and so outside the staff sign-in, but not outside CSRF (the app's CSRFProtect
covers its forms), the security headers or the request log. Shows one request — code, what
was asked, the unit, status and deadline, and only the ticket events the steward chose to
share — and, once resolved, takes the owner's rating. Throttled mainly per link the way
sign-in is (rules/accounts.py): too many requests within the window lock for a while, with a
page saying until when; links that name nothing are also counted per client address.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

import sqlalchemy as sa
from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError

import errors
from admin_views.fields import format_datetime
from extensions import db
from models import OwnerPageHit
from models.base import utcnow
from models.tickets import TICKET_STATUS
from rules import owner_feedback, workflow
from rules.accounts import Throttle, locked_until
from rules.refusal import Refused
from services import owner_feedback as owner_service
from services import owner_links

bp = Blueprint("owner_page", __name__, url_prefix="/o")

REFUSALS = {  # LinkRefused.reason → (what the page says, HTTP status)
    "expired": (_l("This link has expired. The next message about your request brings a new "
                   "one; or call your steward's service desk."), 410),
    "tampered": (_l("This link is not valid (or no longer: a newer message may carry a new "
                    "one). Please open the link in your latest message exactly as it came, "
                    "or call your steward's service desk."), 404),
    "revoked": (_l("This link is no longer valid: a newer message about your request carries "
                   "the current link."), 410),
    "used": (_l("This link was used for your rating. Thank you! If we handle your request "
                "again, the next message brings a new link."), 410),
}
SCALE = {1: _l("Very dissatisfied"), 2: _l("Dissatisfied"), 3: _l("So-so"),
         4: _l("Satisfied"), 5: _l("Very satisfied")}


@bp.context_processor
def _language() -> dict:
    return {"page_lang": "zh-CN" if str(get_locale()).startswith("zh") else "en"}


def _address() -> str:
    return (request.remote_addr or "unknown")[:45]


def _link_key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _throttles() -> tuple[Throttle, Throttle]:
    config = current_app.config
    window = timedelta(minutes=config["OWNER_PAGE_WINDOW_MINUTES"])
    lock = timedelta(minutes=config["OWNER_PAGE_LOCK_MINUTES"])
    return (Throttle(config["OWNER_PAGE_ADDRESS_HITS"], window, lock),
            Throttle(config["OWNER_PAGE_LINK_HITS"], window, lock))


def _too_many(until, now):
    message = gettext("Too many requests. Please try again after %(time)s.",
                      time=format_datetime(None, until))
    seconds = max(1, int((until - now).total_seconds()))
    return (render_template("owner/refused.html", message=message), 429,
            {"Retry-After": str(seconds)})


def _refusal_page(reason: str):
    message, status = REFUSALS.get(reason, REFUSALS["tampered"])
    return render_template("owner/refused.html", message=message), status


def _ticket_or_refusal(token: str):
    """(ticket, None), or (None, the page saying why not: the link is refused or locked).

    Throttled mainly per link: every request with a link counts against that link. Only a
    link that names nothing (guessing) counts against the client's address too, and only
    such links are refused when the address is locked: behind a proxy without STEWARD_PROXIES
    every owner has the proxy's address, and owners opening their own links never lock each
    other out."""
    now, address, link = utcnow(), _address(), _link_key(token)
    by_address, by_link = _throttles()
    oldest = now - max(by_address.lookback, by_link.lookback)
    hits = db.session.execute(sa.select(OwnerPageHit.at, OwnerPageHit.address,
                                        OwnerPageHit.link).where(
        OwnerPageHit.at >= oldest,
        sa.or_(OwnerPageHit.address == address, OwnerPageHit.link == link))).all()
    until = locked_until([h.at for h in hits if h.link == link], now, by_link)
    if until is not None:
        return None, _too_many(until, now)
    try:
        ticket, reason = owner_links.ticket_for(db.session, token), None
    except owner_links.LinkRefused as refused:
        ticket, reason = None, refused.reason
    guessing = reason == "tampered"
    if guessing:
        until = locked_until([h.at for h in hits if h.address == address], now, by_address)
        if until is not None:
            return None, _too_many(until, now)
    db.session.execute(sa.delete(OwnerPageHit).where(OwnerPageHit.at < oldest))
    db.session.add(OwnerPageHit(at=now, address=address if guessing else "", link=link))
    db.session.commit()
    return (ticket, None) if reason is None else (None, _refusal_page(reason))


def _deadline_words(ticket) -> str | None:
    if ticket.due_at is None:
        return None
    when = format_datetime(None, ticket.due_at)
    if ticket.status in workflow.OPEN_STATES:
        if utcnow() > ticket.due_at:
            return gettext("The deadline was %(time)s; we are still on it.", time=when)
        return gettext("We will resolve it by %(time)s.", time=when)
    return gettext("Deadline: %(time)s.", time=when)


def _page(token: str, ticket, errors: list[str] | None = None, form=None, status: int = 200):
    shared = [(format_datetime(None, e.at), e.note) for e in ticket.events
              if e.shared_with_owner and e.note]
    return render_template(
        "owner/page.html", token=token, ticket=ticket, unit=str(ticket.unit or ""),
        status_label=TICKET_STATUS.label(ticket.status), deadline=_deadline_words(ticket),
        intake=format_datetime(None, ticket.intake_at), shared=shared,
        dimensions=owner_feedback.DIMENSIONS, scale=SCALE, errors=errors or [],
        form=form or {}, owner=ticket.owner), status


@bp.route("/<token>", methods=["GET"])
def show(token: str):
    ticket, refusal = _ticket_or_refusal(token)
    return refusal or _page(token, ticket)


def _rating(name: str) -> int | None:
    value = request.form.get(name, "")
    return int(value) if value in {"1", "2", "3", "4", "5"} else None


@bp.route("/<token>/rate", methods=["POST"])
def rate(token: str):
    ticket, refusal = _ticket_or_refusal(token)
    if refusal:
        return refusal
    ratings = {name: _rating(f"rating_{name}") for name in owner_feedback.DIMENSIONS}
    comment = request.form.get("comment", "")
    try:
        outcome = owner_service.rate(db.session, ticket, ratings, comment)
        db.session.commit()
    except Refused as refused:
        db.session.rollback()
        message = gettext(refused.message, **refused.params)
        status = 409 if ticket.status != "resolved" else 400
        return _page(token, ticket, [message], {"comment": comment, **ratings}, status)
    except sa.exc.SQLAlchemyError as error:
        db.session.rollback()
        if not errors.is_concurrent(error):
            raise
        return _rated_meanwhile(token, {"comment": comment, **ratings})
    return render_template("owner/thanks.html", ticket=ticket, reopened=outcome.reopened)


def _rated_meanwhile(token: str, form: dict):
    """The rating met another change of the ticket (a double tap: the first tap's rating
    was saved): the page for the link as it is now, never the staff's conflict page."""
    try:
        ticket = owner_links.ticket_for(db.session, token)
    except owner_links.LinkRefused as refused:
        return _refusal_page(refused.reason)
    message = gettext("Your request changed while you were rating it. Please check and "
                      "send your rating again.")
    return _page(token, ticket, [message], form, 409)


@bp.route("/<token>/notices", methods=["POST"])
def notices(token: str):
    """Opt out of (or back into) non-essential notices (P-COM-1)."""
    ticket, refusal = _ticket_or_refusal(token)
    if refusal:
        return refusal
    if ticket.owner is None:
        return _page(token, ticket, status=400)
    opt_out = request.form.get("opt_out") == "1"
    if owner_service.set_notices(db.session, ticket.owner, opt_out=opt_out):
        db.session.commit()
    flash(gettext("You will no longer receive non-essential notices.") if opt_out
          else gettext("You will receive non-essential notices again."), "success")
    return redirect(url_for(".show", token=token))


def actor_label(username: str | None) -> str:
    """An actor as people read it: the owner's page's "owner:12" is 业主 #12."""
    if username and username.startswith(owner_service.ACTOR_PREFIX):
        return gettext("Owner #%(id)s", id=username[len(owner_service.ACTOR_PREFIX):])
    return username or ""


@bp.errorhandler(CSRFError)
def _form_expired(error):
    """A form without its token, or with a stale one: the owner's page, not the staff's."""
    return render_template("owner/refused.html", message=gettext(
        "This page was open too long to send. Please open the link in your message again "
        "and send it once more.")), 400


def init_app(app) -> None:
    app.register_blueprint(bp)
