"""departments as records with a "department" login role, the work a ticket dispatches to
one, return visits' survey (three dimensions) and needs, and the visit schedule's settings

Revision ID: 6c1abab0fe32
Revises: 35c2ee5436ad
Create Date: 2026-12-02 01:08:48.139048

"""
from alembic import op
import sqlalchemy as sa

import models.base

OLD_ROLES = ('admin', 'hr', 'supervisor', 'steward')
NEW_ROLES = (*OLD_ROLES, 'department')


def _in(column, values):
    return "{} IN ({})".format(column, ", ".join(f"'{v}'" for v in values))


def _roles(values):
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_user_account_role'), type_='check')
        batch_op.create_check_constraint(op.f('ck_user_account_role'), _in('role', values))


# revision identifiers, used by Alembic.
revision = '6c1abab0fe32'
down_revision = '35c2ee5436ad'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('department',
    sa.Column('code', sa.Enum('customer_service', 'engineering', 'security', 'cleaning', 'human_resources', 'office', 'marketing', 'client_relations', name='department_code', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('head_id', sa.Integer(), nullable=True),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('duties', sa.Text(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', models.base.UTCDateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=80), nullable=True),
    sa.Column('updated_at', models.base.UTCDateTime(), nullable=False),
    sa.Column('updated_by', sa.String(length=80), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['head_id'], ['staff.id'], name=op.f('fk_department_head_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_department')),
    sa.UniqueConstraint('code', name=op.f('uq_department_code'))
    )
    with op.batch_alter_table('department', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_department_head_id'), ['head_id'], unique=False)

    op.create_table('dispatch',
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('waiting', 'taken', 'done', 'withdrawn', name='dispatch_status', native_enum=False, create_constraint=True, length=13), nullable=False),
    sa.Column('dispatched_at', models.base.UTCDateTime(), nullable=False),
    sa.Column('dispatched_by', sa.String(length=80), nullable=True),
    sa.Column('due_at', models.base.UTCDateTime(), nullable=True),
    sa.Column('taken_by_id', sa.Integer(), nullable=True),
    sa.Column('taken_at', models.base.UTCDateTime(), nullable=True),
    sa.Column('done_at', models.base.UTCDateTime(), nullable=True),
    sa.Column('done_note', sa.Text(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', models.base.UTCDateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=80), nullable=True),
    sa.Column('updated_at', models.base.UTCDateTime(), nullable=False),
    sa.Column('updated_by', sa.String(length=80), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_dispatch_department_id_department')),
    sa.ForeignKeyConstraint(['taken_by_id'], ['staff.id'], name=op.f('fk_dispatch_taken_by_id_staff')),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], name=op.f('fk_dispatch_ticket_id_ticket'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dispatch'))
    )
    with op.batch_alter_table('dispatch', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dispatch_department_id'), ['department_id'], unique=False)
        batch_op.create_index('ix_dispatch_department_status', ['department_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_dispatch_dispatched_at'), ['dispatched_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_dispatch_due_at'), ['due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_dispatch_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_dispatch_taken_by_id'), ['taken_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_dispatch_ticket_id'), ['ticket_id'], unique=False)

    with op.batch_alter_table('policy_setting', schema=None) as batch_op:
        batch_op.add_column(sa.Column('visit_after_close_days', sa.Integer(), server_default='3', nullable=False))
        batch_op.add_column(sa.Column('visit_interval_days', sa.Integer(), server_default='90', nullable=False))

    with op.batch_alter_table('return_visit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rating_attitude', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('rating_efficiency', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('rating_solving', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('needs', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('needs_ticket_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_return_visit_needs_ticket_id'), ['needs_ticket_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_return_visit_needs_ticket_id_ticket'), 'ticket', ['needs_ticket_id'], ['id'])
        for name in ('rating_attitude', 'rating_efficiency', 'rating_solving'):
            batch_op.create_check_constraint(
                f'{name}_range', f'{name} IS NULL OR ({name} >= 1 AND {name} <= 5)')

    with op.batch_alter_table('ticket_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('dispatch_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_ticket_event_dispatch_id'), ['dispatch_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_ticket_event_dispatch_id_dispatch'), 'dispatch', ['dispatch_id'], ['id'], ondelete='SET NULL')

    _roles(NEW_ROLES)


def downgrade():
    op.execute("DELETE FROM user_account WHERE role = 'department'")
    _roles(OLD_ROLES)
    with op.batch_alter_table('ticket_event', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_ticket_event_dispatch_id_dispatch'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_ticket_event_dispatch_id'))
        batch_op.drop_column('dispatch_id')

    with op.batch_alter_table('return_visit', schema=None) as batch_op:
        for name in ('rating_solving', 'rating_efficiency', 'rating_attitude'):
            batch_op.drop_constraint(f'{name}_range', type_='check')
        batch_op.drop_constraint(batch_op.f('fk_return_visit_needs_ticket_id_ticket'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_return_visit_needs_ticket_id'))
        batch_op.drop_column('needs_ticket_id')
        batch_op.drop_column('needs')
        batch_op.drop_column('rating_solving')
        batch_op.drop_column('rating_efficiency')
        batch_op.drop_column('rating_attitude')

    with op.batch_alter_table('policy_setting', schema=None) as batch_op:
        batch_op.drop_column('visit_interval_days')
        batch_op.drop_column('visit_after_close_days')

    with op.batch_alter_table('dispatch', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dispatch_ticket_id'))
        batch_op.drop_index(batch_op.f('ix_dispatch_taken_by_id'))
        batch_op.drop_index(batch_op.f('ix_dispatch_status'))
        batch_op.drop_index(batch_op.f('ix_dispatch_due_at'))
        batch_op.drop_index(batch_op.f('ix_dispatch_dispatched_at'))
        batch_op.drop_index('ix_dispatch_department_status')
        batch_op.drop_index(batch_op.f('ix_dispatch_department_id'))

    op.drop_table('dispatch')
    with op.batch_alter_table('department', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_department_head_id'))

    op.drop_table('department')
