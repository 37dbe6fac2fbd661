"""owner's page: the owner's three ratings and the rating's source on tickets, the used
link's nonce, and the page's throttle

Revision ID: d3f1a7c2b8e4
Revises: eac6ebc61429
Create Date: 2026-11-27 14:00:00

"""
from alembic import op
import sqlalchemy as sa

import models.base


# revision identifiers, used by Alembic.
revision = 'd3f1a7c2b8e4'
down_revision = 'eac6ebc61429'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'owner_page_hit',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', models.base.UTCDateTime(), nullable=False),
        sa.Column('address', sa.String(length=45), nullable=False),
        sa.Column('link', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_owner_page_hit')),
    )
    with op.batch_alter_table('owner_page_hit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_owner_page_hit_address'), ['address'], unique=False)
        batch_op.create_index(batch_op.f('ix_owner_page_hit_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_owner_page_hit_link'), ['link'], unique=False)

    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rating_attitude', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('rating_efficiency', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('rating_solving', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('feedback_source', sa.Enum(
            'owner', 'steward', name='feedback_source', native_enum=False,
            create_constraint=True, length=11), nullable=True))
        batch_op.add_column(sa.Column('owner_link_used_nonce', sa.String(length=32),
                                      nullable=True))
        batch_op.create_check_constraint(
            'rating_attitude_range',
            'rating_attitude IS NULL OR (rating_attitude >= 1 AND rating_attitude <= 5)')
        batch_op.create_check_constraint(
            'rating_efficiency_range',
            'rating_efficiency IS NULL OR (rating_efficiency >= 1 AND rating_efficiency <= 5)')
        batch_op.create_check_constraint(
            'rating_solving_range',
            'rating_solving IS NULL OR (rating_solving >= 1 AND rating_solving <= 5)')


def downgrade():
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_constraint('rating_solving_range', type_='check')
        batch_op.drop_constraint('rating_efficiency_range', type_='check')
        batch_op.drop_constraint('rating_attitude_range', type_='check')
        batch_op.drop_column('owner_link_used_nonce')
        batch_op.drop_column('feedback_source')
        batch_op.drop_column('rating_solving')
        batch_op.drop_column('rating_efficiency')
        batch_op.drop_column('rating_attitude')

    with op.batch_alter_table('owner_page_hit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_owner_page_hit_link'))
        batch_op.drop_index(batch_op.f('ix_owner_page_hit_at'))
        batch_op.drop_index(batch_op.f('ix_owner_page_hit_address'))

    op.drop_table('owner_page_hit')
