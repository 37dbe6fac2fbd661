"""audit entries name the record, the person acting and the records referred to; on
PostgreSQL, trigram indexes for the audit trail's search (record, person, account)

Entries written before keep their ids: the trail shows them as "type #id" (the acting
person's name is filled in from their account where it still exists).

Revision ID: f3c10ad2ab21
Revises: d11373105272
Create Date: 2026-12-02 09:25:04.710788

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f3c10ad2ab21'
down_revision = 'd11373105272'
branch_labels = None
depends_on = None

TRIGRAM = ("record_label", "actor_name", "username")


def upgrade():
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('record_label', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('actor_name', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('names', sa.Text(), nullable=True))
    op.execute("UPDATE audit_entry SET actor_name = ("
               "SELECT staff.name FROM user_account JOIN staff ON staff.id = user_account.staff_id"
               " WHERE user_account.username = audit_entry.username)")
    if op.get_bind().dialect.name == "postgresql":
        for column in TRIGRAM:
            op.create_index(f'ix_audit_entry_{column}_trgm', 'audit_entry', [column],
                            unique=False, postgresql_using='gin',
                            postgresql_ops={column: 'gin_trgm_ops'})


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for column in reversed(TRIGRAM):
            op.drop_index(f'ix_audit_entry_{column}_trgm', table_name='audit_entry')
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_column('names')
        batch_op.drop_column('actor_name')
        batch_op.drop_column('record_label')
