"""Steward Back Office: the app factory, its CLI commands, and `python app.py` for the demo."""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask, flash, redirect, request, session, url_for
from flask_babel import gettext
from flask_login import current_user

import errors
import operations
import settings
from config import Config, apply_security_settings
from extensions import babel, csrf, db, login_manager, migrate
from rules.refusal import N_

MIGRATIONS = str(Path(__file__).with_name("migrations"))


LANGUAGES = ("zh_Hans_CN", "en")


def select_locale() -> str:
    """The request's ?lang=, else the signed-in user's saved language, else this browser
    session's choice, else Chinese."""
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        session["lang"] = asked
        return asked
    if current_user and current_user.is_authenticated and current_user.locale in LANGUAGES:
        return current_user.locale
    return session.get("lang") or "zh_Hans_CN"


def remember_language() -> None:
    """A signed-in user's ?lang= choice is kept on their account for next time."""
    asked = request.args.get("lang")
    if asked in LANGUAGES and current_user.is_authenticated and current_user.locale != asked:
        current_user.locale = asked
        db.session.commit()


def create_app(test_config: dict | None = None, *, demo: bool = False) -> Flask:
    # The instance folder (uploads, exports, the demo's database and secret) is shared by
    # the web processes and `flask worker`: STEWARD_INSTANCE_PATH names it for both.
    app = Flask(__name__, instance_relative_config=True,
                instance_path=os.environ.get("STEWARD_INSTANCE_PATH") or None)
    app.url_map.converters["int"] = errors.RecordId  # before any route is added
    app.config.from_object(Config)
    app.config.from_mapping(settings.from_environment())
    if test_config:
        app.config.update(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    apply_security_settings(app, demo=demo)
    if demo and "STEWARD_NOTICE_CAPTURE" not in os.environ:
        app.config["NOTICE_CAPTURE"] = True  # the demo's messages go to a file, not to owners
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = (
            f"sqlite:///{Path(app.instance_path) / 'steward.sqlite'}"
        )

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        # The app's queries are short and planned fast; PostgreSQL's JIT compiler spends
        # ~0.3 s compiling each large aggregate (arrears, collection) before running it.
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        connect = dict(options.get("connect_args") or {})
        connect.setdefault("options", "-c jit=off")
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options | {"connect_args": connect}
    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS, render_as_batch=True)
    csrf.init_app(app)
    # times are shown in the company's zone, whatever the browser's (admin_views/formats.py)
    babel.init_app(app, locale_selector=select_locale,
                   timezone_selector=lambda: app.config["COMPANY_TIMEZONE"])
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = N_("Please sign in to see this page.")
    login_manager.localize_callback = gettext

    from admin_views import headers, init_admin
    from admin_views.auth import bp as auth_bp
    from models import audit, bill_totals, guards, household_totals, tracking
    from services import notices

    tracking.init_app(app)
    guards.init_app(app)
    bill_totals.init_app(app)  # after the guards: a payment's bill is dirty by then
    household_totals.init_app(app)
    notices.init_app(app)  # after the guards: it reads what they derive
    audit.init_app(app)
    app.register_blueprint(auth_bp)
    import owner_page

    owner_page.init_app(app)
    headers.init_app(app)
    init_admin(app)

    import logging_setup

    logging_setup.init_app(app)  # first: every later hook logs under the request id
    errors.init_app(app)
    app.before_request(remember_language)

    @app.route("/")
    def home():
        return redirect(url_for("admin.index"))

    @app.errorhandler(413)
    def too_large(error):
        flash(gettext("The file is larger than %(mb)s MB.",
                      mb=app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)), "error")
        return redirect(request.path)

    register_cli(app)
    operations.init_app(app)
    return app


@contextmanager
def command_actor(name: str):
    """A CLI command acts as `name` and its changes form one change set in the audit trail."""
    import uuid

    from models import audit
    from models.tracking import cli_actor

    tokens = cli_actor.set(name), audit.batch.set((str(uuid.uuid4()), "cli"))
    try:
        yield
    finally:
        audit.batch.reset(tokens[1])
        cli_actor.reset(tokens[0])


def register_cli(app: Flask) -> None:
    from models import Staff, User

    @app.cli.command("create-user")
    @click.argument("username")
    @click.option("--role", type=click.Choice(["admin", "hr", "supervisor", "steward"]),
                  required=True)
    @click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
    @click.option("--staff", "employee_no", help="Employee number of the staff record to link.")
    def create_user(username: str, role: str, password: str, employee_no: str | None) -> None:
        """Create a login account."""
        from rules.accounts import password_problems

        problems = password_problems(password, username, app.config["PASSWORD_MIN_LENGTH"])
        if problems:
            raise click.BadParameter(" ".join(m % p for m, p in problems),
                                     param_hint="--password")
        if db.session.scalar(sa.select(User).where(User.username == username)):
            raise click.ClickException(f"username {username!r} is taken")
        staff = None
        if employee_no:
            staff = db.session.scalar(sa.select(Staff).where(Staff.employee_no == employee_no))
            if staff is None:
                raise click.ClickException(f"no staff record with employee number {employee_no}")
        with command_actor("create-user"):
            user = User(username=username, role=role, staff=staff)
            user.set_password(password)
            db.session.add(user)
            db.session.commit()
        click.echo(f"created {username} ({role})")

    @app.cli.command("bill-run")
    @click.option("--period", required=True, help="The month to bill, e.g. 2026-11.")
    @click.option("--due-day", default=25, show_default=True, type=click.IntRange(1, 31))
    def bill_run_command(period: str, due_day: int) -> None:
        """Bill every unit for every fee standard in force in PERIOD (idempotent)."""
        from rules.refusal import Refused
        from services.billing import bill_run

        with command_actor("bill-run"):
            try:
                run = bill_run(db.session, period, due_day=due_day, actor="bill-run")
                db.session.commit()
            except Refused as refusal:
                raise click.BadParameter(str(refusal), param_hint="--period") from None
        click.echo(f"{period}: {run.created} bills created, {run.existing} already there, "
                   f"{run.standards} fee standards in force, {run.without_owner} without a "
                   "primary owner")

    @app.cli.command("seed-demo")
    @click.option("--seed", default=2026, show_default=True)
    def seed_demo(seed: int) -> None:
        """Fill an empty database with a deterministic demo company."""
        import demo

        counts = demo.seed(db.session, seed=seed)
        click.echo(", ".join(f"{n} {name}" for name, n in counts.items()))


def serve_demo() -> None:
    """Create the SQLite database with demo data if needed, then serve on 127.0.0.1:5000."""
    from flask_migrate import upgrade

    import demo
    from models import User

    app = create_app(demo=True)
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        if db.session.scalar(sa.select(sa.func.count(User.id))) == 0:
            demo.seed(db.session)
    operations.start_demo_worker(app)
    app.run(host="127.0.0.1", port=int(os.environ.get("PORT", 5000)), debug=False)


if __name__ == "__main__":
    serve_demo()
