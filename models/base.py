"""The declarative base, the columns every entity carries, and small column helpers."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column, registry

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


def company_zone() -> str:
    """The company's time zone (configuration; Asia/Shanghai outside an app)."""
    from flask import current_app, has_app_context

    return current_app.config["COMPANY_TIMEZONE"] if has_app_context() else "Asia/Shanghai"


def local_date(moment: datetime) -> date:
    """A moment's day in the company's calendar: 23:00 UTC on 9 Nov is 10 Nov in Shanghai."""
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo(company_zone())).date()


def changed(obj, key: str) -> bool:
    """Whether a pending flush changes attribute `key` of `obj` (what the flush hooks ask)."""
    return sa.inspect(obj).attrs[key].history.has_changes()


def old_value(obj, key: str):
    """The value attribute `key` of `obj` had before the pending change, if it changed."""
    deleted = sa.inspect(obj).attrs[key].history.deleted
    return deleted[0] if deleted else None


class UTCDateTime(sa.TypeDecorator):
    """A moment in time: stored as UTC (naive on SQLite), always returned timezone-aware."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: times must carry a timezone")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


Money = sa.Numeric(12, 2)

# Column info for a value the rules write (a ticket's status, a bill's paid amount): shown,
# never typed into a form.
DERIVED = {"derived": True}


class Base(DeclarativeBase):
    registry = registry(
        metadata=sa.MetaData(naming_convention=NAMING),
        type_annotation_map={
            datetime: UTCDateTime(),
            Decimal: Money,
            str: sa.String(200),
        },
    )


class Choices:
    """A closed set of values stored as short strings, each with a label for people.

    One instance serves the column type (a CHECK constraint lists the values), the form
    select and the list's display labels.
    """

    def __init__(self, name: str, **labels: str) -> None:
        self.name = name
        self.labels = labels

    @property
    def values(self) -> list[str]:
        return list(self.labels)

    def label(self, value: str | None) -> str:
        return self.labels.get(value, value or "")

    def type(self, name: str | None = None) -> sa.Enum:
        return sa.Enum(
            *self.values,
            name=name or self.name,
            native_enum=False,
            create_constraint=True,
            validate_strings=True,
            length=max(len(v) for v in self.values) + 4,
        )

    def __contains__(self, value: object) -> bool:
        return value in self.labels

    def __iter__(self):
        return iter(self.labels.items())


def choice(choices: Choices, *, default: str | None = None, nullable: bool = False,
           index: bool = False, check_name: str | None = None, **kw):
    """A column holding one of `choices`. A table with two columns of the same choices
    names their CHECK constraints apart with `check_name`."""
    return mapped_column(
        choices.type(check_name), default=default, nullable=nullable, index=index,
        info={"choices": choices, **kw.pop("info", {})}, **kw,
    )


def ref(target: str, *, nullable: bool = False, ondelete: str | None = None, **kw):
    """A foreign key column, always indexed (lists filter and join on them)."""
    return mapped_column(
        sa.ForeignKey(target, ondelete=ondelete), nullable=nullable, index=True, **kw
    )


def trigram(table: str, column: str) -> sa.Index:
    """A trigram index on a column the lists search (PostgreSQL's pg_trgm): the search box's
    `ILIKE '%…%'` reads the index instead of every row. None on SQLite, which scans."""
    return sa.Index(f"ix_{table}_{column}_trgm", column, postgresql_using="gin",
                    postgresql_ops={column: "gin_trgm_ops"}).ddl_if(dialect="postgresql")


def prefix(table: str, column: str) -> sa.Index:
    """A btree index for matching a column from its start (`LIKE 'ab%'`, whatever the
    database's collation), on PostgreSQL: a one- or two-character word in a large list's
    search box has no trigram, so it matches from the start (admin_views/search.py)."""
    return sa.Index(f"ix_{table}_{column}_prefix", column,
                    postgresql_ops={column: "varchar_pattern_ops"}).ddl_if(dialect="postgresql")


def for_matching(index: sa.Index) -> bool:
    """Whether `index` is a trigram or a prefix index: made for matching search words, on
    PostgreSQL only, and no use for sorting (a prefix index keeps pattern order)."""
    options = index.dialect_options["postgresql"]
    return options["using"] == "gin" or bool(options["ops"])


def schema_filter(dialect: str):
    """Alembic's `include_object` for a database of `dialect`: the trigram and prefix
    indexes exist on PostgreSQL only, so elsewhere the models and the migrated schema agree
    without them."""
    def include(obj, name, type_, reflected, compare_to) -> bool:
        return not (type_ == "index" and dialect != "postgresql" and not reflected
                    and for_matching(obj))
    return include


def natural_key_column(source: str):
    """A column holding the natural sort key of column `source` (rules/ordering.py), never
    typed nor shown: the model sets it with its source (`keeps_natural_key`), and a Core
    insert that leaves it out gets it from the inserted source."""
    from rules.ordering import KEY_LENGTH, natural_key

    def from_source(context) -> str:
        return natural_key(context.get_current_parameters().get(source))

    return mapped_column(sa.String(KEY_LENGTH), default=from_source, index=True,
                         info={"system": True})


def keeps_natural_key(source: str, key: str):
    """A validator for `source` that keeps column `key` its natural sort key."""
    from sqlalchemy.orm import validates

    from rules.ordering import natural_key

    @validates(source)
    def keep(self, name, value):
        setattr(self, key, natural_key(value))
        return value

    return keep


def non_negative(column: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(f"{column} >= 0", name=f"{column}_non_negative")


def positive(column: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(f"{column} > 0", name=f"{column}_positive")


def between(column: str, low: int, high: int) -> sa.CheckConstraint:
    return sa.CheckConstraint(
        f"{column} IS NULL OR ({column} >= {low} AND {column} <= {high})",
        name=f"{column}_range",
    )


class Entity(Base):
    """An editable business record: id, who created and changed it when, and a version."""

    __abstract__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, info={"system": True})
    created_by: Mapped[str | None] = mapped_column(sa.String(80), info={"system": True})
    updated_at: Mapped[datetime] = mapped_column(
        default=utcnow, onupdate=utcnow, info={"system": True}
    )
    updated_by: Mapped[str | None] = mapped_column(sa.String(80), info={"system": True})
    version: Mapped[int] = mapped_column(default=1, info={"system": True})

    @declared_attr.directive
    def __mapper_args__(cls):
        return {"version_id_col": cls.__table__.c.version}
