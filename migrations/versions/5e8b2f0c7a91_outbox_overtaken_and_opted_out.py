"""outbox: a message the ticket has moved past ('overtaken') or to an owner who has since
opted out ('opted_out') is not sent, and says so

Revision ID: 5e8b2f0c7a91
Revises: 4072e751c233
Create Date: 2026-11-27 14:20:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '5e8b2f0c7a91'
down_revision = '4072e751c233'
branch_labels = None
depends_on = None

OLD_STATUSES = ('pending', 'sending', 'sent', 'failed', 'not_configured', 'no_address')
NEW_STATUSES = (*OLD_STATUSES, 'overtaken', 'opted_out')


def _in(column, values):
    return "{} IN ({})".format(column, ", ".join(f"'{v}'" for v in values))


def _statuses(values):
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_outbox_message_message_status'), type_='check')
        batch_op.create_check_constraint(op.f('ck_outbox_message_message_status'),
                                         _in('status', values))


def upgrade():
    _statuses(NEW_STATUSES)


def downgrade():
    op.execute("UPDATE outbox_message SET status = 'failed' "
               "WHERE status IN ('overtaken', 'opted_out')")
    _statuses(OLD_STATUSES)
