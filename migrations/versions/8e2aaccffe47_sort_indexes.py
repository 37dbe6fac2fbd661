"""indexes for the default sorts and the sortable columns: a list sorts only by a column an
index serves (issue 16)

Revision ID: 8e2aaccffe47
Revises: c5a8e31f07d2
Create Date: 2026-12-02 02:58:30.517554

"""
from alembic import op
import sqlalchemy as sa

import models.base


# revision identifiers, used by Alembic.
revision = '8e2aaccffe47'
down_revision = 'c5a8e31f07d2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('building', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_building_name'), ['name'], unique=False)

    with op.batch_alter_table('ownership', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ownership_since'), ['since'], unique=False)

    with op.batch_alter_table('procedure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_procedure_started_on'), ['started_on'], unique=False)

    with op.batch_alter_table('procedure_step', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_procedure_step_position'), ['position'], unique=False)

    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_contact_name'), ['contact_name'], unique=False)
        batch_op.create_index(batch_op.f('ix_ticket_contact_phone'), ['contact_phone'], unique=False)

    with op.batch_alter_table('ticket_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_event_at'), ['at'], unique=False)

    with op.batch_alter_table('training_result', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_result_taken_on'), ['taken_on'], unique=False)



def downgrade():
    with op.batch_alter_table('training_result', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_result_taken_on'))

    with op.batch_alter_table('ticket_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_event_at'))

    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_contact_phone'))
        batch_op.drop_index(batch_op.f('ix_ticket_contact_name'))

    with op.batch_alter_table('procedure_step', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_procedure_step_position'))

    with op.batch_alter_table('procedure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_procedure_started_on'))

    with op.batch_alter_table('ownership', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ownership_since'))

    with op.batch_alter_table('building', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_building_name'))

