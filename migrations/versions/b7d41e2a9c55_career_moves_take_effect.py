"""career moves take effect: status, from department, to supervisor, the dismissal they carry
out; marketing and customer relations departments (P-CAR-2)

Revision ID: b7d41e2a9c55
Revises: aea9e9bd2c7c
Create Date: 2026-11-27 13:00:00

"""
from alembic import op
import sqlalchemy as sa

import models.base


# revision identifiers, used by Alembic.
revision = 'b7d41e2a9c55'
down_revision = 'aea9e9bd2c7c'
branch_labels = None
depends_on = None

OLD_DEPARTMENTS = ('customer_service', 'engineering', 'security', 'cleaning',
                   'human_resources', 'office')
NEW_DEPARTMENTS = (*OLD_DEPARTMENTS, 'marketing', 'client_relations')
POSITIONS = ('steward', 'supervisor', 'manager', 'other')
STATUSES = ('planned', 'waiting', 'done', 'cancelled')


def _in(column, values):
    return "{} IN ({})".format(column, ", ".join(f"'{v}'" for v in values))


def _departments(values):
    for table, column, check in (('staff', 'department', 'ck_staff_department'),
                                 ('career_move', 'to_department', 'ck_career_move_department')):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(check), type_='check')
            batch_op.create_check_constraint(op.f(check), _in(column, values))


def upgrade():
    _departments(NEW_DEPARTMENTS)
    with op.batch_alter_table('career_move', schema=None) as batch_op:
        batch_op.add_column(sa.Column('from_department', sa.Enum(*NEW_DEPARTMENTS, name='from_department', native_enum=False, create_constraint=True, length=20), nullable=True))
        batch_op.add_column(sa.Column('to_supervisor_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('status', sa.Enum(*STATUSES, name='career_move_status', native_enum=False, create_constraint=True, length=13), nullable=True))
        batch_op.add_column(sa.Column('applied_at', models.base.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('reward_penalty_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_career_move_to_supervisor_id'), ['to_supervisor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_career_move_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_career_move_reward_penalty_id'), ['reward_penalty_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_career_move_to_supervisor_id_staff'), 'staff', ['to_supervisor_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_career_move_reward_penalty_id_reward_penalty'), 'reward_penalty', ['reward_penalty_id'], ['id'])
    # moves recorded before they could take effect are records of what happened
    op.execute("UPDATE career_move SET status = 'done'")
    with op.batch_alter_table('career_move', schema=None) as batch_op:
        batch_op.alter_column('status', existing_type=sa.String(length=13), nullable=False)


def downgrade():
    with op.batch_alter_table('career_move', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_career_move_reward_penalty_id_reward_penalty'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_career_move_to_supervisor_id_staff'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_career_move_reward_penalty_id'))
        batch_op.drop_index(batch_op.f('ix_career_move_status'))
        batch_op.drop_index(batch_op.f('ix_career_move_to_supervisor_id'))
        batch_op.drop_column('reward_penalty_id')
        batch_op.drop_column('applied_at')
        batch_op.drop_column('status')
        batch_op.drop_column('to_supervisor_id')
        batch_op.drop_column('from_department')
    op.execute("UPDATE staff SET department = 'customer_service' "
               "WHERE department IN ('marketing', 'client_relations')")
    op.execute("UPDATE career_move SET to_department = NULL "
               "WHERE to_department IN ('marketing', 'client_relations')")
    _departments(OLD_DEPARTMENTS)
