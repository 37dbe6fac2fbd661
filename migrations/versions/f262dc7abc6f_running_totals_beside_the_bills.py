"""running totals beside the bills: per project, steward and due date, what is receivable,
collected and still owed (models/bill_totals.py), filled from the bills

Revision ID: f262dc7abc6f
Revises: f3c10ad2ab21
Create Date: 2026-12-02 13:50:22.290514

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f262dc7abc6f'
down_revision = 'f3c10ad2ab21'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('bill_total',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('steward_key', sa.Integer(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('bills', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('paid', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('open_bills', sa.Integer(), nullable=False),
    sa.Column('owed', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_bill_total_project_id_project')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bill_total')),
    sa.UniqueConstraint('project_id', 'steward_key', 'due_date', name=op.f('uq_bill_total_project_id_steward_key_due_date'))
    )
    with op.batch_alter_table('bill_total', schema=None) as batch_op:
        batch_op.create_index('ix_bill_total_due_date', ['due_date'], unique=False)
    op.execute("""
        INSERT INTO bill_total (project_id, steward_key, due_date, bills, amount, paid,
                                open_bills, owed)
        SELECT building.project_id, coalesce(unit.steward_id, 0), bill.due_date,
               count(bill.id) FILTER (WHERE bill.status != 'waived'),
               coalesce(sum(bill.amount) FILTER (WHERE bill.status != 'waived'), 0),
               coalesce(sum(bill.paid_amount) FILTER (WHERE bill.status != 'waived'), 0),
               count(bill.id) FILTER (WHERE bill.status IN ('unpaid', 'partly_paid')),
               coalesce(sum(bill.amount - bill.paid_amount)
                        FILTER (WHERE bill.status IN ('unpaid', 'partly_paid')), 0)
        FROM bill JOIN unit ON bill.unit_id = unit.id
                  JOIN building ON unit.building_id = building.id
        GROUP BY building.project_id, coalesce(unit.steward_id, 0), bill.due_date""")


def downgrade():
    with op.batch_alter_table('bill_total', schema=None) as batch_op:
        batch_op.drop_index('ix_bill_total_due_date')

    op.drop_table('bill_total')
