"""natural sort keys of room numbers and building names (101, 102, …, 1001; 2栋 before 10栋),
each indexed, and the unit list's order (building, room) by index

Revision ID: d11373105272
Revises: acca76f70eae
Create Date: 2026-12-02 09:18:32.162548

"""
import re

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd11373105272'
down_revision = 'acca76f70eae'
branch_labels = None
depends_on = None

# rules.ordering.natural_key as it was when the keys were first filled in
DIGITS, KEY_LENGTH = 10, 100


def natural_key(text):
    if not text:
        return ""
    padded = re.sub(r"\d+", lambda run: run.group().zfill(DIGITS), text.strip().casefold())
    return padded[:KEY_LENGTH]


def _fill(table_name, source, key):
    """Each existing row's key from its source column, a thousand rows a statement."""
    connection = op.get_bind()
    table = sa.table(table_name, sa.column('id', sa.Integer), sa.column(source, sa.String),
                     sa.column(key, sa.String))
    rows = connection.execute(sa.select(table.c.id, table.c[source])).all()
    update = table.update().where(table.c.id == sa.bindparam('row_id')) \
        .values({key: sa.bindparam('row_key')})
    for start in range(0, len(rows), 1000):
        connection.execute(update, [{'row_id': row_id, 'row_key': natural_key(value)}
                                    for row_id, value in rows[start:start + 1000]])


def upgrade():
    with op.batch_alter_table('building', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_key', sa.String(length=100), nullable=True))
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('number_key', sa.String(length=100), nullable=True))
    _fill('building', 'name', 'name_key')
    _fill('unit', 'number', 'number_key')

    with op.batch_alter_table('building', schema=None) as batch_op:
        batch_op.alter_column('name_key', existing_type=sa.String(length=100), nullable=False)
        batch_op.create_index(batch_op.f('ix_building_name_key'), ['name_key'], unique=False)

    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.alter_column('number_key', existing_type=sa.String(length=100),
                              nullable=False)
        batch_op.create_index('ix_unit_building_id_number_key', ['building_id', 'number_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_unit_number_key'), ['number_key'], unique=False)


def downgrade():
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unit_number_key'))
        batch_op.drop_index('ix_unit_building_id_number_key')
        batch_op.drop_column('number_key')

    with op.batch_alter_table('building', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_building_name_key'))
        batch_op.drop_column('name_key')
