"""a team's month by index (the month run, issue 16): its tickets closed and due then, its
units' bills due then

Revision ID: e8db5cb33bdd
Revises: 227578f69328
Create Date: 2026-12-02 05:38:40.196245

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e8db5cb33bdd'
down_revision = '227578f69328'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('bill', schema=None) as batch_op:
        batch_op.create_index('ix_bill_unit_due_date', ['unit_id', 'due_date'], unique=False)

    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.create_index('ix_ticket_steward_closed_at', ['steward_id', 'closed_at'], unique=False)
        batch_op.create_index('ix_ticket_steward_due_at', ['steward_id', 'due_at'], unique=False)


def downgrade():
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_index('ix_ticket_steward_due_at')
        batch_op.drop_index('ix_ticket_steward_closed_at')

    with op.batch_alter_table('bill', schema=None) as batch_op:
        batch_op.drop_index('ix_bill_unit_due_date')
