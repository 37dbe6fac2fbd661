"""Background work: the queue (Huey), the job records users see, and the scheduled jobs."""

from __future__ import annotations

import click


def init_app(app) -> None:
    """Bind the queue to `app`, register the kinds of job, the schedules and their commands."""
    from . import exports, kinds, outbox, queue, runner, schedule  # noqa: F401 - registering

    queue.bind(app)
    app.before_request(exports.divert_large_exports)
    schedule.register_cli(app)
    outbox.register(app)

    def run_job_here(kind: str, params: dict) -> None:
        from extensions import db

        from .admin_text import error_line

        job = runner.run_here(db.session, kind, params, kind.replace("_", "-"))
        click.echo(f"job {job.id} {job.status}: {job.result or error_line(job)}")
        if job.status != "done":
            raise SystemExit(1)

    @app.cli.command("month-run")
    @click.option("--period", required=True, help="The month, e.g. 2026-11.")
    def month_run(period: str) -> None:
        """Every team's draft monthly assessments for PERIOD (confirmed ones stay)."""
        run_job_here("month_run", {"period": period})

    @app.cli.command("year-run")
    @click.option("--year", required=True, type=int)
    def year_run(year: int) -> None:
        """Every team's draft annual assessments for YEAR (confirmed ones stay)."""
        run_job_here("year_run", {"year": year})

    @app.cli.command("worker")
    @click.option("--workers", type=int, default=None,
                  help="Worker threads (default STEWARD_JOB_WORKERS, else 2).")
    @click.option("--no-schedule", is_flag=True,
                  help="Run jobs only; leave the schedules to another consumer.")
    def worker(workers: int | None, no_schedule: bool) -> None:
        """Run a queue consumer: the jobs users start and the scheduled jobs."""
        import logging
        import os

        logging.basicConfig(level=os.environ.get("STEWARD_LOG_LEVEL", "INFO"))
        workers = workers or int(os.environ.get("STEWARD_JOB_WORKERS", "2"))
        queue.huey.immediate = False
        consumer = queue.huey.create_consumer(workers=workers, worker_type="thread",
                                              periodic=not no_schedule)
        consumer.run()
