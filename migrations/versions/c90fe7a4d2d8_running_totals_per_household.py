"""running totals per household: its unpaid bills, what they owe and the oldest one's due
date, beside the unit's building, room key and steward (models/household_totals.py), filled
from the bills

Revision ID: c90fe7a4d2d8
Revises: 0b5e2f7c91a4
Create Date: 2026-12-02 14:10:43.427427

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c90fe7a4d2d8'
down_revision = '0b5e2f7c91a4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('household_total',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('owner_key', sa.Integer(), nullable=False),
    sa.Column('building_id', sa.Integer(), nullable=False),
    sa.Column('number_key', sa.String(length=100), nullable=False),
    sa.Column('steward_key', sa.Integer(), nullable=False),
    sa.Column('open_bills', sa.Integer(), nullable=False),
    sa.Column('owed', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('oldest_open', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_household_total_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_household_total')),
    sa.UniqueConstraint('unit_id', 'owner_key', name=op.f('uq_household_total_unit_id_owner_key'))
    )
    with op.batch_alter_table('household_total', schema=None) as batch_op:
        batch_op.create_index('ix_household_total_arrears_order', ['oldest_open', 'building_id', 'number_key', 'unit_id', 'owner_key'], unique=False)
        batch_op.create_index('ix_household_total_steward_key', ['steward_key'], unique=False)
    op.execute("""
        INSERT INTO household_total (unit_id, owner_key, building_id, number_key, steward_key,
                                     open_bills, owed, oldest_open)
        SELECT sums.unit_id, sums.owner_key, unit.building_id, unit.number_key,
               coalesce(unit.steward_id, 0), sums.open_bills, sums.owed, sums.oldest_open
        FROM (SELECT bill.unit_id, coalesce(bill.owner_id, 0) AS owner_key,
                     count(bill.id) AS open_bills, sum(bill.amount - bill.paid_amount) AS owed,
                     min(bill.due_date) AS oldest_open
              FROM bill WHERE bill.status IN ('unpaid', 'partly_paid')
              GROUP BY bill.unit_id, coalesce(bill.owner_id, 0)) AS sums
        JOIN unit ON unit.id = sums.unit_id""")


def downgrade():
    with op.batch_alter_table('household_total', schema=None) as batch_op:
        batch_op.drop_index('ix_household_total_steward_key')
        batch_op.drop_index('ix_household_total_arrears_order')

    op.drop_table('household_total')
