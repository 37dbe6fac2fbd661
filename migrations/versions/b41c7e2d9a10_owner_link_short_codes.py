"""owner links: short codes looked up in the database, with their expiry

Revision ID: b41c7e2d9a10
Revises: 5e8b2f0c7a91
Create Date: 2026-11-27 14:10:00

"""
import sqlalchemy as sa
from alembic import op

import models.base


# revision identifiers, used by Alembic.
revision = 'b41c7e2d9a10'
down_revision = '5e8b2f0c7a91'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.add_column(sa.Column('owner_link_expires_at', models.base.UTCDateTime(),
                                      nullable=True))
        batch_op.create_index(batch_op.f('ix_ticket_owner_link_nonce'), ['owner_link_nonce'],
                              unique=True)
        batch_op.create_index(batch_op.f('ix_ticket_owner_link_used_nonce'),
                              ['owner_link_used_nonce'], unique=False)


def downgrade():
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_owner_link_used_nonce'))
        batch_op.drop_index(batch_op.f('ix_ticket_owner_link_nonce'))
        batch_op.drop_column('owner_link_expires_at')
