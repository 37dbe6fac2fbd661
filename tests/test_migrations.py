"""Every schema change comes with a migration: the models and the migrated database agree."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from models import Base


def test_migrations_match_the_models(app, db):
    """The tests' database is built by `flask db upgrade`; autogenerate must find nothing."""
    from extensions import db as database

    with app.app_context(), database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
