"""Sign-in, sign-out and changing one's own password.

Every session and remember-me cookie carries the account's session token (User.get_id); a
new token — at sign-out, at any password change — ends them all. Failed sign-ins are
throttled per username typed and per client address (rules/accounts.py), and an unknown
username costs the same password check as a known one, so the answer's timing does not tell
which accounts exist.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_admin import BaseView, expose
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from werkzeug.security import check_password_hash, generate_password_hash
from wtforms import BooleanField, PasswordField, StringField, ValidationError, validators

from extensions import db, login_manager
from models import SignInFailure, User, audit
from models.base import utcnow
from models.careers import dismissed_by
from models.people import new_session_token
from models.queries import company_today
from rules.accounts import PASSWORD_MAX_LENGTH, Throttle, locked_until, password_problems

from .formats import moment

bp = Blueprint("auth", __name__)

# Checked when the username is unknown, so that answer takes as long as a wrong password.
_DUMMY_HASH = generate_password_hash(secrets.token_hex(16))


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), [validators.InputRequired(), validators.Length(max=50)])
    password = PasswordField(
        _l("Password"), [validators.InputRequired(), validators.Length(max=128)]
    )
    remember = BooleanField(_l("Keep me signed in"))


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The account of a session or remember-me cookie, if its token is still the account's."""
    number, _, token = user_id.partition(".")
    if not number.isdigit() or not token or len(number) > 18:
        return None
    user = db.session.get(User, int(number))
    if user is None or not user.active:
        return None
    if not hmac.compare_digest(user.session_token.encode(), token.encode()):
        return None
    return user


def to_sign_in():
    """Where a request without a signed-in user goes: the sign-in page, coming back here.
    A form sent from a page whose session had ended was not saved, and the user is told."""
    if request.method == "POST":
        flash(gettext("Your session had ended, so what you just sent was not saved. Sign in "
                      "and enter it again."), "warning")
    return redirect(url_for("auth.login", next=request.full_path))


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never redirect a signed-in user elsewhere."""
    if (
        target
        and not urlsplit(target).netloc
        and target.startswith("/")
        and not target.startswith("//")
    ):
        return target
    return url_for("admin.index")


def _throttles() -> tuple[Throttle, Throttle]:
    config = current_app.config
    window = timedelta(minutes=config["SIGN_IN_WINDOW_MINUTES"])
    lock = timedelta(minutes=config["SIGN_IN_LOCK_MINUTES"])
    return (Throttle(config["SIGN_IN_ACCOUNT_FAILURES"], window, lock),
            Throttle(config["SIGN_IN_ADDRESS_FAILURES"], window, lock))


def _address() -> str:
    return (request.remote_addr or "unknown")[:45]


def _lock_message(username: str, address: str, now) -> str | None:
    """Why sign-in is refused before the password is even checked, if it is."""
    by_account, by_address = _throttles()
    since = now - max(by_account.lookback, by_address.lookback)
    failures = db.session.execute(sa.select(SignInFailure.at, SignInFailure.username,
                                            SignInFailure.address).where(
        SignInFailure.at >= since,
        sa.or_(SignInFailure.username == username, SignInFailure.address == address))).all()
    until = locked_until([f.at for f in failures if f.username == username], now, by_account)
    if until is not None:
        return gettext("Too many failed sign-ins for this account. It is locked until "
                       "%(time)s; try again then.", time=moment(until))
    until = locked_until([f.at for f in failures if f.address == address], now, by_address)
    if until is not None:
        return gettext("Too many failed sign-ins from this address. Try again after "
                       "%(time)s.", time=moment(until))
    return None


def _record_failure(username: str, address: str, now) -> None:
    by_account, by_address = _throttles()
    oldest = now - max(by_account.lookback, by_address.lookback)
    db.session.execute(sa.delete(SignInFailure).where(SignInFailure.at < oldest))
    db.session.add(SignInFailure(at=now, username=username, address=address))
    db.session.commit()


def _signed_in(user: User, remember: bool) -> None:
    """Note the sign-in without a new version of the account (two sign-ins at once must not
    conflict), in the audit trail, and start a fresh session."""
    now = utcnow()
    db.session.execute(sa.update(User).where(User.id == user.id)
                       .values(last_login_at=now, updated_at=User.updated_at)
                       .execution_options(synchronize_session=False))
    db.session.execute(sa.delete(SignInFailure).where(SignInFailure.username == user.username))
    audit.record_account_event(db.session, user, "sign_in")
    db.session.commit()
    language = session.get("lang")
    session.clear()  # nothing from before the sign-in carries over
    if language:
        session["lang"] = language
    login_user(user, remember=remember)


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        username, now, address = form.username.data.strip(), utcnow(), _address()
        locked = _lock_message(username, address, now)
        if locked:
            flash(locked, "error")
            return render_template("auth/login.html", form=form), 429
        user = db.session.scalar(sa.select(User).where(User.username == username))
        # the same password check whether or not the account exists
        matches = check_password_hash(user.password_hash if user else _DUMMY_HASH,
                                      form.password.data)
        if user is not None and user.active and matches and not dismissed_by(
                db.session, user.staff_id, company_today()):  # even before the job has run
            _signed_in(user, form.remember.data)
            return redirect(_safe_next(request.args.get("next")))
        _record_failure(username, address, now)
        flash(gettext("Wrong username or password."), "error")
    return render_template("auth/login.html", form=form)


def end_sessions(user: User) -> None:
    """A new session token for `user`: every session and remember-me cookie of the account
    stops working. Not a new version of the account: only its cookies change."""
    db.session.execute(sa.update(User).where(User.id == user.id)
                       .values(session_token=new_session_token(), updated_at=User.updated_at)
                       .execution_options(synchronize_session=False))


@bp.route("/logout", methods=["POST"])
def logout():
    """Sign out: every session of the account ends. A tab whose session had ended already
    (signed out in another tab) lands on the sign-in page all the same."""
    if current_user.is_authenticated:
        user = current_user._get_current_object()
        end_sessions(user)
        audit.record_account_event(db.session, user, "sign_out")
        db.session.commit()
        logout_user()
    flash(gettext("You have signed out."), "info")
    return redirect(url_for("auth.login"))


def acceptable_password(username_of):
    """A form validator of the password rules (rules/accounts.py), in the user's language;
    `username_of(form)` is the account's username."""

    def check(form, field) -> None:
        if not field.data:
            return
        problems = password_problems(field.data, username_of(form),
                                     current_app.config["PASSWORD_MIN_LENGTH"])
        if problems:
            raise ValidationError(" ".join(gettext(m, **p) for m, p in problems))

    return check


class PasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), [validators.InputRequired(),
                                                     validators.Length(max=PASSWORD_MAX_LENGTH)])
    new = PasswordField(_l("New password"), [
        validators.InputRequired(), acceptable_password(lambda form: current_user.username)])
    repeat = PasswordField(_l("New password again"), [
        validators.InputRequired(), validators.EqualTo("new", _l("The two new passwords differ."))])

    def validate_current(self, field):
        if not current_user.check_password(field.data):
            # guessing the password here counts like guessing it at sign-in
            _record_failure(current_user.username, _address(), utcnow())
            raise ValidationError(gettext("This is not your current password."))

    def validate_new(self, field):
        if field.data == self.current.data:
            raise ValidationError(gettext("The new password must differ from the current one."))


class PasswordView(BaseView):
    """Users change their own password (linked from the top bar, not in the menu); their
    other sessions end, this one goes on."""

    def is_visible(self) -> bool:
        return False

    def is_accessible(self) -> bool:
        return current_user.is_authenticated

    def inaccessible_callback(self, name, **kwargs):
        return to_sign_in()

    @expose("/", methods=("GET", "POST"))
    def index(self):
        form = PasswordForm()
        if request.method == "POST":
            locked = _lock_message(current_user.username, _address(), utcnow())
            if locked:
                flash(locked, "error")
                return self.render("auth/password.html", form=form), 429
        if form.validate_on_submit():
            user = current_user._get_current_object()
            user.set_password(form.new.data)
            db.session.commit()
            login_user(user)  # this session carries the new token; every other one has ended
            flash(gettext("Your password is changed. Your other sessions are signed out."),
                  "success")
            return redirect(url_for("admin.index"))
        return self.render("auth/password.html", form=form), 400 if form.errors else 200
