"""procedures with steps (P-COORD-3): each kind's checklist in the policy settings, a
procedure's own steps, and what a renovated unit was used for before; open procedures get the
steps of the checklist in force on their start date

Revision ID: 35c2ee5436ad
Revises: b41c7e2d9a10
Create Date: 2026-12-02 01:10:17.674447

"""
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa

import models.base


# revision identifiers, used by Alembic.
revision = '35c2ee5436ad'
down_revision = 'b41c7e2d9a10'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('procedure_step',
    sa.Column('procedure_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('done_at', models.base.UTCDateTime(), nullable=True),
    sa.Column('done_by_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', models.base.UTCDateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=80), nullable=True),
    sa.Column('updated_at', models.base.UTCDateTime(), nullable=False),
    sa.Column('updated_by', sa.String(length=80), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('done_at IS NOT NULL OR done_by_id IS NULL', name=op.f('ck_procedure_step_done_by_when_done')),
    sa.ForeignKeyConstraint(['done_by_id'], ['staff.id'], name=op.f('fk_procedure_step_done_by_id_staff')),
    sa.ForeignKeyConstraint(['procedure_id'], ['procedure.id'], name=op.f('fk_procedure_step_procedure_id_procedure')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_procedure_step')),
    sa.UniqueConstraint('procedure_id', 'position', name=op.f('uq_procedure_step_procedure_id_position'))
    )
    with op.batch_alter_table('procedure_step', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_procedure_step_done_by_id'), ['done_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_procedure_step_procedure_id'), ['procedure_id'], unique=False)

    with op.batch_alter_table('policy_setting', schema=None) as batch_op:
        batch_op.add_column(sa.Column('checklist_move_in', sa.Text(), server_default='资料核验\n费用结清\n钥匙交付\n抄表', nullable=False))
        batch_op.add_column(sa.Column('checklist_renovation', sa.Text(), server_default='装修申请\n缴纳押金\n过程巡查\n竣工验收\n退还押金', nullable=False))
        batch_op.add_column(sa.Column('checklist_move_out', sa.Text(), server_default='费用结清\n抄表\n钥匙交回', nullable=False))

    with op.batch_alter_table('procedure', schema=None) as batch_op:
        batch_op.add_column(sa.Column('usage_before', sa.Enum('owner_occupied', 'rented', 'vacant', 'renovating', name='procedure_usage_before', native_enum=False, create_constraint=True, length=18), nullable=True))

    _steps_for_open_procedures()


def _steps_for_open_procedures():
    """An open procedure gets the steps of its kind's checklist in force on its start date
    (the defaults, unless a setting was changed since), none of them done yet."""
    connection = op.get_bind()
    settings = connection.execute(sa.text(
        "SELECT effective_from, checklist_move_in, checklist_renovation, checklist_move_out "
        "FROM policy_setting ORDER BY effective_from")).all()
    defaults = {'move_in': '资料核验\n费用结清\n钥匙交付\n抄表',
                'renovation': '装修申请\n缴纳押金\n过程巡查\n竣工验收\n退还押金',
                'move_out': '费用结清\n抄表\n钥匙交回'}
    step = sa.table('procedure_step', *(sa.column(name) for name in (
        'procedure_id', 'position', 'name', 'created_at', 'created_by', 'updated_at',
        'updated_by', 'version')))
    now = datetime.now(UTC).replace(tzinfo=None)
    rows = []
    for procedure_id, kind, started_on in connection.execute(sa.text(
            "SELECT id, kind, started_on FROM procedure WHERE status = 'open' ORDER BY id")):
        started = started_on if not isinstance(started_on, str) else \
            datetime.fromisoformat(started_on).date()
        text = defaults[kind]
        for effective_from, move_in, renovation, move_out in settings:
            effective = effective_from if not isinstance(effective_from, str) else \
                datetime.fromisoformat(effective_from).date()
            if effective <= started:
                text = {'move_in': move_in, 'renovation': renovation, 'move_out': move_out}[kind]
        names = [line.strip() for line in text.splitlines() if line.strip()]
        rows += [{'procedure_id': procedure_id, 'position': n, 'name': name[:100],
                  'created_at': now, 'created_by': 'migration', 'updated_at': now,
                  'updated_by': 'migration', 'version': 1}
                 for n, name in enumerate(names, start=1)]
    if rows:
        op.bulk_insert(step, rows)


def downgrade():
    with op.batch_alter_table('procedure', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_procedure_procedure_usage_before'), type_='check')
        batch_op.drop_column('usage_before')

    with op.batch_alter_table('policy_setting', schema=None) as batch_op:
        batch_op.drop_column('checklist_move_out')
        batch_op.drop_column('checklist_renovation')
        batch_op.drop_column('checklist_move_in')

    with op.batch_alter_table('procedure_step', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_procedure_step_procedure_id'))
        batch_op.drop_index(batch_op.f('ix_procedure_step_done_by_id'))

    op.drop_table('procedure_step')
