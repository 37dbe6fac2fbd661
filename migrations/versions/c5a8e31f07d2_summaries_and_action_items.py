"""summaries written from the records (status, figures, work done); meeting action items as
rows, the old free-text action items kept in the meeting's minutes

Revision ID: c5a8e31f07d2
Revises: 6c1abab0fe32
Create Date: 2026-12-02 09:00:00

"""
import sqlalchemy as sa
from alembic import op

import models.base


# revision identifiers, used by Alembic.
revision = 'c5a8e31f07d2'
down_revision = '6c1abab0fe32'
branch_labels = None
depends_on = None

# How the old free text reads at the end of the minutes (the company's language).
OLD_ITEMS_HEADING = "行动项（原记录）："


def upgrade():
    op.create_table(
        'action_item',
        sa.Column('meeting_id', sa.Integer(), nullable=False),
        sa.Column('what', sa.String(length=200), nullable=False),
        sa.Column('responsible_id', sa.Integer(), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('status', sa.Enum('open', 'done', 'cancelled', name='action_item_status',
                                    native_enum=False, create_constraint=True, length=13),
                  nullable=False),
        sa.Column('done_note', sa.Text(), nullable=True),
        sa.Column('done_at', models.base.UTCDateTime(), nullable=True),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('created_at', models.base.UTCDateTime(), nullable=False),
        sa.Column('created_by', sa.String(length=80), nullable=True),
        sa.Column('updated_at', models.base.UTCDateTime(), nullable=False),
        sa.Column('updated_by', sa.String(length=80), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'],
                                name=op.f('fk_action_item_meeting_id_meeting'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['responsible_id'], ['staff.id'],
                                name=op.f('fk_action_item_responsible_id_staff')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_action_item')),
    )
    with op.batch_alter_table('action_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_item_due_on'), ['due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_action_item_meeting_id'), ['meeting_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_action_item_responsible_id'), ['responsible_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_action_item_status'), ['status'], unique=False)

    # The old free text names no person or date a row needs: it stays readable at the end of
    # the meeting's minutes, and new items are rows.
    meeting = sa.table('meeting', sa.column('minutes', sa.Text),
                       sa.column('action_items', sa.Text))
    has_items = sa.and_(meeting.c.action_items.is_not(None), meeting.c.action_items != '')
    op.execute(meeting.update().where(has_items).values(
        minutes=sa.case((sa.or_(meeting.c.minutes.is_(None), meeting.c.minutes == ''), ''),
                        else_=meeting.c.minutes + '\n\n')
        + OLD_ITEMS_HEADING + meeting.c.action_items))
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_column('action_items')

    with op.batch_alter_table('summary', schema=None) as batch_op:
        batch_op.add_column(sa.Column('work_done', sa.Text(), nullable=True))
        # summaries written before this were reported already: they count as submitted
        batch_op.add_column(sa.Column('status', sa.Enum(
            'draft', 'submitted', name='summary_status', native_enum=False,
            create_constraint=True, length=13), nullable=False, server_default='submitted'))
        batch_op.add_column(sa.Column('submitted_at', models.base.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('figures', sa.Text(), nullable=True))
        batch_op.create_index(batch_op.f('ix_summary_status'), ['status'], unique=False)
    with op.batch_alter_table('summary', schema=None) as batch_op:
        batch_op.alter_column('status', server_default=None)


def downgrade():
    with op.batch_alter_table('summary', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_summary_status'))
        batch_op.drop_constraint(op.f('ck_summary_summary_status'), type_='check')
        batch_op.drop_column('figures')
        batch_op.drop_column('submitted_at')
        batch_op.drop_column('status')
        batch_op.drop_column('work_done')

    # The rows' text goes back to the free text, one line each.
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.add_column(sa.Column('action_items', sa.Text(), nullable=True))
    connection = op.get_bind()
    lines: dict[int, list[str]] = {}
    for meeting_id, what, due_on in connection.execute(sa.text(
            "SELECT meeting_id, what, due_on FROM action_item ORDER BY due_on, id")):
        lines.setdefault(meeting_id, []).append(f"{what}（{due_on}）")
    for meeting_id, text in lines.items():
        connection.execute(sa.text("UPDATE meeting SET action_items = :text WHERE id = :id"),
                           {"text": "\n".join(text), "id": meeting_id})

    with op.batch_alter_table('action_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_item_status'))
        batch_op.drop_index(batch_op.f('ix_action_item_responsible_id'))
        batch_op.drop_index(batch_op.f('ix_action_item_meeting_id'))
        batch_op.drop_index(batch_op.f('ix_action_item_due_on'))
    op.drop_table('action_item')
