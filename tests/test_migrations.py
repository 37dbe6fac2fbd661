"""Every schema change comes with a migration: the models and the migrated database agree."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from models import Base
from models.base import schema_filter


def test_migrations_match_the_models(app, db):
    """The tests' database is built by `flask db upgrade`; autogenerate must find nothing."""
    from extensions import db as database

    with app.app_context(), database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={
            "compare_type": True,
            "include_object": schema_filter(connection.dialect.name)})
        assert compare_metadata(context, Base.metadata) == []
